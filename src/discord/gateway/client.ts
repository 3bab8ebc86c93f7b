import { EventEmitter } from 'eventemitter3';
import { jitter } from '../../util/clock.js';
import { closeAction, describeCloseCode, RESUMABLE_CLIENT_CLOSE_CODE } from './close-codes.js';
import { type ConnectionHooks, connectFailed, GatewayConnection } from './connection.js';
import { decodeDispatchData } from './dispatch-decoders.js';
import { GatewayError, type GatewayPhase } from './errors.js';
import type { GatewayClientEvents, GatewayDispatch, GatewayState, GatewayStats } from './events.js';
import { type GatewayClientInit, type GatewayClientOptions, resolveGatewayClientOptions } from './options.js';
import { identifyPayload, resumePayload } from './payloads.js';
import {
  GatewayCloseCode,
  type GatewayDispatchMap,
  type GatewayDispatchName,
  GatewayOpcode,
  type GatewayPayload,
  type HelloData,
  type ReadyData,
} from './protocol.js';
import { reconnectDelay } from './reconnect-policy.js';
import { buildResumeUrl } from './resume-url.js';

const KNOWN_DISPATCHES: ReadonlySet<string> = new Set<keyof GatewayDispatchMap>([
  'READY',
  'RESUMED',
  'MESSAGE_CREATE',
  'MESSAGE_UPDATE',
  'MESSAGE_DELETE',
  'INTERACTION_CREATE',
  'INTERACTION_SUCCESS',
  'INTERACTION_FAILURE',
  'INTERACTION_MODAL_CREATE',
  'INTERACTION_IFRAME_MODAL_CREATE',
]);

interface Session {
  id: string;
  resumeUrl: string;
}

interface PendingConnect {
  promise: Promise<ReadyData>;
  resolve(data: ReadyData): void;
  reject(error: unknown): void;
}

/**
 * A Discord gateway client for a user account: HELLO, IDENTIFY or RESUME, heartbeats with
 * zombie detection, and automatic resume after drops once the session has been ready.
 * https://discord.com/developers/docs/events/gateway
 *
 * `connect()` resolves on the first READY (or RESUMED) and rejects if that first attempt fails,
 * so the caller chooses its fallback (polling) at once. After that the client keeps itself
 * connected and reports through events; `fatal` marks the end.
 */
