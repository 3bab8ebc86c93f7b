/**
 * The gateway's live sessions: created on IDENTIFY, attached to one connection at a time, kept
 * resumable for a window after their connection drops, and ended for good when the client closes
 * normally, misses heartbeats, or the simulator invalidates them.
 */
import type { Random } from '../../util/clock.js';
import type { GatewayOptions } from '../options.js';
import { randomHex } from '../random-hex.js';
import type { ScaledClock } from '../sim-clock.js';
import type { SimUser } from '../users.js';
import type { GatewayConnection } from './gateway-connection.js';
import { GatewaySession } from './gateway-session.js';

export class SessionRegistry {
  private readonly sessions = new Map<string, GatewaySession>();

  constructor(
    private readonly clock: ScaledClock,
    private readonly options: GatewayOptions,
    private readonly random: Random,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  values(): IterableIterator<GatewaySession> {
    return this.sessions.values();
  }

  get(id: string): GatewaySession | undefined {
    return this.sessions.get(id);
  }

  create(user: SimUser): GatewaySession {
    const session = new GatewaySession(randomHex(this.random, 32), user, this.options.replayBufferSize);
    this.sessions.set(session.id, session);
    return session;
  }

  attach(connection: GatewayConnection, session: GatewaySession): void {
    session.expiry?.();
    session.expiry = undefined;
    session.connection = connection;
    connection.session = session;
  }

  /** Ends a session: it can no longer be resumed. */
  invalidate(session: GatewaySession): void {
    session.expiry?.();
    session.expiry = undefined;
    this.sessions.delete(session.id);
  }

  /** The connection of a session closed with `code`. */
  detach(connection: GatewayConnection, code: number): void {
    const session = connection.session;
    if (session === undefined || session.connection !== connection) return;
    session.connection = undefined;
    if (!connection.closedByServer && (code === 1000 || code === 1001)) {
      // A client closing normally ends its session for good (Discord's documented behaviour).
      this.invalidate(session);
    } else if (this.sessions.has(session.id)) {
      session.expiry = this.clock.after(this.options.resumeWindowMs, () => this.invalidate(session));
    }
  }

  clear(): void {
    for (const session of this.sessions.values()) session.expiry?.();
    this.sessions.clear();
  }
}
