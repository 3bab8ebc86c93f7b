import type { GatewayError } from './errors.js';
import type { GatewayDispatchMap, GatewayDispatchName, ReadyData } from './protocol.js';

/**
 * - `idle`: never connected; `connecting`: the first socket is opening;
 * - `identifying` / `resuming`: HELLO received, IDENTIFY / RESUME sent, waiting for READY / RESUMED;
 * - `ready`: dispatches flow; `reconnecting`: dropped, waiting out the backoff or a new socket's HELLO;
 * - `closed`: `close()`, a fatal close code, a failed first connect, or reconnects exhausted.
 */
export type GatewayState =
  | 'idle'
  | 'connecting'
  | 'identifying'
  | 'resuming'
  | 'ready'
  | 'reconnecting'
  | 'closed';

/**
 * One known dispatch. Discriminated on `name`, so `if (e.name === 'MESSAGE_CREATE')` narrows
 * `data` to `APIMessage`. Dispatches outside `GatewayDispatchMap` (a user account receives
 * dozens) go to the untyped `rawDispatch` event only.
 */
export type GatewayDispatch = {
  [K in GatewayDispatchName]: { name: K; data: GatewayDispatchMap[K]; seq: number };
}[GatewayDispatchName];

export interface ReconnectInfo {
  /** 1-based attempt since the last READY / RESUMED. */
  attempt: number;
  /** The wait before the new socket opens. */
  delayMs: number;
  /** Whether the new connection will RESUME (true) or IDENTIFY anew (false). */
  resume: boolean;
  /** Why the previous connection ended. */
  reason: string;
}

export interface GatewayStats {
  /** Sockets opened. */
  connects: number;
  /** IDENTIFY payloads sent (new sessions asked for). */
  identifies: number;
  /** RESUMED received (sessions recovered after a drop). */
  resumes: number;
  /** Reconnects scheduled after a drop, op 7, a zombie or INVALID_SESSION. */
  reconnects: number;
  /** Sessions lost (INVALID_SESSION false, a new-session close code): events in between were missed. */
  sessionsInvalidated: number;
  heartbeats: number;
  heartbeatAcks: number;
  /** Time from the last acknowledged heartbeat to its ACK; null before the first ACK. */
  lastLatencyMs: number | null;
}

export interface GatewayClientEvents {
  /** A new session: READY received. Emitted again after each fresh IDENTIFY (new `session_id`). */
  ready: [data: ReadyData];
  /** The session was resumed; `replayed` dispatches were re-sent by Discord before RESUMED. */
  resumed: [info: { replayed: number }];
  /** A known dispatch, typed by name (READY and RESUMED included). */
  dispatch: [event: GatewayDispatch];
  /** Every dispatch, known or not, as Discord sent it. */
  rawDispatch: [name: string, data: unknown, seq: number];
  state: [state: GatewayState, previous: GatewayState];
  /** A heartbeat was acknowledged after `latencyMs`. */
  heartbeat: [latencyMs: number];
  reconnecting: [info: ReconnectInfo];
  /**
   * The session is gone and a new one will be identified: dispatches sent meanwhile are lost, so
   * a watcher should catch up another way (poll the channel).
   */
  sessionInvalidated: [reason: string];
  /** A problem the client recovers from by itself (timeout, socket error, undecodable frame). */
  error: [error: GatewayError];
  /**
   * The client stopped for good after having been ready (fatal close code such as 4004, or
   * reconnects exhausted); state is `closed`. Before the first READY, `connect()` rejects instead.
   */
  fatal: [error: GatewayError];
  debug: [message: string];
}
