import type { BucketState, RouteState } from './bucket-table.js';
import type { Permit } from './rate-limiter-types.js';
import { classifyResponse, type ResponseInfo, type ResponseVerdict } from './response-verdict.js';
import type { Route } from './routes.js';

/** Where a permit reports to: the limiter's private handlers, so they stay off its public API. */
export interface PermitSink<W> {
  complete(permit: GrantedPermit<W>, response: ResponseInfo): ResponseVerdict;
  fail(permit: GrantedPermit<W>): void;
  /** `awaitSend` (`waiting` true) or the end of that wait (false: sent, or settled unsent). */
  sending(permit: GrantedPermit<W>, waiting: boolean): void;
}

/** A granted permit: settles exactly once; a second complete() returns the first verdict. */
export class GrantedPermit<W> implements Permit {
  private verdict: ResponseVerdict | undefined;
  private settled = false;
  private awaitingSend = false;

  constructor(
    readonly state: RouteState<W>,
    readonly bucket: BucketState,
    readonly sequence: number,
    readonly grantedAt: number,
    private readonly sink: PermitSink<W>,
  ) {}

  get route(): Route {
    return this.state.route;
  }

  awaitSend(): void {
    if (this.settled || this.awaitingSend) return;
    this.awaitingSend = true;
    this.sink.sending(this, true);
  }

  sent(): void {
    if (!this.awaitingSend) return;
    this.awaitingSend = false;
    this.sink.sending(this, false);
  }

  complete(response: ResponseInfo): ResponseVerdict {
    if (this.settled) return this.verdict ?? classifyResponse(response, this.grantedAt);
    this.settled = true;
    // Learn from the answer before the next request may start.
    this.verdict = this.sink.complete(this, response);
    this.endSendWait();
    return this.verdict;
  }

  fail(): void {
    if (this.settled) return;
    this.settled = true;
    this.sink.fail(this);
    this.endSendWait();
  }

  /** Settled without a `sent` (a mock, a connection refused): the limiter stops waiting for it. */
  private endSendWait(): void {
    if (!this.awaitingSend) return;
    this.awaitingSend = false;
    this.sink.sending(this, false);
  }
}
