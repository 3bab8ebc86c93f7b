/**
 * A gateway session: what survives a dropped connection. It numbers every dispatch (`s`) and keeps
 * the recent ones, so a RESUME with the last seen `seq` replays exactly what was missed.
 * https://discord.com/developers/docs/events/gateway#resuming
 */
import type { SimUser } from '../users.js';
import type { GatewayConnection } from './gateway-connection.js';

export interface BufferedDispatch {
  s: number;
  t: string;
  d: unknown;
}

export class GatewaySession {
  private seq = 0;
  private readonly buffer: BufferedDispatch[] = [];
  /** The socket currently attached; undefined while the client is away (dispatches still buffer). */
  connection: GatewayConnection | undefined;
  /** Cancels the timer that ends a detached session after the resume window. */
  expiry: (() => void) | undefined;

  constructor(
    readonly id: string,
    readonly user: SimUser,
    private readonly bufferSize: number,
  ) {}

  get lastSeq(): number {
    return this.seq;
  }

  /** Numbers and keeps one dispatch. */
  push(t: string, d: unknown): BufferedDispatch {
    this.seq += 1;
    const dispatch = { s: this.seq, t, d };
    this.buffer.push(dispatch);
    if (this.buffer.length > this.bufferSize) this.buffer.shift();
    return dispatch;
  }

  /**
   * The dispatches after `seq`, or undefined when that is impossible: a seq from the future, or
   * one so old that dispatches after it have been dropped from the buffer.
   */
  replayAfter(seq: number): BufferedDispatch[] | undefined {
    if (!Number.isInteger(seq) || seq < 0 || seq > this.seq) return undefined;
    const oldest = this.buffer[0]?.s ?? this.seq + 1;
    if (seq < oldest - 1) return undefined;
    return this.buffer.filter((d) => d.s > seq);
  }
}
