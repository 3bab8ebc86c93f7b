/**
 * Which account takes a job: a pure choice over snapshots. An account can take a job when it is
 * enabled, not capped for the day, in the job's mode (a job without `mode` takes any), the one the
 * job asked for (if it asked), not one the job already failed on, and has a free slot. Among those
 * the least busy wins (busy / slots, then busy), then the earlier in the configuration.
 */
import type { GenerationMode } from '../generation/types.js';

export interface AccountSnapshot {
  id: string;
  enabled: boolean;
  /** Out of routing for now (daily cap reached). */
  capped: boolean;
  mode: GenerationMode;
  busy: number;
  slots: number;
  /** Position in the pool (configuration order). */
  order: number;
}

export interface RouteRequest {
  /** Only this account. */
  account?: string | undefined;
  /** Only accounts in this mode. */
  mode?: GenerationMode | undefined;
  /** Accounts the job already failed on. */
  exclude?: readonly string[];
}

/** The account could take the job once a slot frees up. */
export function couldServe(account: AccountSnapshot, request: RouteRequest): boolean {
  return (
    account.enabled &&
    !account.capped &&
    (request.account === undefined || request.account === account.id) &&
    (request.mode === undefined || request.mode === account.mode) &&
    !(request.exclude ?? []).includes(account.id)
  );
}

/** The account to run the job on now, or undefined when it has to wait (or nothing can serve it). */
export function pickAccount(accounts: readonly AccountSnapshot[], request: RouteRequest): string | undefined {
  let best: AccountSnapshot | undefined;
  for (const account of accounts) {
    if (!couldServe(account, request) || account.busy >= account.slots) continue;
    if (best === undefined || busier(best, account)) best = account;
  }
  return best?.id;
}

/** Some account could take the job, now or after a slot frees. */
export function servable(accounts: readonly AccountSnapshot[], request: RouteRequest): boolean {
  return accounts.some((account) => couldServe(account, request));
}

/** Why no account can serve the request, one line per account that matched the request's filters. */
export function unservableReasons(accounts: readonly AccountSnapshot[], request: RouteRequest): string[] {
  return accounts
    .filter((a) => request.account === undefined || request.account === a.id)
    .map((a) => {
      if (!a.enabled) return `${a.id}: disabled`;
      if (a.capped) return `${a.id}: daily cap reached`;
      if (request.mode !== undefined && request.mode !== a.mode) return `${a.id}: in ${a.mode} mode`;
      if ((request.exclude ?? []).includes(a.id)) return `${a.id}: already refused the job`;
      return `${a.id}: available`;
    });
}

function busier(a: AccountSnapshot, b: AccountSnapshot): boolean {
  const load = a.busy / a.slots - b.busy / b.slots;
  if (load !== 0) return load > 0;
  if (a.busy !== b.busy) return a.busy > b.busy;
  return a.order > b.order;
}
