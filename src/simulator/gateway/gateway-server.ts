/**
 * The simulated gateway, as a user account sees it: HELLO, IDENTIFY -> READY, heartbeats and
 * ACKs, RESUME with replay, INVALID_SESSION, RECONNECT, and the dispatches the world sends.
 * https://discord.com/developers/docs/events/gateway
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import {
  type GatewayDispatchName,
  GatewayOpcode,
  type GatewayPayload,
  type ReadyData,
} from '../../discord/gateway/protocol.js';
import type { Snowflake } from '../../discord/types.js';
import type { Random } from '../../util/clock.js';
import type { FaultController } from '../faults/fault-controller.js';
import type { GatewayOptions } from '../options.js';
import type { ScaledClock } from '../sim-clock.js';
import type { UserDirectory } from '../users.js';
import { GatewayConnection } from './gateway-connection.js';
import type { GatewaySession } from './gateway-session.js';
import { SessionRegistry } from './session-registry.js';

/** Who receives a dispatch: every session, or the sessions of one user. */
export type DispatchTarget = 'all' | { userId: Snowflake };

export interface GatewayDependencies {
  users: UserDirectory;
  guildIds: readonly Snowflake[];
  /** The guild's text channels and their newest message ids, as a user's READY lists them. */
  guildChannels: () => { id: Snowflake; type: number; last_message_id: Snowflake | null }[];
  clock: ScaledClock;
  options: GatewayOptions;
  random: Random;
  faults: FaultController;
  /** `ws://host:port`, known once the server listens. */
  resumeUrl: () => string;
}

/** Ops a client may send; anything else closes with 4001. User clients send a few more than bots. */
const CLIENT_OPS = new Set([1, 2, 3, 4, 6, 8, 13, 14, 31, 34, 35, 36, 37]);
/** Grace given to a client after op 7 or a timed-out heartbeat, in simulated ms. */
const RECONNECT_GRACE_MS = 5_000;

