/**
 * A `/v1` action answered with a form (Remix with a new prompt) whose service dies right after
 * the form was submitted: the service restarted on the same SQLite store resumes the job from its
 * stored ticket (which names the form's nonce and prompt) and completes it with the remixed grid,
 * sending nothing again. Real client, simulator over 127.0.0.1; every message of a job carries its
 * nonce, as Discord's lately do (MIDJOURNEY.md §8).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { startTestService, type TestService, waitForStatus } from './helpers/service.js';
import { generatorFor, interactionPosts } from './helpers/simulator.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serviceOn(sim: Simulator, dbPath: string) {
  const gen = generatorFor(sim, 'gateway', 10, true);
  const t: TestService = await startTestService({
    generator: gen.midjourney,
    probe: gen.probe,
    channelId: sim.channelId,
    config: { dbPath, rateLimit: { requests: 100_000, windowMs: 60_000, burst: 100_000 } },
  });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await t.close();
      await gen.close();
    })();
    return closing;
  };
  cleanups.push(close);
  return { t, close };
}

const modalSubmits = (sim: Simulator) =>
  sim.requests.filter((r) => r.route === 'POST /interactions' && (r.body as { type?: number })?.type === 5);

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`until: ${what} never happened`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('service restart during a form', () => {
  it('a Remix action whose form was submitted before the stop completes with the remixed grid after the restart', async () => {
    const sim = await startSimulator({
      timeScale: 100,
      bot: { fastSlots: 10, queueSize: 10, evidence: { nonceOnLater: true } },
    });
    cleanups.push(() => sim.close());
    const dir = mkdtempSync(join(tmpdir(), 'mjw-form-restart-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const dbPath = join(dir, 'jobs.sqlite');

    const first = await serviceOn(sim, dbPath);
    const grid = await first.t.alice.post('/v1/imagine', { prompt: 'a windmill in a field' });
    const done = await waitForStatus(first.t.started.service.runner, grid.body.id, 'succeeded');
    sim.bot.setRemix(true, sim.userId);
    const action = await first.t.alice.post(`/v1/jobs/${done.id}/actions`, {
      action: 'V2',
      prompt: 'a windmill in the snow',
    });
    expect(action.status).toBe(202);
    // The service dies as soon as Discord has the form's submit.
    await until(() => modalSubmits(sim).length > 0, 'the modal submit');
    await first.close();
    sim.bot.setRemix(false, sim.userId);
    const posts = interactionPosts(sim);
    expect(posts).toBe(3);

    const second = await serviceOn(sim, dbPath);
    expect(second.t.started.recovered).toMatchObject({ resumed: 1 });
    const job = await waitForStatus(second.t.started.service.runner, action.body.id, 'terminal');
    const child = sim.jobs.find(
      (j) => j.parentId === done.result?.jobId && j.prompt === 'a windmill in the snow',
    );
    expect(child).toMatchObject({ kind: 'variation', index: 2 });
    expect(job.error).toBeNull();
    expect(job).toMatchObject({ status: 'succeeded', submissions: 1 });
    expect(job.result).toMatchObject({ jobId: child?.id, echoedPrompt: 'a windmill in the snow' });
    // The stored ticket named the form's nonce: the one the submit carried.
    expect(job.ticket?.formNonce).toBe((modalSubmits(sim)[0]?.body as { nonce?: string }).nonce);
    expect(interactionPosts(sim)).toBe(posts);
  });
});
