/**
 * One gateway WebSocket: sends payloads, watches the client's heartbeats, and remembers whether
 * the server or the client closed it (a client closing with 1000/1001 ends its session; a server
 * drop leaves it resumable).
 */
import { WebSocket } from 'ws';
import type { GatewayPayload } from '../../discord/gateway/protocol.js';
import type { ScaledClock } from '../sim-clock.js';
import type { GatewaySession } from './gateway-session.js';

export class GatewayConnection {
  session: GatewaySession | undefined;
  /** True once the server started the close (drop, reconnect timeout, error code). */
  closedByServer = false;
  private heartbeatDeadline: (() => void) | undefined;
  private reconnectDeadline: (() => void) | undefined;

  constructor(
    readonly socket: WebSocket,
    private readonly clock: ScaledClock,
    /** The API version the connection asked for (`?v=9` or `?v=10`); READY reports it back. */
    readonly apiVersion: 9 | 10 = 10,
  ) {}

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  send(payload: GatewayPayload): void {
    if (this.open) this.socket.send(JSON.stringify(payload));
  }

  /** (Re)starts the wait for the next heartbeat; `onMiss` runs if none comes within `ms` simulated. */
  expectHeartbeatWithin(ms: number, onMiss: () => void): void {
    this.heartbeatDeadline?.();
    this.heartbeatDeadline = this.clock.after(ms, onMiss);
  }

  /** After op 7 the client should close and resume; if it lingers, the server closes resumably. */
  closeUnlessGoneWithin(ms: number): void {
    this.reconnectDeadline?.();
    this.reconnectDeadline = this.clock.after(ms, () => this.close(4000, 'Reconnect requested'));
  }

  close(code: number, reason: string): void {
    this.closedByServer = true;
    this.stopTimers();
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(code, reason);
    }
  }

  stopTimers(): void {
    this.heartbeatDeadline?.();
    this.reconnectDeadline?.();
    this.heartbeatDeadline = undefined;
    this.reconnectDeadline = undefined;
  }
}