export class GatewayServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  private readonly connections = new Set<GatewayConnection>();
  private readonly sessions: SessionRegistry;

  constructor(private readonly deps: GatewayDependencies) {
    this.sessions = new SessionRegistry(deps.clock, deps.options, deps.random);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Takes over an HTTP upgrade request. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const query = new URL(request.url ?? '/', 'ws://localhost').searchParams;
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const version = query.get('v');
      const encoding = query.get('encoding');
      if (version !== null && version !== '9' && version !== '10') ws.close(4012, 'Invalid API version.');
      else if (encoding !== null && encoding !== 'json') ws.close(4002, 'Error while decoding payload.');
      else this.accept(ws, version === '9' ? 9 : 10);
    });
  }

  /** Sends one dispatch to its target sessions (buffered for replay while they are away). */
  dispatch<T extends GatewayDispatchName>(target: DispatchTarget, t: T, d: unknown): void {
    const due = this.deps.faults.onDispatch();
    if (due?.kind === 'gateway-drop') this.drop(due.resumable ?? true, due.closeCode);
    if (due?.kind === 'gateway-reconnect') this.requestReconnect();
    for (const session of this.sessions.values()) {
      if (target === 'all' || session.user.user.id === target.userId) this.deliver(session, t, d);
    }
  }

  /**
   * Drops every connection. Resumable: closes with `closeCode` (default 4000) and keeps the
   * sessions; not resumable: INVALID_SESSION with `d: false` and the sessions are gone.
   * Returns how many connections were affected.
   */
  drop(resumable: boolean, closeCode = 4000): number {
    let affected = 0;
    for (const connection of [...this.connections]) {
      if (resumable) {
        connection.close(closeCode, 'Simulated drop');
        affected += 1;
      } else if (connection.session !== undefined) {
        this.sessions.invalidate(connection.session);
        connection.session = undefined;
        connection.send({ op: GatewayOpcode.InvalidSession, d: false, s: null, t: null });
        affected += 1;
      }
    }
    return affected;
  }

  /** Sends op 7 RECONNECT to every identified connection. */
  requestReconnect(): number {
    let affected = 0;
    for (const connection of this.connections) {
      if (connection.session === undefined) continue;
      connection.send({ op: GatewayOpcode.Reconnect, d: null, s: null, t: null });
      connection.closeUnlessGoneWithin(RECONNECT_GRACE_MS);
      affected += 1;
    }
    return affected;
  }

  async close(): Promise<void> {
    for (const connection of this.connections) {
      connection.stopTimers();
      connection.socket.terminate();
    }
    this.connections.clear();
    this.sessions.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(ws: WebSocket, apiVersion: 9 | 10): void {
    const connection = new GatewayConnection(ws, this.deps.clock, apiVersion);
    this.connections.add(connection);
    ws.on('error', () => {});
    ws.on('message', (raw) => this.onMessage(connection, raw));
    ws.on('close', (code) => this.onClose(connection, code));
    const interval = this.deps.options.heartbeatIntervalMs;
    // HELLO carries real milliseconds: the client's timers run on real time.
    connection.send({
      op: GatewayOpcode.Hello,
      d: { heartbeat_interval: Math.max(1, Math.round(this.deps.clock.toRealMs(interval))) },
      s: null,
      t: null,
    });
    this.expectHeartbeat(connection);
  }

  private expectHeartbeat(connection: GatewayConnection): void {
    // One interval plus half of one for jitter and latency, then the session is timed out.
    connection.expectHeartbeatWithin(this.deps.options.heartbeatIntervalMs * 1.5, () => {
      if (connection.session) this.sessions.invalidate(connection.session);
      connection.close(4009, 'Session timed out.');
    });
  }

  private onMessage(connection: GatewayConnection, raw: RawData): void {
    let payload: { op?: unknown; d?: unknown };
    try {
      payload = JSON.parse(raw.toString()) as { op?: unknown; d?: unknown };
    } catch {
      connection.close(4002, 'Error while decoding payload.');
      return;
    }
    const op = payload?.op;
    if (typeof op !== 'number' || !CLIENT_OPS.has(op)) {
      connection.close(4001, 'Unknown opcode.');
      return;
    }
    if (op === GatewayOpcode.Heartbeat) {
      this.expectHeartbeat(connection);
      if (!this.deps.faults.takeNoAck())
        connection.send({ op: GatewayOpcode.HeartbeatAck, d: null, s: null, t: null });
    } else if (op === GatewayOpcode.Identify) {
      this.identify(connection, payload.d);
    } else if (op === GatewayOpcode.Resume) {
      this.resume(connection, payload.d);
    } else if (connection.session === undefined) {
      connection.close(4003, 'Not authenticated.');
    }
    // Presence, voice, member requests and user-client ops are accepted and ignored.
  }

  private identify(connection: GatewayConnection, data: unknown): void {
    if (connection.session !== undefined) {
      connection.close(4005, 'Already authenticated.');
      return;
    }
    const user = this.deps.users.byToken((data as { token?: unknown } | null)?.token as string | undefined);
    if (user === undefined) {
      connection.close(4004, 'Authentication failed.');
      return;
    }
    const session = this.sessions.create(user);
    this.sessions.attach(connection, session);
    const ready: ReadyData & Record<string, unknown> = {
      // Discord answers in the version the connection asked for.
      v: connection.apiVersion,
      user: user.user,
      session_id: session.id,
      resume_gateway_url: this.deps.resumeUrl(),
      // User accounts get their guilds in full, channels with `last_message_id` included.
      guilds: this.deps.guildIds.map((id) => ({
        id,
        unavailable: false,
        channels: this.deps.guildChannels(),
      })),
      session_type: 'normal',
      private_channels: [],
      relationships: [],
    };
    this.deliver(session, 'READY', ready);
  }

  private resume(connection: GatewayConnection, data: unknown): void {
    if (connection.session !== undefined) {
      connection.close(4005, 'Already authenticated.');
      return;
    }
    const d = (data ?? {}) as { token?: unknown; session_id?: unknown; seq?: unknown };
    const user = this.deps.users.byToken(typeof d.token === 'string' ? d.token : undefined);
    if (user === undefined) {
      connection.close(4004, 'Authentication failed.');
      return;
    }
    const session = typeof d.session_id === 'string' ? this.sessions.get(d.session_id) : undefined;
    const replay =
      session && session.user.token === user.token && typeof d.seq === 'number'
        ? session.replayAfter(d.seq)
        : undefined;
    if (session === undefined || replay === undefined) {
      if (session) this.sessions.invalidate(session);
      connection.send({ op: GatewayOpcode.InvalidSession, d: false, s: null, t: null });
      return;
    }
    // A session lives on one socket: resuming elsewhere closes the old one.
    if (session.connection && session.connection !== connection)
      session.connection.close(4000, 'Session resumed elsewhere');
    this.sessions.attach(connection, session);
    for (const dispatch of replay) connection.send({ op: GatewayOpcode.Dispatch, ...dispatch });
    this.deliver(session, 'RESUMED', {});
  }

  private deliver(session: GatewaySession, t: string, d: unknown): void {
    const dispatch = session.push(t, d);
    session.connection?.send({ op: GatewayOpcode.Dispatch, ...dispatch } satisfies GatewayPayload);
  }

  private onClose(connection: GatewayConnection, code: number): void {
    connection.stopTimers();
    this.connections.delete(connection);
    this.sessions.detach(connection, code);
  }
}
