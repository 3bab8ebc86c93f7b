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
import { writeEvent } from './sse.js';

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
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let seq = 0;
  let ended = false;
  const heartbeat = setInterval(() => {
    if (!ended && raw.writable) raw.write(': keep-alive\n\n');
  }, options.heartbeatMs ?? 15_000);
  heartbeat.unref();
  const end = (): void => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    unsubscribe();
    options.shutdown.removeEventListener('abort', end);
    if (!raw.destroyed) raw.end();
  };
  // Runs inside the runner's change announcement: a failure ends this stream, nothing else.
  const unsubscribe = options.hub.subscribeClient(request.clientId, (job, type) => {
    if (ended) return;
    try {
      seq += 1;
      writeEvent(raw, type, options.view(job), seq);
    } catch (error) {
      request.log.warn({ err: error }, 'client event stream failed');
      end();
    }
  });
  request.raw.on('close', end);
  raw.on('error', end);
  options.shutdown.addEventListener('abort', end, { once: true });
  raw.write('retry: 3000\n\n');
  writeEvent(raw, 'ready', { at: new Date(options.now()).toISOString() });
}
