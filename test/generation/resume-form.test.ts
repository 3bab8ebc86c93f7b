/**
 * `resume(ticket)` of a button job that answered a form (Remix, Custom Zoom, Vary (Region)), against
 * the simulator over real sockets. The process that pressed the button dies at a chosen point of
 * the form flow; a fresh client resumes the ticket it persisted through `onSubmit`. The ticket
 * names the form submit's nonce and prompt before anything is sent (`formNonce`, `formPrompt`,
 * `sourcePrompt`), so the job is found whether the form was submitted or not, and nothing is sent
 * again. Crashed before the form's submit, nothing ran, and the restart rule says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestOptions } from '../../src/discord/rest/api.js';
import { RestClient } from '../../src/discord/rest/index.js';
import type { InteractionPayload, ModalSubmitInteractionPayload } from '../../src/discord/types.js';
import { InferredPreModerationError, SubmissionUncertainError } from '../../src/generation/errors.js';
import type { GenerationResult, Midjourney, MidjourneyOptions } from '../../src/generation/index.js';
import type { ActionOptions, JobAction, SubmissionTicket } from '../../src/generation/types.js';
import { JobNotFoundError } from '../../src/midjourney/errors.js';
import type { Simulator } from '../../src/simulator/index.js';
import { encodeSolidPng } from '../../src/util/png-images.js';
import { clientFor, interactionPosts, startFastSimulator } from './helpers/simulator.js';

const EDITOR = 'POST /inpaint/api/submit-job';

let sim: Simulator;
let mj: Midjourney;
let grid: GenerationResult;
let upscaled: GenerationResult;

beforeAll(async () => {
  // Every message of a job carries its nonce (MIDJOURNEY.md §8: lately on later replies too): a
  // job known only by the button's nonce would never be matched.
  sim = await startFastSimulator({ bot: { evidence: { nonceOnLater: true } } });
  mj = gatewayClient();
  grid = await mj.imagine('a harbour at dawn');
  upscaled = await mj.upscale(grid, 2);
});

afterAll(async () => {
  await mj?.close();
  await sim?.close();
});

function gatewayClient(options: Partial<MidjourneyOptions> = {}): Midjourney {
  return clientFor(sim, 'gateway', { inpaintUrl: `${sim.cdnBaseUrl}/inpaint/api/submit-job`, ...options });
}

function modalSubmits(): ModalSubmitInteractionPayload[] {
  return sim.requests
    .filter((r) => r.route === 'POST /interactions' && (r.body as { type?: number })?.type === 5)
    .map((r) => r.body as ModalSubmitInteractionPayload);
}

/** Waits (yielding, briefly) until `condition` holds. */
async function until(condition: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`until: ${what} never happened`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Presses `action` on `source` in a client that "crashes" (is closed) once `crashed()` holds:
 * returns the ticket it persisted.
 */
async function pressThenCrash(
  source: GenerationResult,
  action: JobAction,
  options: ActionOptions,
  crashed: () => boolean,
  client: Midjourney = gatewayClient(),
): Promise<SubmissionTicket> {
  let ticket: SubmissionTicket | undefined;
  const lost = client.act(source, action, {
    ...options,
    onSubmit: (t) => {
      ticket = t;
    },
  });
  try {
    await until(crashed, 'the crash point');
  } finally {
    await client.close();
    await lost.catch(() => undefined);
  }
  if (ticket === undefined) throw new Error('no ticket was persisted');
  return ticket;
}

/** A REST client that never sends a modal submit: the process dies between the form and its submit. */
class DiesBeforeFormSubmit extends RestClient {
  held = 0;

  override createInteraction(payload: InteractionPayload, options: RequestOptions = {}): Promise<void> {
    if (payload.type !== 5) return super.createInteraction(payload, options);
    this.held += 1;
    return new Promise((_, reject) => {
      options.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true });
    });
  }
}

/** Resumes `ticket` on a fresh client (the restarted process). */
async function resumeFresh(
  ticket: SubmissionTicket,
  watch: 'poll' | 'gateway',
  options: { sendConfirmed?: boolean } = {},
): Promise<{ result?: GenerationResult; error?: unknown }> {
  const fresh = watch === 'gateway' ? gatewayClient() : clientFor(sim, 'poll');
  try {
    return { result: await fresh.resume(ticket, options) };
  } catch (error) {
    return { error };
  } finally {
    await fresh.close();
  }
}

