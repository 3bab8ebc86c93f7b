/**
 * The pool's one FIFO queue of jobs waiting for an account. `pump` hands free slots out in arrival
 * order (a job that no free account fits lets the next one try, so a job waiting for one busy
 * account never blocks the others) and fails the jobs no account can ever serve.
 */
import { NoAccountAvailableError } from './errors.js';
import type { PoolAccount } from './pool-account.js';
import { pickAccount, type RouteRequest, servable, unservableReasons } from './routing.js';

interface Waiter {
  request: RouteRequest;
  grant: (account: PoolAccount) => void;
  fail: (error: unknown) => void;
}

export class PoolQueue {
  private readonly waiters: Waiter[] = [];

  get length(): number {
    return this.waiters.length;
  }

  /**
   * Waits for an account that can take the request (its slot counted as busy once granted);
   * `first` puts it at the head (a job moving on after a refusal has waited its turn already).
   */
  enqueue(request: RouteRequest, signal: AbortSignal | undefined, first: boolean): Promise<PoolAccount> {
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        request,
        grant: (account) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(account);
        },
        fail: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (first) this.waiters.unshift(waiter);
      else this.waiters.push(waiter);
    });
  }

  /** Hands free slots to waiters in arrival order; fails the waiters no account can ever serve. */
  pump(accounts: readonly PoolAccount[]): void {
    for (let i = 0; i < this.waiters.length; ) {
      const waiter = this.waiters[i] as Waiter;
      const snapshots = accounts.map((a) => a.snapshot());
      if (!servable(snapshots, waiter.request)) {
        this.waiters.splice(i, 1);
        waiter.fail(
          new NoAccountAvailableError(wanted(waiter.request), reasons(accounts, waiter.request), {
            account: waiter.request.account,
            mode: waiter.request.mode,
          }),
        );
        continue;
      }
      const id = pickAccount(snapshots, waiter.request);
      const account = accounts.find((a) => a.id === id);
      if (account === undefined) {
        i += 1;
        continue;
      }
      this.waiters.splice(i, 1);
      account.busy += 1;
      waiter.grant(account);
    }
  }

  /** Rejects every waiter with `error`. */
  clear(error: unknown): void {
    for (const waiter of this.waiters.splice(0)) waiter.fail(error);
  }
}

/** What the request asked for, for the error message. */
export function wanted(request: RouteRequest): string {
  const parts = [
    request.account === undefined ? undefined : `account "${request.account}"`,
    request.mode === undefined ? undefined : `mode ${request.mode}`,
  ].filter((p) => p !== undefined);
  return parts.length > 0 ? parts.join(', ') : 'any account';
}

/** Why each matching account cannot take the request, with the reason a disabled one was disabled. */
function reasons(accounts: readonly PoolAccount[], request: RouteRequest): string[] {
  const lines = unservableReasons(
    accounts.map((a) => a.snapshot()),
    request,
  );
  return lines.map((line) => {
    const id = line.slice(0, line.indexOf(':'));
    const disabled = accounts.find((a) => a.id === id)?.disabled;
    return disabled && line.endsWith(': disabled') ? `${line} (${disabled.reason})` : line;
  });
}
