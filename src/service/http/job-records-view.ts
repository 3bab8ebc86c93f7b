/**
 * The public shapes of a job's webhook deliveries and its event history (`GET
 * /v1/jobs/:id/deliveries`, `GET /v1/jobs/:id/history`). A delivery shows the receiver's host
 * only: never the signed body, the signature, nor the URL's path and query (which may carry a
 * receiver's own token); an attempt's error has the URL replaced by its host for the same reason.
 */
import type { JobHistoryEvent } from '../jobs/job-history.js';
import type { DeliveryState, WebhookDelivery } from '../jobs/job-store.js';

export interface DeliveryAttemptView {
  attempt: number;
  at: string;
  status: number | null;
  error: string | null;
  nextAttemptAt: string | null;
}

export interface DeliveryView {
  id: string;
  event: string;
  /** The receiver's host (and port, when not the default). */
  host: string;
  state: DeliveryState;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
  /** When the next attempt is due, while the delivery is pending and one is scheduled. */
  nextAttemptAt: string | null;
  /** The newest attempts, oldest first (a delivery stored by an older version has none). */
  log: DeliveryAttemptView[];
}

export interface JobHistoryEventView {
  at: string;
  type: JobHistoryEvent['type'];
  status: JobHistoryEvent['status'];
  progress: number;
  notice: string | null;
  error: JobHistoryEvent['error'];
}

/** The most deliveries `GET /v1/jobs/:id/deliveries` answers: the newest. */
export const DELIVERY_LIST_LIMIT = 50;

const iso = (ms: number): string => new Date(ms).toISOString();

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}

/** `text` with every spelling of `url` that may carry secrets (its path, query) replaced by its host. */
function redactUrl(text: string | null, url: string, host: string): string | null {
  if (text === null) return null;
  let out = text.split(url).join(host);
  try {
    const parsed = new URL(url);
    const tail = `${parsed.pathname}${parsed.search}`;
    if (tail.length > 1) out = out.split(tail).join('/…');
    if (parsed.search.length > 1) out = out.split(parsed.search).join('?…');
  } catch {
    // Not a URL: nothing more to hide than the whole string, already replaced.
  }
  return out;
}

export function toDeliveryView(delivery: WebhookDelivery): DeliveryView {
  const host = hostOf(delivery.url);
  const log = (delivery.log ?? []).map((a) => ({
    attempt: a.attempt,
    at: iso(a.at),
    status: a.status,
    error: redactUrl(a.error, delivery.url, host),
    nextAttemptAt: a.nextAttemptAt === null ? null : iso(a.nextAttemptAt),
  }));
  const last = delivery.log?.at(-1);
  return {
    id: delivery.id,
    event: delivery.event,
    host,
    state: delivery.state,
    attempts: delivery.attempts,
    lastStatus: delivery.lastStatus,
    lastError: redactUrl(delivery.lastError, delivery.url, host),
    createdAt: iso(delivery.createdAt),
    updatedAt: iso(delivery.updatedAt),
    deliveredAt: delivery.deliveredAt === null ? null : iso(delivery.deliveredAt),
    nextAttemptAt:
      delivery.state === 'pending' && last?.nextAttemptAt != null ? iso(last.nextAttemptAt) : null,
    log,
  };
}

export function toHistoryEventView(event: JobHistoryEvent): JobHistoryEventView {
  return {
    at: iso(event.at),
    type: event.type,
    status: event.status,
    progress: event.progress,
    notice: event.notice,
    error: event.error,
  };
}
