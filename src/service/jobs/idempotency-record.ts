/**
 * Idempotency keys as the store keeps them. A client's key is reserved atomically before any job
 * is created (`IdempotencyReservation`: whoever holds it may create the job), bound to the job in
 * the same transaction that inserts it, then completed with the answer sent, which retries get
 * again. Keys are scoped per API key (`clientId`) and kept `ttlMs` (24 h by default).
 */
import { WorkerError } from '../../errors.js';

/** What a request under an idempotency key asks the store for. */
export interface IdempotencyKeyRequest {
  /** The API key name: keys of different clients never meet. */
  clientId: string;
  /** The client's `Idempotency-Key` header. */
  key: string;
  /** Hash of method, route, parameters and canonical body: the same key with another request is refused. */
  fingerprint: string;
  /** How long the key is kept. */
  ttlMs: number;
  /** How long a reservation that created no job yet blocks others before a retry may take it over. */
  leaseMs: number;
}

/** The right to create the job of one key: held by one request at a time. */
export interface IdempotencyReservation {
  readonly clientId: string;
  readonly key: string;
  /** Random per reservation; the store binds a job or an answer only for the current token. */
  readonly token: string;
}

/** The answer given to the first request, replayed to its retries. */
export interface IdempotentAnswer {
  status: number;
  /** JSON. */
  body: unknown;
}

export interface IdempotencyRecord {
  clientId: string;
  key: string;
  fingerprint: string;
  /** The job created under the key; null while the first request has not created it yet. */
  jobId: string | null;
  /** The first answer; null until the first request has answered. */
  answer: IdempotentAnswer | null;
  createdAt: number;
  /** Until then a reservation without a job blocks others (the first request is still running). */
  lockedUntil: number;
  expiresAt: number;
}

export type IdempotencyReserveResult =
  | { kind: 'reserved'; reservation: IdempotencyReservation }
  | { kind: 'existing'; record: IdempotencyRecord };

/** A job was to be bound to a reservation another request has since taken over. */
export class IdempotencyReservationLostError extends WorkerError {
  override readonly name = 'IdempotencyReservationLostError';
  readonly code = 'IDEMPOTENCY_RESERVATION_LOST';
  constructor(readonly key: string) {
    super(`Idempotency-Key "${key}" was taken over by another request before its job was created`);
  }
}
