/**
 * A scripted Discord gateway on 127.0.0.1 for the client's tests: HELLO, IDENTIFY -> READY,
 * RESUME with replay -> RESUMED, heartbeat ACKs, and knobs to misbehave (no ACK, no HELLO,
 * INVALID_SESSION, op 7, close codes, dropped TCP). Behaves like Discord as documented, not like
 * the project simulator.
 */
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export const FAKE_TOKEN = 'mfa.fake-user-token-0123456789';

export interface Received {
  /** Index into `connections`. */
  connection: number;
  op: number;
  d: unknown;
  at: number;
}

export interface FakeConnection {
  socket: WebSocket;
  /** Path and query the client connected with. */
  path: string;
  sessionId: string | null;
  /** The code the connection closed with, once closed (1006 when the TCP link dropped). */
  closeCode: number | null;
  closed: Promise<number>;
}

interface Session {
  id: string;
  seq: number;
  events: { t: string; d: unknown; s: number }[];
  connection: FakeConnection | null;
}

export interface FakeGatewayOptions {
  heartbeatIntervalMs?: number;
}

export class FakeGateway {
  /** Sent in HELLO. Default 45 s: no beat within a short test unless a test lowers it. */
  heartbeatIntervalMs: number;
  /** Answer op 1 with op 11. */
  autoAck = true;
  /** Send HELLO on connection. */
  sendHello = true;
  /** Answer IDENTIFY with READY; false leaves the client waiting. */
  answerIdentify = true;
  /** Close code sent in answer to IDENTIFY instead of READY (e.g. 4004). */
  identifyCloseCode: number | null = null;
  readonly received: Received[] = [];
  readonly connections: FakeConnection[] = [];
  readonly sessions = new Map<string, Session>();
  readonly port: number;
  readonly #server: WebSocketServer;
  #sessionCounter = 0;
  #current: Session | null = null;
  #waiters: (() => void)[] = [];

  private constructor(server: WebSocketServer, options: FakeGatewayOptions) {
    this.#server = server;
    this.port = (server.address() as AddressInfo).port;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 45_000;
    server.on('connection', (socket, request) => this.#accept(socket, request.url ?? '/'));
  }

  static async start(options: FakeGatewayOptions = {}): Promise<FakeGateway> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    return new FakeGateway(server, options);
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/?v=10&encoding=json`;
  }

  /** What READY advertises: a bare URL on another path, as Discord's resume hosts are. */
  get resumeUrl(): string {
    return `ws://127.0.0.1:${this.port}/resume`;
  }

  /** The session of the last IDENTIFY. */
  get session(): Session | null {
    return this.#current;
  }

  /** The last connection opened. */
  get last(): FakeConnection {
    const conn = this.connections.at(-1);
    if (!conn) throw new Error('no connection yet');
    return conn;
  }

  /** Dispatches on the current session: sent now if its socket is open, else kept for replay. */
  dispatch(t: string, d: unknown): number {
    const session = this.#current;
    if (!session) throw new Error('no session to dispatch on');
    const s = ++session.seq;
    session.events.push({ t, d, s });
    const socket = session.connection?.socket;
    if (socket && socket.readyState === socket.OPEN) socket.send(JSON.stringify({ op: 0, t, d, s }));
    return s;
  }

  send(op: number, d: unknown, connection = this.last): void {
    connection.socket.send(JSON.stringify({ op, d, s: null, t: null }));
  }

  /** Drops the TCP link without a close frame: the client sees 1006. */
  drop(connection = this.last): void {
    connection.socket.terminate();
  }

  closeWith(code: number, connection = this.last): void {
    connection.socket.close(code);
  }

  /** Resolves once `predicate` holds; re-checked after every frame and connection. */
  async until(predicate: () => boolean, timeoutMs = 2_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`fake gateway: condition not met within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 20);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Client payloads with this op, in order. */
  sent(op: number): Received[] {
    return this.received.filter((r) => r.op === op);
  }

  async close(): Promise<void> {
    for (const conn of this.connections) conn.socket.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  #accept(socket: WebSocket, path: string): void {
    let resolveClosed!: (code: number) => void;
    const conn: FakeConnection = {
      socket,
      path,
      sessionId: null,
      closeCode: null,
      closed: new Promise((resolve) => {
        resolveClosed = resolve;
      }),
    };
    const index = this.connections.push(conn) - 1;
    socket.on('close', (code) => {
      conn.closeCode = code;
      resolveClosed(code);
      this.#notify();
    });
    socket.on('message', (raw) => {
      const payload = JSON.parse(raw.toString()) as { op: number; d: unknown };
      this.received.push({ connection: index, op: payload.op, d: payload.d, at: Date.now() });
      this.#handle(conn, payload);
      this.#notify();
    });
    if (this.sendHello) this.send(10, { heartbeat_interval: this.heartbeatIntervalMs }, conn);
    this.#notify();
  }

  #handle(conn: FakeConnection, payload: { op: number; d: unknown }): void {
    const d = payload.d as Record<string, unknown>;
    switch (payload.op) {
      case 1:
        if (this.autoAck) this.send(11, null, conn);
        return;
      case 2: {
        if (d.token !== FAKE_TOKEN) {
          conn.socket.close(4004, 'Authentication failed.');
          return;
        }
        if (this.identifyCloseCode !== null) {
          conn.socket.close(this.identifyCloseCode);
          return;
        }
        if (!this.answerIdentify) return;
        const session: Session = {
          id: `session-${++this.#sessionCounter}`,
          seq: 0,
          events: [],
          connection: conn,
        };
        this.sessions.set(session.id, session);
        this.#current = session;
        conn.sessionId = session.id;
        const ready = {
          v: 10,
          user: { id: '100', username: 'tester', global_name: null, discriminator: '0', avatar: null },
          session_id: session.id,
          resume_gateway_url: this.resumeUrl,
          guilds: [],
        };
        this.dispatch('READY', ready);
        return;
      }
      case 6: {
        const session = this.sessions.get(String(d.session_id));
        if (d.token !== FAKE_TOKEN) {
          conn.socket.close(4004, 'Authentication failed.');
          return;
        }
        if (!session) {
          this.send(9, false, conn);
          return;
        }
        if (typeof d.seq !== 'number' || d.seq > session.seq) {
          conn.socket.close(4007, 'Invalid seq.');
          return;
        }
        session.connection = conn;
        this.#current = session;
        conn.sessionId = session.id;
        for (const event of session.events) {
          if (event.s > d.seq) conn.socket.send(JSON.stringify({ op: 0, ...event }));
        }
        this.dispatch('RESUMED', {});
        return;
      }
      default:
        return;
    }
  }
}
