/**
 * `GET /v1/events`: Server-Sent Events for every job of the caller's API key, as they change (the
 * dashboard's live list). The stream opens with `ready` (`{at}`), then sends each change with the
 * same event names and job view as `/v1/jobs/:id/events` (`status`, `progress`, `notice`,
 * `completed`, `failed`, `cancelled`). It never ends on its own: the client leaving or the service
 * shutting down closes it. A comment line every 15 s keeps proxies from timing it out. Jobs are
 * not replayed: a client lists `/v1/jobs` after `ready` to learn what happened before.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { JobRecord } from '../jobs/job.js';
import type { JobEventHub } from './sse.js';
import { openEventStream, writeEvent } from './sse.js';

export interface ClientStreamOptions {
  hub: JobEventHub;
  view: (job: JobRecord) => unknown;
  heartbeatMs?: number;
  shutdown: AbortSignal;
  now: () => number;
}

export function streamClientEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  options: ClientStreamOptions,
): void {
  const stream = openEventStream(request, reply, {
    heartbeatMs: options.heartbeatMs,
    shutdown: options.shutdown,
    onEnd: () => unsubscribe(),
  });
  // Runs inside the runner's change announcement: a failure ends this stream, nothing else.
  const unsubscribe = options.hub.subscribeClient(request.clientId, (job, type) =>
    stream.send(type, () => options.view(job)),
  );
  const raw = stream.raw;
  raw.write('retry: 3000\n\n');
  writeEvent(raw, 'ready', { at: new Date(options.now()).toISOString() });
}
