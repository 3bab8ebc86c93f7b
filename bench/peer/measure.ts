/**
 * What one run cost, read from the simulator's own records (its request log and its Midjourney
 * jobs), so the same ruler measures both clients.
 */
import type { Simulator } from '../../src/simulator/index.js';
import type { CallOutcome } from './clients.js';

export interface RunFigures {
  jobs: number;
  /** Calls that returned the right image: the result message of a job of that prompt, each job once. */
  ok: number;
  /** Every HTTP call the token made (lookups, snapshots, sends, polls), per successful job. */
  callsPerJob: number;
  calls: number;
  /** 429 answers the token received. */
  limited: number;
  /** Shortest gap between two calls of the token (ms). */
  minGapMs: number;
  wallMs: number;
  /**
   * Per successful job: real ms from the bot's final message to the call settling (what the client
   * adds once Midjourney is done: detection, confirmation).
   */
  overheadMs: number[];
  /** Ours: bot's final message -> result seen (the confirmation window comes after). */
  detectMs: number[];
  /**
   * The floor for these jobs: the one-off lookups, one POST per job, one snapshot per job, and one
   * poll per mean poll interval (4 s) while jobs were in flight, shared by all. Only meaningful for
   * polling.
   */
  floorCalls: number;
  /**
   * The same floor with one snapshot in all, as when every later job's snapshot is a poll brought
   * forward (the bare minimum: no call but the polls tells the newest message).
   */
  bareFloorCalls: number;
  errors: string[];
}

/** Our mean poll interval (3–5 s uniform). */
const MEAN_POLL_MS = 4_000;

export function measure(sim: Simulator, startedAt: number, outcomes: CallOutcome[]): RunFigures {
  const calls = sim.requests.filter((r) => r.userId === sim.userId).sort((a, b) => a.time - b.time);
  const jobsByResult = new Map(
    sim.jobs.filter((j) => j.resultMessageId !== undefined).map((j) => [j.resultMessageId as string, j]),
  );
  const used = new Set<string>();
  const overheadMs: number[] = [];
  const detectMs: number[] = [];
  const errors: string[] = [];
  let ok = 0;
  for (const outcome of outcomes) {
    if (outcome.error) errors.push(outcome.error);
    const job = outcome.messageId === undefined ? undefined : jobsByResult.get(outcome.messageId);
    // The peer's REST mode prefixes `[seed] ` to the prompt: the echo contains the prompt.
    if (!job || used.has(job.id) || !job.prompt.includes(outcome.prompt) || job.state !== 'completed') {
      if (!outcome.error) errors.push(`wrong or missing image for "${outcome.prompt}"`);
      continue;
    }
    used.add(job.id);
    ok += 1;
    // At time scale 1 the simulated clock is the wall clock.
    if (job.finishedAt !== undefined) overheadMs.push(outcome.settledAt - job.finishedAt);
    if (job.finishedAt !== undefined && outcome.seenAt !== undefined)
      detectMs.push(outcome.seenAt - job.finishedAt);
  }
  let minGapMs = Number.POSITIVE_INFINITY;
  for (let i = 1; i < calls.length; i += 1) {
    minGapMs = Math.min(minGapMs, (calls[i]?.time ?? 0) - (calls[i - 1]?.time ?? 0));
  }
  const wallMs = Math.max(...outcomes.map((o) => o.settledAt)) - startedAt;
  const posts = calls.filter((r) => r.route === 'POST /interactions');
  const reads = calls.filter((r) => r.route === 'GET /channels/{channel_id}/messages');
  const lookups = calls.length - posts.length - reads.length;
  const firstPost = posts[0]?.time ?? startedAt;
  const polls = (startedAt + wallMs - firstPost) / MEAN_POLL_MS;
  const floorCalls = lookups + 2 * posts.length + polls;
  const bareFloorCalls = lookups + posts.length + Math.min(1, posts.length) + polls;
  return {
    jobs: outcomes.length,
    ok,
    calls: calls.length,
    callsPerJob: ok === 0 ? Number.NaN : calls.length / ok,
    limited: calls.filter((r) => r.status === 429).length,
    minGapMs,
    wallMs,
    overheadMs,
    detectMs,
    floorCalls,
    bareFloorCalls,
    errors,
  };
}

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}