describe('crash after the form was submitted', () => {
  it.each([
    'poll',
    'gateway',
  ] as const)('a Remix variation resumes to the remixed grid, sending nothing again (%s)', async (watch) => {
    sim.bot.setRemix(true, sim.userId);
    const prompt = `a harbour under snow, resumed over ${watch}`;
    const submitsBefore = modalSubmits().length;
    let ticket: SubmissionTicket;
    try {
      ticket = await pressThenCrash(grid, 'V2', { prompt }, () => modalSubmits().length > submitsBefore);
    } finally {
      sim.bot.setRemix(false, sim.userId);
    }
    const [submit] = modalSubmits().slice(submitsBefore);
    // The form's submit carried the nonce the ticket named before anything was sent.
    expect(ticket).toMatchObject({ formNonce: submit?.nonce, formPrompt: prompt });
    expect(ticket.formNonce).not.toBe(ticket.nonce);
    const posts = interactionPosts(sim);
    const { result, error } = await resumeFresh(ticket, watch);
    expect(error).toBeUndefined();
    const child = sim.jobs.find((j) => j.parentId === grid.jobId && j.prompt === prompt);
    expect(child).toMatchObject({ kind: 'variation', index: 2 });
    expect(result).toMatchObject({
      jobId: child?.id,
      echoedPrompt: prompt,
      messageId: child?.resultMessageId,
    });
    expect(interactionPosts(sim)).toBe(posts);
  });

  it('a Custom Zoom resumes to the zoomed grid (gateway)', async () => {
    const prompt = 'a harbour at dawn, wide --zoom 1.5';
    const submitsBefore = modalSubmits().length;
    const ticket = await pressThenCrash(
      upscaled,
      'zoom-custom',
      { prompt },
      () => modalSubmits().length > submitsBefore,
    );
    const posts = interactionPosts(sim);
    const { result, error } = await resumeFresh(ticket, 'gateway');
    expect(error).toBeUndefined();
    const child = sim.jobs.find(
      (j) => j.kind === 'zoom' && j.parentId === upscaled.jobId && j.prompt === prompt,
    );
    expect(child).toBeDefined();
    expect(result).toMatchObject({ jobId: child?.id, echoedPrompt: prompt });
    expect(interactionPosts(sim)).toBe(posts);
  });

  it('Vary (Region) resumes to the region variation once the editor took the mask', async () => {
    const prompt = 'a harbour with a red lighthouse';
    const editorBefore = sim.requests.filter((r) => r.route === EDITOR).length;
    const ticket = await pressThenCrash(
      upscaled,
      'vary-region',
      { prompt, mask: encodeSolidPng(16, 16, [255, 255, 255]) },
      () => sim.requests.filter((r) => r.route === EDITOR && r.status === 200).length > editorBefore,
    );
    // The editor keeps the button's interaction: no form nonce, the prompt is the form's.
    expect(ticket.formNonce).toBeUndefined();
    expect(ticket.formPrompt).toBe(prompt);
    const posts = interactionPosts(sim);
    const { result, error } = await resumeFresh(ticket, 'poll');
    expect(error).toBeUndefined();
    const child = sim.jobs.find((j) => j.parentId === upscaled.jobId && j.prompt === prompt);
    expect(result).toMatchObject({ jobId: child?.id, echoedPrompt: prompt });
    expect(interactionPosts(sim)).toBe(posts);
  });

  it('with remix off no form opens: the same ticket resumes to the plain variation (source prompt)', async () => {
    const jobsBefore = sim.jobs.length;
    const ticket = await pressThenCrash(
      grid,
      'V4',
      { prompt: 'a prompt no form asked for' },
      () => sim.jobs.length > jobsBefore,
    );
    expect(ticket.formNonce).toBeDefined();
    const { result, error } = await resumeFresh(ticket, 'poll');
    expect(error).toBeUndefined();
    const child = sim.jobs.slice(jobsBefore).find((j) => j.parentId === grid.jobId);
    expect(child).toMatchObject({ kind: 'variation', index: 4 });
    expect(result).toMatchObject({ jobId: child?.id, echoedPrompt: grid.echoedPrompt });
  });
});

describe('crash after the form opened, before its submit', () => {
  it('nothing ran: "not found" follows the restart rule, never "safe to resend", and claims no other job', async () => {
    sim.bot.setRemix(true, sim.userId);
    try {
      const dying = new DiesBeforeFormSubmit({
        token: sim.token,
        baseUrl: sim.apiBaseUrl,
        limiterOptions: { minSpacingMs: 0 },
      });
      const submitsBefore = modalSubmits().length;
      const ticket = await pressThenCrash(
        grid,
        'V1',
        { prompt: 'a harbour that never was' },
        () => dying.held > 0,
        gatewayClient({ rest: dying }),
      );
      await dying.close();
      expect(modalSubmits().length).toBe(submitsBefore);
      // Discord had confirmed the button (the default): PRE_MODERATION, the rule's verdict for a
      // confirmed job that never showed.
      const confirmed = await resumeFresh(ticket, 'poll', { sendConfirmed: true });
      expect(confirmed.result).toBeUndefined();
      expect(confirmed.error).toBeInstanceOf(InferredPreModerationError);
      // The journal / service recorded no `submitted` (that event follows the form's submit):
      // SUBMISSION_UNCERTAIN. The restarted process runs another job of the same grid beside it
      // (the same button, the form left as Midjourney prefilled it: the source prompt), which
      // keeps its own result.
      const restarted = gatewayClient();
      try {
        const [again, other] = await Promise.all([
          restarted.resume(ticket, { sendConfirmed: false }).then(
            (result) => ({ result, error: undefined }),
            (error: unknown) => ({ result: undefined, error }),
          ),
          restarted.act(grid, 'V1'),
        ]);
        expect(other.echoedPrompt).toBe(grid.echoedPrompt);
        expect(again.result).toBeUndefined();
        expect(again.error).toBeInstanceOf(SubmissionUncertainError);
        expect(again.error).not.toBeInstanceOf(JobNotFoundError);
      } finally {
        await restarted.close();
      }
      expect(sim.jobs.filter((j) => j.prompt === 'a harbour that never was')).toEqual([]);
    } finally {
      sim.bot.setRemix(false, sim.userId);
    }
  });
});
