/**
 * The soak's columns, computed by comparing what a target reported with what the simulator
 * recorded. Pure: the targets and the simulator hand in data.
 *
 * - accepted: jobs the target took (service: a 202 with an id; batch: every prompt of the file).
 * - lost: accepted, never final, and not in the target's store (service: GET 404; batch: no
 *   journal record).
 * - sent twice: a token with two or more `/imagine` jobs the bot received, not counting jobs it
 *   refused with "Queue full" (a resend after that is the documented retry).
 * - swapped: reported succeeded with a result that is another job's (the Midjourney job id or the
 *   echoed prompt carries another token).
 * - stuck: accepted, in the store, not final after the drain.
 * - wrong outcome: reported succeeded while no bot job of that token completed, or reported failed
 *   while one did. A result that ephemeral moderation took down later than the client's
 *   confirmation window after it was posted is, by the documented contract, a success (no client
 *   can see a deletion that has not happened); the bot means to delete it within 2 s of 3, but a
 *   loaded machine can run its timer late, and those are counted in a note, not as wrong.
 * - token leaks: places (files, HTTP bodies) where the simulator's token was found.
 * - invalid / 10 min: the most 401/403/429 (shared 429s excepted) in any 10 simulated minutes,
 *   against Discord's 10,000 ban line.
 */
import type { SimJobRecord } from '../../src/simulator/index.js';
import { tokensIn } from './prompts.js';

export interface ReportedJob {
  token: string;
  accepted: boolean;
  /** In the target's store: the service's GET answers it; the batch journal has a record of it. */
  visible: boolean;
  /** The final outcome reported; null when not final. */
  outcome: 'succeeded' | 'failed' | null;
  /** A failure's error code (`PRE_MODERATION`, `JOB_TIMEOUT`...). */
  errorCode?: string;
  /** The result's Midjourney job id, when succeeded. */
  resultJobId?: string;
  /** The result's echoed prompt (service) or the line's prompt (batch). */
  resultText?: string;
}

export interface SoakRow {
  target: string;
  accepted: number;
  lost: number;
  sentTwice: number;
  swapped: number;
  stuck: number;
  wrongOutcome: number;
  tokenLeaks: number;
  /** Most invalid requests in any 10 simulated minutes. */
  invalidPer10Min: number;
}

export type GatedColumn = 'lost' | 'sentTwice' | 'swapped' | 'stuck' | 'wrongOutcome' | 'tokenLeaks';
export const GATED_COLUMNS: readonly GatedColumn[] = [
  'lost',
  'sentTwice',
  'swapped',
  'stuck',
  'wrongOutcome',
  'tokenLeaks',
];

export interface SoakVerdict {
  row: SoakRow;
  /** Up to 8 examples per nonzero column, each a line a person can follow up. */
  examples: Partial<Record<GatedColumn, string[]>>;
  /** Reported failures by error code. */
  failures: Record<string, number>;
  /** Bot outcomes of the jobs it received, by outcome and final state. */
  simOutcomes: Record<string, number>;
  invalidTotal: number;
  /** Final jobs by the bot's last outcome and what the target reported: `output-filter -> OUTPUT_FILTER`. */
  outcomeMap: Record<string, number>;
  /** Reported succeeded; the bot took the result down only after the client's window (see above). */
  lateTakedowns: number;
}

/** The job's result was deleted by ephemeral moderation only after the client's window had passed. */
function takenDownLate(jobs: readonly SimJobRecord[], windowSimMs: number): boolean {
  if (windowSimMs <= 0) return false;
  const last = jobs.at(-1);
  if (last?.outcome !== 'ephemeral-moderation' || last.state !== 'deleted') return false;
  const { resultPostedAt, takenDownAt } = last;
  return (
    resultPostedAt !== undefined && takenDownAt !== undefined && takenDownAt - resultPostedAt > windowSimMs
  );
}

function simCompleted(jobs: readonly SimJobRecord[]): boolean {
  return jobs.some((job) => job.outcome === 'success' && job.state === 'completed');
}

function describeSim(jobs: readonly SimJobRecord[]): string {
  if (jobs.length === 0) return 'bot: none';
  return `bot: ${jobs.map((job) => `${job.outcome}/${job.state}`).join(', ')}`;
}

/** The most timestamps in any window of `windowMs`. */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= windowMs) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

