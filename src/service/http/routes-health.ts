/**
 * The health routes, none of which needs a key:
 * - `GET /livez`: the process is alive and serving HTTP. Always 200 `{status: "ok"}`; nothing
 *   is checked, so a busy Discord never gets a healthy process restarted.
 * - `GET /readyz`: ready to take jobs: the store answers, the circuit is not open, Discord is
 *   reachable with a valid token (the cached check of /health). 200 `{status: "ready"}` or 503
 *   `{status: "unavailable"}`; `problems` and the checks only for a valid key.
 * - `GET /health`: the existing contract, 200 or 503; the whole report (Discord user, channel,
 *   limiter and client-limit stats, problems) only for a valid key, else `{status}` alone.
 * Without configured keys (loopback only) every caller counts as authenticated.
 */
import type { FastifyRequest } from 'fastify';
import type { HealthReport, HealthReporter } from '../health-reporter.js';
import { OPS_TAG } from './answer-schemas.js';
import type { ApiKeyAuthenticator } from './api-keys.js';
import type { ServiceApp } from './service-app.js';

export interface HealthRouteOptions {
  health: HealthReporter;
  auth: ApiKeyAuthenticator;
}

/** What /readyz shows a caller with a key: the facts behind the verdict, no names or ids. */
function readinessDetails(report: HealthReport) {
  return {
    problems: report.problems,
    store: { ok: report.store.ok },
    circuit: { state: report.circuit.state, retryAfterMs: report.circuit.retryAfterMs },
    discord:
      report.discord === null
        ? null
        : { reachable: report.discord.reachable, tokenValid: report.discord.tokenValid },
  };
}

/** A public health route's schema: the short answer anyone gets, more with a key. */
const healthSchema = (summary: string, codes: Record<number, readonly [string, string]>) => ({
  summary,
  tags: [OPS_TAG],
  security: [],
  response: Object.fromEntries(
    Object.entries(codes).map(([code, [description, status]]) => [
      code,
      {
        description,
        type: 'object',
        required: ['status'],
        additionalProperties: true,
        properties: { status: { type: 'string' } },
        examples: [{ status }],
      },
    ]),
  ),
});

export function registerHealthRoutes(app: ServiceApp, options: HealthRouteOptions): void {
  const { health, auth } = options;
  const authorized = (request: FastifyRequest): boolean => auth.identify(request.headers) !== undefined;

  app.get(
    '/livez',
    { schema: healthSchema('The process serves HTTP', { 200: ['Alive', 'ok'] }) },
    async () => ({
      status: 'ok',
    }),
  );

  const readySchema = healthSchema('Ready to take jobs (the details with a key)', {
    200: ['Ready', 'ready'],
    503: ['Not ready: store, circuit or Discord', 'unavailable'],
  });
  app.get('/readyz', { schema: readySchema }, async (request, reply) => {
    const report = await health.report();
    const ready = report.status === 'ok';
    void reply.code(ready ? 200 : 503);
    const status = ready ? 'ready' : 'unavailable';
    return authorized(request) ? { status, ...readinessDetails(report) } : { status };
  });

  const healthReport = healthSchema('The health report (in full with a key)', {
    200: ['Healthy', 'ok'],
    503: ['Degraded: a problem is listed', 'degraded'],
  });
  app.get('/health', { schema: healthReport }, async (request, reply) => {
    const report = await health.report();
    void reply.code(report.status === 'ok' ? 200 : 503);
    return authorized(request) ? report : { status: report.status };
  });
}