export class GatewayClient extends EventEmitter<GatewayClientEvents> {
  readonly #o: GatewayClientOptions;
  #state: GatewayState = 'idle';
  #session: Session | null = null;
  #seq: number | null = null;
  #ready: ReadyData | null = null;
  #conn: GatewayConnection | null = null;
  #replayed = 0;
  #retiring = new Set<Promise<void>>();
  #life: AbortController | null = null;
  #attempt = 0;
  #pending: PendingConnect | null = null;
  readonly #stats: GatewayStats = {
    connects: 0,
    identifies: 0,
    resumes: 0,
    reconnects: 0,
    sessionsInvalidated: 0,
    heartbeats: 0,
    heartbeatAcks: 0,
    lastLatencyMs: null,
  };

  constructor(options: GatewayClientInit) {
    super();
    this.#o = resolveGatewayClientOptions(options);
  }

  get state(): GatewayState {
    return this.#state;
  }

  /** The current session's id (goes into `/imagine` interactions); null without a session. */
  get sessionId(): string | null {
    return this.#session?.id ?? null;
  }

  /** The last sequence number received; sent with heartbeats and RESUME. */
  get sequence(): number | null {
    return this.#seq;
  }

  /** The READY of the current session. */
  get readyData(): ReadyData | null {
    return this.#session ? this.#ready : null;
  }

  stats(): GatewayStats {
    return { ...this.#stats };
  }

  /**
   * Opens the gateway and resolves with READY (or, when a session survived an earlier
   * `fatal` from exhausted reconnects, after RESUMED). Rejects with a GatewayError when the first
   * attempt fails (GATEWAY_AUTH_FAILED on 4004, GATEWAY_TIMEOUT, GATEWAY_CONNECT_FAILED,
   * GATEWAY_CLOSED) and with the signal's reason on abort; either way the client ends `closed`.
   */
  connect(signal?: AbortSignal): Promise<ReadyData> {
    if (this.#pending) return this.#pending.promise;
    if (this.#state !== 'idle' && this.#state !== 'closed') {
      return Promise.reject(
        new GatewayError('GATEWAY_INVALID_USE', `connect() called while ${this.#state}; close() first`),
      );
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    let resolve!: (data: ReadyData) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<ReadyData>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.#pending = { promise, resolve, reject };
    this.#life = new AbortController();
    this.#attempt = 0;
    const onAbort = (): void => void this.#shutdown(1_000, signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const settled = (): void => signal?.removeEventListener('abort', onAbort);
    promise.then(settled, settled);
    this.#setState('connecting');
    this.#open();
    return promise;
  }

  /**
   * Closes with code 1000 (which ends the session on Discord's side), stops every timer and
   * never reconnects. Resolves once the sockets are closed. A pending `connect()` rejects.
   */
  close(): Promise<void> {
    return this.#shutdown(1_000, undefined);
  }

  async #shutdown(code: number, reason: unknown): Promise<void> {
    if (this.#state !== 'closed' && this.#state !== 'idle') {
      this.#debug(`closing with ${code}; no reconnect`);
      this.#session = null;
      this.#seq = null;
      const rejection =
        reason ??
        new GatewayError('GATEWAY_CLOSED', 'close() was called before the gateway was ready', {
          retryable: false,
        });
      this.#end(code, rejection, false);
    }
    await Promise.all(this.#retiring);
  }

  /** Terminal: state `closed`; the pending connect() rejects, or else `fatal` is emitted if asked. */
  #end(code: number, error: unknown, fatal: boolean): void {
    this.#life?.abort();
    this.#life = null;
    if (this.#conn) this.#retire(this.#conn, code);
    this.#setState('closed');
    const pending = this.#pending;
    this.#pending = null;
    if (pending) pending.reject(error);
    else if (fatal && error instanceof GatewayError) this.emit('fatal', error);
  }

  #open(): void {
    const resume = this.#session !== null && this.#seq !== null;
    const url = resume && this.#session ? this.#session.resumeUrl : this.#o.url;
    this.#debug(`opening ${url} to ${resume ? `resume at seq ${this.#seq}` : 'identify'}`);
    try {
      const conn: GatewayConnection = new GatewayConnection(
        url,
        this.#o,
        this.#hooks(() => conn),
        () => this.#seq,
      );
      this.#conn = conn;
      this.#stats.connects++;
    } catch (error) {
      this.#failed(connectFailed(error));
    }
  }

  #hooks(conn: () => GatewayConnection): ConnectionHooks {
    // Every hook checks it still belongs to the current connection: a late frame or timer of a
    // replaced socket must not drive the session.
    const current = (): boolean => this.#conn === conn();
    return {
      payload: (payload) => current() && this.#onPayload(conn(), payload),
      closed: (code, reason, error) => current() && this.#onClose(code, reason, error),
      timeout: (phase, ms) => current() && this.#onTimeout(phase, ms),
      zombie: () => current() && this.#drop('no heartbeat ACK before the next beat (zombie)', 'resume'),
      problem: (error) => {
        this.#debug(error.message);
        this.emit('error', error);
      },
      heartbeatSent: () => {
        this.#stats.heartbeats++;
      },
      heartbeatAcked: (latencyMs) => {
        this.#stats.heartbeatAcks++;
        this.#stats.lastLatencyMs = latencyMs;
        this.emit('heartbeat', latencyMs);
      },
    };
  }

  #onPayload(conn: GatewayConnection, payload: GatewayPayload): void {
    switch (payload.op) {
      case GatewayOpcode.Hello:
        this.#onHello(conn, payload.d as HelloData | null);
        break;
      case GatewayOpcode.Dispatch:
        this.#onDispatch(conn, payload);
        break;
      case GatewayOpcode.Reconnect:
        this.#drop('Discord asked to reconnect (op 7)', 'resume');
        break;
      case GatewayOpcode.InvalidSession:
        this.#onInvalidSession(conn, payload.d === true);
        break;
      case GatewayOpcode.Heartbeat:
      case GatewayOpcode.HeartbeatAck:
        break; // The connection answered already.
      default:
        this.#debug(`ignoring op ${payload.op}`);
    }
  }

  #onHello(conn: GatewayConnection, data: HelloData | null): void {
    const interval = data?.heartbeat_interval;
    if (typeof interval !== 'number' || !(interval > 0)) {
      this.emit(
        'error',
        new GatewayError('GATEWAY_DECODE_FAILED', 'HELLO without a positive heartbeat_interval'),
      );
      this.#drop('bad HELLO', 'resume');
      return;
    }
    this.#debug(`HELLO: heartbeat every ${interval} ms`);
    conn.startHeartbeat(interval);
    if (this.#session && this.#seq !== null) this.#resume(conn, this.#session);
    else this.#identify(conn);
  }

  #identify(conn: GatewayConnection): void {
    this.#setState('identifying');
    conn.send(identifyPayload(this.#o.token, this.#o.identify));
    this.#stats.identifies++;
    this.#debug('sent IDENTIFY');
    conn.arm('ready', this.#o.readyTimeoutMs);
  }

  #resume(conn: GatewayConnection, session: Session): void {
    const seq = this.#seq ?? 0;
    this.#setState('resuming');
    this.#replayed = 0;
    conn.send(resumePayload(this.#o.token, session.id, seq));
    this.#debug(`sent RESUME for session ${session.id} at seq ${seq}`);
    conn.arm('ready', this.#o.readyTimeoutMs);
  }

  #onDispatch(conn: GatewayConnection, payload: GatewayPayload): void {
    const name = payload.t;
    if (name === null) {
      this.#debug('dispatch without a name ignored');
      return;
    }
    if (payload.s !== null) this.#seq = payload.s;
    const seq = payload.s ?? this.#seq ?? 0;
    if (name === 'READY') {
      const data = payload.d as ReadyData;
      if (typeof data?.session_id !== 'string' || data.session_id.length === 0) {
        this.emit('error', new GatewayError('GATEWAY_DECODE_FAILED', 'READY without a session_id'));
        this.#drop('bad READY', 'identify');
        return;
      }
      this.#session = {
        id: data.session_id,
        resumeUrl: buildResumeUrl(data.resume_gateway_url, this.#o.url),
      };
      this.#ready = data;
    } else if (this.#state === 'resuming' && name !== 'RESUMED') {
      this.#replayed++;
    }
    this.emit('rawDispatch', name, payload.d, seq);
    if (KNOWN_DISPATCHES.has(name)) this.#emitDispatch(name as GatewayDispatchName, payload.d, seq);
    if (name === 'READY' || name === 'RESUMED') this.#becomeReady(conn, name);
  }

  /** Emits a known dispatch once its data has the shape the listeners rely on; reports it otherwise. */
  #emitDispatch(name: GatewayDispatchName, data: unknown, seq: number): void {
    const decoded = decodeDispatchData(name, data);
    if (!decoded.ok) {
      this.emit('error', new GatewayError('GATEWAY_DECODE_FAILED', `${name} skipped: ${decoded.problem}`));
      return;
    }
    this.emit('dispatch', { name, data: decoded.value, seq } as GatewayDispatch);
  }

  #becomeReady(conn: GatewayConnection, how: 'READY' | 'RESUMED'): void {
    conn.disarm();
    this.#attempt = 0;
    this.#setState('ready');
    const ready = this.#ready;
    if (how === 'READY') {
      this.#debug(`READY: session ${this.#session?.id}`);
      if (ready) this.emit('ready', ready);
    } else {
      this.#stats.resumes++;
      this.#debug(`RESUMED after ${this.#replayed} replayed dispatches`);
      this.emit('resumed', { replayed: this.#replayed });
    }
    const pending = this.#pending;
    this.#pending = null;
    if (pending && ready) pending.resolve(ready);
  }

  #onInvalidSession(conn: GatewayConnection, resumable: boolean): void {
    this.#debug(`INVALID_SESSION (resumable: ${resumable})`);
    if (resumable && this.#session && this.#seq !== null) {
      this.#resume(conn, this.#session);
      return;
    }
    // Discord: wait a random 1-5 s, then identify anew on a fresh connection.
    const [min, max] = this.#o.invalidSessionDelayMs;
    this.#drop('INVALID_SESSION', 'identify', jitter(min, max, this.#o.random));
  }

  #onClose(code: number, reason: string, error: unknown): void {
    const conn = this.#conn;
    if (conn) this.#retire(conn, code);
    const action = closeAction(code);
    const why = `closed by the gateway: ${describeCloseCode(code)}${reason ? ` (${reason})` : ''}`;
    this.#debug(why);
    if (action === 'fatal') {
      this.#session = null;
      this.#seq = null;
      const errorCode =
        code === GatewayCloseCode.AuthenticationFailed ? 'GATEWAY_AUTH_FAILED' : 'GATEWAY_CLOSED';
      this.#end(code, new GatewayError(errorCode, why, { closeCode: code, retryable: false }), true);
      return;
    }
    if (this.#pending && error !== undefined) {
      const detail = error instanceof Error ? `: ${error.message}` : '';
      this.#failed(
        new GatewayError('GATEWAY_CONNECT_FAILED', `socket error before READY${detail}`, {
          cause: error,
          closeCode: code,
          retryable: true,
        }),
      );
      return;
    }
    if (this.#pending) {
      this.#failed(new GatewayError('GATEWAY_CLOSED', why, { closeCode: code, retryable: true }));
      return;
    }
    if (error !== undefined) {
      this.emit(
        'error',
        new GatewayError('GATEWAY_CLOSED', why, { cause: error, closeCode: code, retryable: true }),
      );
    }
    this.#reconnect(why, action);
  }

  #onTimeout(phase: GatewayPhase, ms: number): void {
    const what = { open: 'socket open', hello: 'HELLO', ready: 'READY / RESUMED' }[phase];
    const error = new GatewayError('GATEWAY_TIMEOUT', `no ${what} within ${ms} ms`, {
      phase,
      retryable: true,
    });
    if (this.#pending) {
      this.#failed(error);
      return;
    }
    this.emit('error', error);
    this.#drop(error.message, 'resume');
  }

  /** A failure before the first READY: connect() rejects, nothing is retried. */
  #failed(error: GatewayError): void {
    this.#debug(error.message);
    if (this.#pending) this.#end(RESUMABLE_CLIENT_CLOSE_CODE, error, true);
    else this.#reconnect(error.message, 'resume');
  }

  /** We end the connection ourselves (zombie, op 7, invalid session) and reconnect. */
  #drop(reason: string, action: 'resume' | 'identify', delayMs?: number): void {
    this.#debug(`dropping the connection: ${reason}`);
    if (this.#conn) this.#retire(this.#conn, RESUMABLE_CLIENT_CLOSE_CODE);
    this.#reconnect(reason, action, delayMs);
  }

  #reconnect(reason: string, action: 'resume' | 'identify', delayMs?: number): void {
    const life = this.#life;
    if (!life) return;
    if (action === 'identify' || this.#seq === null) this.#invalidateSession(reason);
    this.#attempt++;
    const { reconnect, random, clock } = this.#o;
    if (this.#attempt > reconnect.maxAttempts) {
      const attempts = this.#attempt - 1;
      const error = new GatewayError(
        'GATEWAY_RECONNECT_EXHAUSTED',
        `gave up after ${attempts} reconnect attempts: ${reason}`,
        { attempts, retryable: true },
      );
      this.#end(RESUMABLE_CLIENT_CLOSE_CODE, error, true);
      return;
    }
    this.#stats.reconnects++;
    const delay = delayMs ?? reconnectDelay(this.#attempt, reconnect, random);
    const resume = this.#session !== null;
    this.#setState('reconnecting');
    this.#debug(
      `reconnect attempt ${this.#attempt} in ${Math.round(delay)} ms to ${resume ? 'resume' : 'identify'}`,
    );
    this.emit('reconnecting', { attempt: this.#attempt, delayMs: delay, resume, reason });
    clock.sleep(delay, life.signal).then(
      () => this.#life === life && this.#open(),
      () => {
        // close() or fatal during the wait.
      },
    );
  }

  #invalidateSession(reason: string): void {
    if (!this.#session) return;
    this.#session = null;
    this.#seq = null;
    this.#stats.sessionsInvalidated++;
    this.emit('sessionInvalidated', reason);
  }

  #retire(conn: GatewayConnection, code: number): void {
    if (this.#conn === conn) this.#conn = null;
    const closing = conn.retire(code);
    this.#retiring.add(closing);
    void closing.then(() => this.#retiring.delete(closing));
  }

  #setState(next: GatewayState): void {
    const previous = this.#state;
    if (previous === next) return;
    this.#state = next;
    this.emit('state', next, previous);
  }

  #debug(message: string): void {
    if (this.listenerCount('debug') > 0) this.emit('debug', message);
  }
}
