/**
 * Server-Sent Events for one job (https://html.spec.whatwg.org/multipage/server-sent-events.html).
 * On connect the current state is sent (`state`), then each change as it happens (`status`,
 * `progress`, `notice`), then the outcome (`completed`, `failed` or `cancelled`), and the stream
 * closes. A comment line every 15 s keeps proxies from timing the stream out.
 */
import type { ServerResponse } from 'node:http';
import type { EventEmitter } from 'eventemitter3';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isTerminal, type JobRecord } from '../jobs/job.js';
import type { JobEventType, JobRunnerEvents } from '../runner/job-runner.js';

type Listener = (job: JobRecord, type: JobEventType) => void;

/**
 * Routes runner changes to the listeners of one job id, and to those of every job of one API key
 * (the dashboard's stream), without a broadcast per change.
 */
export class JobEventHub {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly clientListeners = new Map<string, Set<Listener>>();
  private readonly onChange: Listener = (job, type) => {
    const set = this.listeners.get(job.id);
    if (set) for (const listener of [...set]) listener(job, type);
    const clients = this.clientListeners.get(job.clientId);
    if (clients) for (const listener of [...clients]) listener(job, type);
  };

  /** `runner`: a JobRunner, or in a cluster the feed of every node's changes. */
  constructor(private readonly runner: EventEmitter<JobRunnerEvents>) {
    runner.on('change', this.onChange);
  }

  subscribe(jobId: string, listener: Listener): () => void {
    return addListener(this.listeners, jobId, listener);
  }

  /** Every change of every job `clientId` owns. */
  subscribeClient(clientId: string, listener: Listener): () => void {
    return addListener(this.clientListeners, clientId, listener);
  }

  get subscribers(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    for (const set of this.clientListeners.values()) n += set.size;
    return n;
  }

  close(): void {
    this.runner.off('change', this.onChange);
    this.listeners.clear();
    this.clientListeners.clear();
  }
}

function addListener(map: Map<string, Set<Listener>>, key: string, listener: Listener): () => void {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  set.add(listener);
  return () => {
    set.delete(listener);
    if (set.size === 0) map.delete(key);
  };
}

const TERMINAL_EVENT: Record<string, JobEventType> = {
  succeeded: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

export function writeEvent(raw: ServerResponse, event: string, data: unknown, id?: number): void {
  raw.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** An event stream taken over from a reply (see `openEventStream`). */
export interface EventStream {
  readonly raw: ServerResponse;
  readonly ended: boolean;
  /** Writes one event of `data()` with the next id; a failure ends the stream (logged with `context`). */
  send(event: string, data: () => unknown, context?: Record<string, unknown>): void;
  /** Ends it once: stops the keep-alive, runs `onEnd`, closes the response. */
  end(): void;
}

/**
 * Takes over `reply` as a Server-Sent Events stream: the headers, a keep-alive comment every
 * `heartbeatMs`, and one ending when the client leaves, the socket errs or the service shuts down.
 * `onEnd` releases what the caller subscribed. The caller writes its first events itself.
 */
export function openEventStream(
  request: FastifyRequest,
  reply: FastifyReply,
  options: { heartbeatMs?: number | undefined; shutdown: AbortSignal; onEnd: () => void },
): EventStream {
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
    options.onEnd();
    options.shutdown.removeEventListener('abort', end);
    if (!raw.destroyed) raw.end();
  };
  request.raw.on('close', end);
  // A write to a socket the client closed emits `error`; without a listener it would be thrown.
  raw.on('error', end);
  options.shutdown.addEventListener('abort', end, { once: true });
  return {
    raw,
    get ended() {
      return ended;
    },
    send(event, data, context) {
      if (ended) return;
      try {
        seq += 1;
        writeEvent(raw, event, data(), seq);
      } catch (error) {
        request.log.warn({ err: error, ...context }, 'event stream failed');
        end();
      }
    },
    end,
  };
}

export interface StreamOptions {
  hub: JobEventHub;
  /** Reads the job's current state (after subscribing, so no change can slip between). */
  load: () => Promise<JobRecord | undefined>;
  view: (job: JobRecord) => unknown;
  heartbeatMs?: number;
  /** Closed when the service shuts down, so open streams end. */
  shutdown: AbortSignal;
}

/** Streams `jobId`'s events on `reply` until the outcome, the client leaving, or shutdown. */
export async function streamJobEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  jobId: string,
  options: StreamOptions,
): Promise<void> {
  const backlog: [JobRecord, JobEventType][] = [];
  let live: Listener = (job, type) => backlog.push([job, type]);
  const unsubscribe = options.hub.subscribe(jobId, (job, type) => live(job, type));
  const initial = await options.load().catch((error: unknown) => {
    unsubscribe();
    throw error;
  });
  if (initial === undefined) {
    unsubscribe();
    return undefined;
  }
  const stream = openEventStream(request, reply, {
    heartbeatMs: options.heartbeatMs,
    shutdown: options.shutdown,
    onEnd: unsubscribe,
  });
  // Runs inside the runner's change announcement: a failure ends this stream, nothing else.
  const send = (job: JobRecord, type: JobEventType | 'state'): void => {
    stream.send(type, () => options.view(job), { jobId });
    if (!stream.ended && isTerminal(job.status) && type !== 'state') stream.end();
  };
  stream.raw.write('retry: 3000\n\n');
  send(initial, 'state');
  if (isTerminal(initial.status)) {
    send(initial, TERMINAL_EVENT[initial.status] ?? 'completed');
    return undefined;
  }
  for (const [job, type] of backlog) if (job.updatedAt >= initial.updatedAt) send(job, type);
  live = send;
}
