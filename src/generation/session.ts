/**
 * Who we are on Discord for the jobs being sent: our user id (correlation only accepts messages
 * that mention it) and the session id interactions carry. Over the gateway both come from READY;
 * a REST-only client asks `GET /users/@me` once and sends a random session id, as Discord's own
 * REST-only clients do. The gateway is connected on first use; if it cannot be reached the jobs
 * are watched by polling and the connection is tried again later. A failed lookup is never kept:
 * neither a rejection nor an answer without a usable id (that would make every later job's
 * messages look like someone else's, i.e. pre-moderation); the next job asks again.
 */

import { decodeUser, decodeWith } from '../discord/decode/index.js';
import type { GatewayClient } from '../discord/gateway/index.js';
import type { DiscordApi } from '../discord/rest/api.js';
import { DiscordProtocolError } from '../discord/rest/errors.js';
import type { Snowflake } from '../discord/types.js';
import { randomSessionId } from '../midjourney/payloads.js';
import type { Clock } from '../util/clock.js';
import type { SessionInfo } from './orchestrator.js';

/** How long a failed gateway connect is left alone before the next job tries again (ms). */
export const GATEWAY_RETRY_MS = 60_000;

export interface DiscordSessionOptions {
  api: Pick<DiscordApi, 'getCurrentUser'>;
  gateway: GatewayClient | undefined;
  clock: Clock;
  /** Aborts when the client closes: a pending connect is abandoned then, not by one job's signal. */
  life: AbortSignal;
  /** Our user id when known up front (skips `GET /users/@me`). */
  userId: Snowflake | undefined;
  debug: (message: string) => void;
}

export class DiscordSession {
  private known: Snowflake | undefined;
  private lookup: Promise<Snowflake> | undefined;
  private gatewayFailedAt = Number.NEGATIVE_INFINITY;
  private readonly restSessionId = randomSessionId();

  constructor(private readonly options: DiscordSessionOptions) {
    this.known = options.userId;
  }

  /** Our user id, once known (kept when the gateway session it came from ends). */
  get userId(): Snowflake | undefined {
    this.known ??= this.options.gateway?.readyData?.user.id;
    return this.known;
  }

  async current(signal: AbortSignal | undefined): Promise<SessionInfo> {
    await this.ensureGateway(signal);
    const userId = this.userId ?? (await this.lookupUser(signal));
    return { userId, sessionId: this.options.gateway?.sessionId ?? this.restSessionId };
  }

  private async ensureGateway(signal: AbortSignal | undefined): Promise<void> {
    const { gateway, clock } = this.options;
    if (!gateway) return;
    const state = gateway.state;
    if (state !== 'idle' && state !== 'closed' && state !== 'connecting') return;
    if (state !== 'connecting' && clock.now() - this.gatewayFailedAt < GATEWAY_RETRY_MS) return;
    // Not the job's signal: one job giving up must not tear down the shared connection.
    const connecting = gateway.connect(this.options.life).then(
      () => undefined,
      (error: unknown) => {
        this.gatewayFailedAt = clock.now();
        this.options.debug(`gateway unavailable, watching by polling: ${(error as Error).message}`);
      },
    );
    await raceSignal(connecting, signal);
  }

  private lookupUser(signal: AbortSignal | undefined): Promise<Snowflake> {
    this.lookup ??= this.options.api
      .getCurrentUser()
      .then((user: unknown) => {
        // RestClient has checked it already; any other DiscordApi is checked here. A 200 whose
        // body was cut short must not leave us without an id: correlation would then match
        // nothing, and every job would end "not seen" although it ran.
        const decoded = decodeWith(decodeUser, user);
        if (!decoded.ok) {
          throw new DiscordProtocolError(
            { method: 'GET', route: '/users/@me', attempts: 1 },
            200,
            decoded.problem,
            '',
          );
        }
        this.known = decoded.value.id;
        return decoded.value.id;
      })
      .catch((error: unknown) => {
        // The next job asks again.
        this.lookup = undefined;
        throw error;
      });
    return raceSignal(this.lookup, signal);
  }
}

/** Waits for `promise`, or rejects as soon as `signal` aborts (the promise itself goes on). */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
