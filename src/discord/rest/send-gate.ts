/**
 * A check between the limiter's grant and the request leaving: the RestClient awaits
 * `gate.pass()` after `limiter.acquire()` and before dispatching. The limiter keeps one process's
 * calls of a token apart; a gate extends that promise beyond the process — the cluster's
 * FencedSendGate proves in Redis that this worker still holds the account's lease and that the
 * token's last call, from any worker, started at least the spacing ago. A gate that throws stops
 * the request before anything is sent.
 */
export interface SendGate {
  /** Resolves when the request may leave now; rejects (nothing is sent) when it must not. */
  pass(signal?: AbortSignal): Promise<void>;
}
