/** `/info` over the gateway against the simulator: the private answer, parsed into facts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Midjourney } from '../../src/generation/index.js';
import { parseInfoAnswer } from '../../src/midjourney/info-answer.js';
import type { Simulator } from '../../src/simulator/index.js';
import { clientFor, startFastSimulator } from '../generation/helpers/simulator.js';

let sim: Simulator;
let mj: Midjourney;

beforeAll(async () => {
  sim = await startFastSimulator();
  mj = clientFor(sim, 'gateway');
});

afterAll(async () => {
  await mj?.close();
  await sim?.close();
});

describe('/info', () => {
  it('reads the private answer over the gateway', async () => {
    await mj.imagine('a lighthouse before info');
    const info = await mj.info();
    expect(info).toMatchObject({
      jobMode: 'Fast',
      visibility: 'Public',
      running: 0,
      queuedFast: 0,
      lifetimeUsage: { images: 1, hours: 0.02 },
      fastTimeRemaining: { hours: 29.98, totalHours: 30, percent: 99.93 },
    });
    expect(info.subscription).toMatch(/^Pro/);
    // Private: never in the channel's REST history.
    expect(sim.messages().some((m) => m.embeds[0]?.title?.startsWith('Your info'))).toBe(false);
  });

  it('is served at GET /v1/info', async () => {
    const { startTestService } = await import('../service/helpers/service.js');
    const t = await startTestService({ generator: mj, channelId: sim.channelId });
    try {
      const { status, body } = await t.alice.get('/v1/info');
      expect(status).toBe(200);
      expect(body).toMatchObject({ jobMode: 'Fast', visibility: 'Public' });
    } finally {
      await t.close();
    }
  });

  it('needs the gateway', async () => {
    const polling = clientFor(sim, 'poll');
    try {
      await expect(polling.info()).rejects.toThrow(/only over the gateway/);
    } finally {
      await polling.close();
    }
  });

  it('parses the lines Midjourney shows', () => {
    const info = parseInfoAnswer({
      embeds: [
        {
          title: 'Your info - someone',
          description:
            '**Subscription**: Basic (Active monthly)\n**Job Mode**: Relaxed\n**Visibility Mode**: Stealth\n**Fast Time Remaining**: 0.57/3.3 hours (17.27%)\n**Lifetime Usage**: 102 images (1.77 hours)\n**Relaxed Usage**: 12 images (0.30 hours)\n**Queued Jobs (fast)**: 0\n**Queued Jobs (relax)**: 2\n**Running Jobs**: 3',
        },
      ],
    });
    expect(info).toMatchObject({
      jobMode: 'Relaxed',
      visibility: 'Stealth',
      fastTimeRemaining: { hours: 0.57, totalHours: 3.3, percent: 17.27 },
      relaxedUsage: { images: 12, hours: 0.3 },
      queuedRelax: 2,
      running: 3,
    });
    expect(parseInfoAnswer({ embeds: [{ title: 'Job queued', description: '**x**: y' }] })).toBeUndefined();
  });
});
