/**
 * `/settings` and a job's speed through the HTTP service (/v1), the real client watching the
 * simulator's gateway on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.js';
import { startSimulator } from '../../src/simulator/index.js';
import { startTestService, type TestService } from '../service/helpers/service.js';
import { generatorFor } from '../service/helpers/simulator.js';

let sim: Simulator;
let t: TestService;
let gen: ReturnType<typeof generatorFor>;

beforeAll(async () => {
  sim = await startSimulator({ timeScale: 100, bot: { fastSlots: 10, queueSize: 10 } });
  gen = generatorFor(sim, 'gateway');
  t = await startTestService({
    generator: gen.midjourney,
    probe: gen.probe,
    channelId: sim.channelId,
    config: {
      rateLimit: { requests: 100_000, windowMs: 60_000, burst: 100_000 },
      submitRateLimit: { requests: 1_000, windowMs: 60_000, burst: 1_000 },
    },
  });
});

afterAll(async () => {
  await t?.close();
  await gen?.close();
  await sim?.close();
});

describe('/v1/settings', () => {
  it('reads the settings, changes them, and refuses a bad change', async () => {
    const read = await t.alice.get('/v1/settings');
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      version: '6.1',
      stylize: 100,
      speed: 'fast',
      remix: false,
      privacy: 'public',
    });
    const changed = await t.alice.patch('/v1/settings', { remix: true, version: '7', privacy: 'stealth' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ remix: true, version: '7', privacy: 'stealth' });
    expect(sim.bot.settingsOf(sim.userId)).toMatchObject({ remix: true, version: '7', stealth: true });
    const bad = await t.alice.patch('/v1/settings', { speed: 'slow' });
    expect(bad.status).toBe(400);
    const empty = await t.alice.patch('/v1/settings', {});
    expect(empty.status).toBe(400);
    await t.alice.patch('/v1/settings', { remix: false, privacy: 'public' });
  });
});

describe('/v1/imagine mode', () => {
  it("runs the job at its own speed without switching the account's", async () => {
    const created = await t.alice.post('/v1/imagine', { prompt: 'a kestrel hovering', mode: 'relax' });
    expect(created.status).toBe(202);
    let job = created.body;
    for (let i = 0; i < 400 && !['succeeded', 'failed'].includes(job.status); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 40));
      job = (await t.alice.get(`/v1/jobs/${created.body.id}`)).body;
    }
    expect(job.status).toBe('succeeded');
    expect(job.result.mode).toBe('relax');
    expect(sim.bot.settingsOf(sim.userId).mode).toBe('fast');
  });
});
