import type { RawData, WebSocket } from 'ws';
import { decodePayload } from './decode.js';
import { GatewayError, type GatewayPhase } from './errors.js';
import { Heartbeat } from './heartbeat.js';
import type { GatewayClientOptions } from './options.js';
import { GatewayOpcode, type GatewayPayload } from './protocol.js';

/** What one socket reports to the client. None is called once the connection is retired. */
export interface ConnectionHooks {
  payload(payload: GatewayPayload): void;
  /** The peer or the network closed the socket; `error` is the socket error seen before, if any. */
  closed(code: number, reason: string, error: unknown): void;
  timeout(phase: GatewayPhase, ms: number): void;
  zombie(): void;
  problem(error: GatewayError): void;
  heartbeatSent(): void;
  heartbeatAcked(latencyMs: number): void;
}

/**
 * One WebSocket to the gateway: its handshake deadlines, its heartbeat and its orderly end. The
 * session logic (identify, resume, reconnect) lives in GatewayClient; a connection only reports.
 */
export class GatewayConnection {
  readonly url: string;
  readonly #socket: WebSocket;
  readonly #options: GatewayClientOptions;
  readonly #hooks: ConnectionHooks;
  readonly #heartbeat: Heartbeat;
  #phase: AbortController | null = null;
  #lastError: unknown;
  #retired: Promise<void> | null = null;
  #heartbeatStarted = false;

  constructor(
    url: string,
    options: GatewayClientOptions,
    hooks: ConnectionHooks,
    sequence: () => number | null,
  ) {
    this.url = url;
    this.#options = options;
    this.#hooks = hooks;
    this.#heartbeat = new Heartbeat(options.clock, options.random, {
      beat: () => {
        this.send({ op: GatewayOpcode.Heartbeat, d: sequence(), s: null, t: null });
        hooks.heartbeatSent();
      },
      zombie: () => this.#live && hooks.zombie(),
      acked: (latencyMs) => hooks.heartbeatAcked(latencyMs),
    });
    this.#socket = new options.WebSocket(url, {
      handshakeTimeout: options.connectTimeoutMs,
      ...options.wsOptions,
    });
    this.arm('open', options.connectTimeoutMs);
    this.#socket.on('open', () => this.#live && this.arm('hello', options.helloTimeoutMs));
    this.#socket.on('message', (data: RawData) => this.#onMessage(data));
    // Always listened to: an 'error' without a listener would crash the process.
    this.#socket.on('error', (error: Error) => {
      this.#lastError = error;
    });
    this.#socket.on('close', (code: number, reason: Buffer) => {
      if (!this.#live) return;
      this.#stopTimers();
      this.#retired = Promise.resolve();
      this.#hooks.closed(code, reason.toString('utf8'), this.#lastError);
    });
  }

  get #live(): boolean {
    return this.#retired === null;
  }

  /** Sends when the socket is open; returns false otherwise (the payload is dropped). */
  send(payload: GatewayPayload): boolean {
    if (!this.#live || this.#socket.readyState !== this.#options.WebSocket.OPEN) return false;
    this.#socket.send(JSON.stringify({ op: payload.op, d: payload.d }));
    return true;
  }

  startHeartbeat(intervalMs: number): void {
    if (this.#heartbeatStarted) return;
    this.#heartbeatStarted = true;
    this.#heartbeat.start(intervalMs);
  }

  /** Discord requested a heartbeat (op 1). */
  beatNow(): void {
    if (this.#live) this.#heartbeat.beatNow();
  }

  ack(): void {
    this.#heartbeat.ack();
  }

  /** Starts the deadline of a handshake phase, replacing the previous one. */
  arm(phase: GatewayPhase, ms: number): void {
    this.disarm();
    const controller = new AbortController();
    this.#phase = controller;
    this.#options.clock.sleep(ms, controller.signal).then(
      () => this.#live && this.#phase === controller && this.#hooks.timeout(phase, ms),
      () => {
        // Disarmed: the phase completed in time.
      },
    );
  }

  disarm(): void {
    this.#phase?.abort();
    this.#phase = null;
  }

  /**
   * Ends the connection from our side: timers stop, hooks go quiet, the socket gets a close
   * frame with `code` and is destroyed if the close handshake takes longer than
   * `closeTimeoutMs` (a zombie peer never answers). Resolves once the socket is closed.
   */
  retire(code: number): Promise<void> {
    if (this.#retired) return this.#retired;
    this.#stopTimers();
    const socket = this.#socket;
    const { WebSocket: WS, clock, closeTimeoutMs } = this.#options;
    if (socket.readyState === WS.CLOSED) {
      this.#retired = Promise.resolve();
      return this.#retired;
    }
    this.#retired = new Promise<void>((resolve) => {
      const killer = new AbortController();
      socket.once('close', () => {
        killer.abort();
        resolve();
      });
      clock.sleep(closeTimeoutMs, killer.signal).then(
        () => socket.terminate(),
        () => {
          // Closed in time.
        },
      );
      if (socket.readyState === WS.OPEN) socket.close(code);
      // Still opening: there is no close handshake to wait for.
      else if (socket.readyState === WS.CONNECTING) socket.terminate();
    });
    return this.#retired;
  }

  #stopTimers(): void {
    this.disarm();
    this.#heartbeat.stop();
  }

  #onMessage(data: RawData): void {
    if (!this.#live) return;
    let payload: GatewayPayload;
    try {
      payload = decodePayload(data);
    } catch (error) {
      this.#hooks.problem(error as GatewayError);
      return;
    }
    if (payload.op === GatewayOpcode.HeartbeatAck) this.ack();
    else if (payload.op === GatewayOpcode.Heartbeat) this.beatNow();
    this.#hooks.payload(payload);
  }
}

/** A socket could not be built (bad URL from Discord, implementation refusing options). */
export function connectFailed(cause: unknown): GatewayError {
  return new GatewayError('GATEWAY_CONNECT_FAILED', 'could not open the gateway socket', {
    cause,
    retryable: true,
  });
}
