/**
 * Health and metrics sources for a service on an AccountPool: every account's token is checked
 * (one refused token disables that account, not the service: only when every token is refused does
 * the Discord check say so), the limiters' events all feed the Discord metrics, and the slots are
 * the pool's.
 */
import type { AccountPool } from '../accounts/account-pool.js';
import type { GatewayClient } from '../discord/gateway/index.js';
import type { RestClient } from '../discord/rest/index.js';
import type { DiscordStatus, DiscordTelemetry, ServiceProbe } from './health.js';
import { checkDiscord, limiterSummary } from './midjourney-probe.js';

export interface PoolTransports {
  rest: RestClient;
  gateway: GatewayClient | undefined;
}

export function poolProbe(
  pool: AccountPool,
  transports: ReadonlyMap<string, PoolTransports>,
): { probe: ServiceProbe; telemetry: DiscordTelemetry } {
  const probe: ServiceProbe = {
    checkDiscord: async (signal) => {
      const entries = [...transports];
      const statuses = await Promise.all(entries.map(([, t]) => checkDiscord(t.rest, signal)));
      const lines: string[] = [];
      statuses.forEach((status: DiscordStatus, i) => {
        const id = entries[i]?.[0] as string;
        if (status.tokenValid === false && pool.account(id)?.state === 'enabled') {
          pool.disable(id, 'token-invalid', status.error ?? 'Discord refused the token (401)');
        }
        if (status.error !== undefined) lines.push(`${id}: ${status.error}`);
      });
      const valid = statuses.map((s) => s.tokenValid);
      const result: DiscordStatus = {
        reachable: statuses.some((s) => s.reachable),
        tokenValid: valid.some((v) => v === true) ? true : valid.every((v) => v === false) ? false : null,
      };
      const latencies = statuses.flatMap((s) => (s.latencyMs === undefined ? [] : [s.latencyMs]));
      if (latencies.length > 0) result.latencyMs = Math.max(...latencies);
      const users = statuses.flatMap((s, i) =>
        s.user === undefined ? [] : [`${entries[i]?.[0]}:${s.user}`],
      );
      if (users.length > 0) result.user = users.join(', ');
      if (lines.length > 0) result.error = lines.join('; ');
      return result;
    },
    rateLimiter: () => ({
      accounts: Object.fromEntries([...transports].map(([id, t]) => [id, limiterSummary(t.rest)])),
    }),
    gateway: () => {
      const states = Object.fromEntries(
        [...transports].map(([id, t]) => [id, t.gateway ? t.gateway.state : 'disabled']),
      );
      const distinct = new Set(Object.values(states));
      const state = distinct.size === 1 ? ([...distinct][0] as string) : 'mixed';
      return { state, accounts: states };
    },
    slots: () => {
      const views = pool.accounts().filter((a) => a.state === 'enabled');
      return {
        inUse: views.reduce((n, a) => n + a.slots.busy, 0),
        limit: views.reduce((n, a) => n + a.slots.total, 0),
        queueDepth: pool.waiting,
      };
    },
  };
  const telemetry: DiscordTelemetry = (sink) => {
    const undo = [...transports.values()].map(({ rest }) => {
      const onResponse = (e: { route: string; status: number }): void => sink.response(e.route, e.status);
      const onRateLimited = (e: { scope: string }): void => sink.rateLimited(e.scope);
      const onRetry = (e: { route: string }): void => sink.retry(e.route);
      rest.limiter.on('response', onResponse);
      rest.limiter.on('rateLimited', onRateLimited);
      rest.limiter.on('retry', onRetry);
      return () => {
        rest.limiter.off('response', onResponse);
        rest.limiter.off('rateLimited', onRateLimited);
        rest.limiter.off('retry', onRetry);
      };
    });
    return () => {
      for (const u of undo) u();
    };
  };
  return { probe, telemetry };
}