export function computeVerdict(input: {
  target: string;
  reported: readonly ReportedJob[];
  simJobs: readonly SimJobRecord[];
  leaks: readonly string[];
  invalidTimes: readonly number[];
  timeScale: number;
  /** The client's confirmation window in simulated ms (see "wrong outcome"); 0 or absent: none. */
  confirmWindowSimMs?: number;
  /** Per token, the `/imagine` POSTs the simulator read (status and fault), for the examples. */
  trails?: ReadonlyMap<string, readonly string[]>;
}): SoakVerdict {
  const byToken = new Map<string, SimJobRecord[]>();
  const tokenOfJob = new Map<string, string>();
  const simOutcomes: Record<string, number> = {};
  for (const job of input.simJobs) {
    if (job.kind !== 'imagine') continue;
    const token = tokensIn(job.prompt)[0];
    if (token === undefined) continue;
    byToken.set(token, [...(byToken.get(token) ?? []), job]);
    tokenOfJob.set(job.id, token);
    const key = `${job.outcome}/${job.state}`;
    simOutcomes[key] = (simOutcomes[key] ?? 0) + 1;
  }
  const examples: Partial<Record<GatedColumn, string[]>> = {};
  const note = (column: GatedColumn, line: string): void => {
    const list = (examples[column] ??= []);
    if (list.length < 8) list.push(line);
  };
  const row: SoakRow = {
    target: input.target,
    accepted: 0,
    lost: 0,
    sentTwice: 0,
    swapped: 0,
    stuck: 0,
    wrongOutcome: 0,
    tokenLeaks: input.leaks.length,
    invalidPer10Min: maxInWindow(input.invalidTimes, 600_000 / input.timeScale),
  };
  for (const leak of input.leaks) note('tokenLeaks', leak);
  const failures: Record<string, number> = {};
  const outcomeMap: Record<string, number> = {};
  let lateTakedowns = 0;

  for (const job of input.reported) {
    const sim = byToken.get(job.token) ?? [];
    const reported = `${job.outcome ?? 'not final'}${job.errorCode ? ` ${job.errorCode}` : ''}`;
    const paid = sim.filter((s) => s.outcome !== 'queue-full');
    if (paid.length >= 2) {
      row.sentTwice += 1;
      const trail = input.trails?.get(job.token)?.join(', ') ?? '?';
      note(
        'sentTwice',
        `${job.token}: ${paid.length} /imagine jobs (${describeSim(sim)}; POSTs ${trail}); reported ${reported}`,
      );
    }
    if (!job.accepted) continue;
    row.accepted += 1;
    if (job.outcome === null) {
      if (job.visible) {
        row.stuck += 1;
        note('stuck', `${job.token}: not final (${describeSim(sim)})`);
      } else {
        row.lost += 1;
        note('lost', `${job.token}: not in the store (${describeSim(sim)})`);
      }
      continue;
    }
    if (job.outcome === 'failed')
      failures[job.errorCode ?? 'unknown'] = (failures[job.errorCode ?? 'unknown'] ?? 0) + 1;
    if (job.outcome === 'succeeded') {
      const owner = job.resultJobId === undefined ? undefined : tokenOfJob.get(job.resultJobId);
      const echoed = tokensIn(job.resultText ?? '');
      if ((owner !== undefined && owner !== job.token) || echoed.some((t) => t !== job.token)) {
        row.swapped += 1;
        note('swapped', `${job.token}: result ${job.resultJobId} belongs to ${owner ?? echoed.join(',')}`);
      }
    }
    const botOutcome = sim.at(-1)?.outcome ?? 'none';
    const pair = `${botOutcome} -> ${job.outcome === 'succeeded' ? 'succeeded' : (job.errorCode ?? 'failed')}`;
    outcomeMap[pair] = (outcomeMap[pair] ?? 0) + 1;
    const completed = simCompleted(sim);
    if (job.outcome === 'succeeded' && !completed && takenDownLate(sim, input.confirmWindowSimMs ?? 0)) {
      lateTakedowns += 1;
      continue;
    }
    if ((job.outcome === 'succeeded') !== completed) {
      row.wrongOutcome += 1;
      note('wrongOutcome', `${job.token}: reported ${reported}; ${describeSim(sim)}`);
    }
  }
  return {
    row,
    examples,
    failures,
    simOutcomes,
    invalidTotal: input.invalidTimes.length,
    outcomeMap,
    lateTakedowns,
  };
}
