/**
 * The real client against the real simulator on 127.0.0.1, with time compressed: the simulator
 * plays Midjourney `timeScale` times faster and the client polls every 50–100 ms, so a full job
 * takes well under a second of wall time.
 */
import { expect } from 'vitest';
import type { WatchMode } from '../../../src/config/index.js';
import { Midjourney, type MidjourneyOptions } from '../../../src/generation/index.js';
import type { GenerationResult, SubmissionTicket } from '../../../src/generation/types.js';
import { type Simulator, type StartSimulatorOptions, startSimulator } from '../../../src/simulator/index.js';

export const FAST_SIM: StartSimulatorOptions = {
  timeScale: 100,
  // Plenty of slots: concurrent tests in one channel must not queue behind each other.
  bot: { fastSlots: 30, queueSize: 30 },
};

/**
 * `MJW_SIM_EVIDENCE_SEED=<n>` runs every simulator of the suite with the evidence of each bot
 * message drawn from that seed (footer, interaction objects, nonce on later messages, reply
 * reference); unset, messages look as they always did, unless a test asks otherwise.
 */
export function evidenceSeedFromEnv(): number | undefined {
  const raw = process.env.MJW_SIM_EVIDENCE_SEED;
  return raw === undefined || raw === '' ? undefined : Number(raw);
}

export async function startFastSimulator(init: StartSimulatorOptions = {}): Promise<Simulator> {
  const seed = evidenceSeedFromEnv();
  const evidence = { ...(seed === undefined ? {} : { seed }), ...init.bot?.evidence };
  return startSimulator({ ...FAST_SIM, ...init, bot: { ...FAST_SIM.bot, ...init.bot, evidence } });
}

/** A client aimed at `sim` with compressed timings (all overridable). */
export function clientFor(
  sim: Simulator,
  watch: WatchMode,
  options: Partial<MidjourneyOptions> = {},
): Midjourney {
  return new Midjourney({
    token: sim.token,
    guildId: sim.guildId,
    channelId: sim.channelId,
    apiBaseUrl: sim.apiBaseUrl,
    gatewayUrl: sim.gatewayUrl,
    watch,
    minRequestSpacingMs: 0,
    pollMinMs: 50,
    pollMaxMs: 100,
    confirmWindowMs: 300,
    notSeenTimeoutMs: 2_000,
    ambiguousGraceMs: 1_500,
    resumeGraceMs: 1_500,
    deadlineReadGraceMs: 500,
    deferMs: 300,
    jobTimeoutMs: 15_000,
    concurrentJobs: 30,
    ...options,
  });
}

/** The interaction POSTs the simulator received. */
export function interactionPosts(sim: Simulator): number {
  return sim.requests.filter((r) => r.method === 'POST' && r.route.endsWith('/interactions')).length;
}

/** Collects tickets by prompt through `onSubmit`. */
export function ticketBook(): {
  onSubmit: (t: SubmissionTicket) => void;
  byPrompt: Map<string, SubmissionTicket[]>;
} {
  const byPrompt = new Map<string, SubmissionTicket[]>();
  return {
    byPrompt,
    onSubmit: (t) => {
      byPrompt.set(t.prompt, [...(byPrompt.get(t.prompt) ?? []), t]);
    },
  };
}

/**
 * Runs `prompts` at once and checks that each call returned the result of its own send: the
 * simulator's result message for the job of the call's nonce (no swaps).
 */
export async function imagineEachOwn(
  sim: Simulator,
  mj: Midjourney,
  prompts: readonly string[],
): Promise<GenerationResult[]> {
  const book = ticketBook();
  const results = await Promise.all(prompts.map((p) => mj.imagine(p, { onSubmit: book.onSubmit })));
  for (const result of results) {
    const ticket = book.byPrompt.get(result.prompt)?.[0];
    expect(result.messageId).toBe(sim.jobs.find((j) => j.nonce === ticket?.nonce)?.resultMessageId);
  }
  return results;
}

/** Settles a promise into `{ result }` or `{ error }` for table assertions. */
export async function outcomeOf<T>(promise: Promise<T>): Promise<{ result?: T; error?: unknown }> {
  try {
    return { result: await promise };
  } catch (error) {
    return { error };
  }
}
