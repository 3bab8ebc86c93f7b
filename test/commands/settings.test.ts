/**
 * `/settings`, `/prefer remix`, `/fast` / `/relax` / `/turbo` and a job's own speed, from the library
 * against the simulator over real sockets (the gateway: Midjourney answers these privately).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Midjourney } from '../../src/generation/index.js';
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

const interactions = () =>
  sim.requests
    .filter((r) => r.route === 'POST /interactions')
    .map(
      (r) =>
        r.body as {
          type: number;
          message_flags?: number;
          data: { name?: string; custom_id?: string; values?: string[] };
        },
    );

describe('/settings', () => {
  it('reads the panel: version, stylize, speed, remix, privacy', async () => {
    const settings = await mj.getSettings();
    expect(settings).toMatchObject({
      version: '6.1',
      stylize: 100,
      speed: 'fast',
      remix: false,
      privacy: 'public',
      suffix: '--v 6.1 --s 100',
      messageFlags: 64,
    });
    expect(settings.controls.remix).toBe('MJ::Settings::RemixMode');
  });

  it('changes only what differs, each control confirmed by the edited panel', async () => {
    sim.clearRequests();
    const after = await mj.changeSettings({
      version: '7',
      stylize: 250,
      remix: true,
      privacy: 'stealth',
      speed: 'fast',
    });
    expect(after).toMatchObject({
      version: '7',
      stylize: 250,
      remix: true,
      privacy: 'stealth',
      speed: 'fast',
    });
    const presses = interactions().filter((p) => p.type === 3);
    expect(presses.map((p) => p.data.custom_id)).toEqual([
      'MJ::Settings::VersionSelector',
      'MJ::Settings::Stylization::250',
      'MJ::Settings::RemixMode',
      'MJ::Settings::PrivateMode',
    ]);
    expect(presses[0]?.data.values).toEqual(['7']);
    expect(presses.every((p) => p.message_flags === 64)).toBe(true);
    expect(sim.bot.settingsOf(sim.userId)).toMatchObject({
      version: '7',
      stylize: 250,
      remix: true,
      stealth: true,
    });
    // Nothing to change: the panel is read and nothing pressed.
    sim.clearRequests();
    await mj.changeSettings({ remix: true });
    expect(interactions().filter((p) => p.type === 3)).toEqual([]);
    await mj.changeSettings({ remix: false, privacy: 'public' });
  });

  it('refuses a bad change before sending anything', async () => {
    sim.clearRequests();
    const error = await mj.changeSettings({ speed: 'slow' as never }).catch((e: unknown) => e);
    expect((error as { code: string }).code).toBe('VALIDATION_FAILED');
    expect(interactions()).toEqual([]);
    const missing = await mj.changeSettings({ stylize: 333 }).catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(/stylize:333/);
  });

  it('needs the gateway', async () => {
    const polling = clientFor(sim, 'poll');
    try {
      const error = await polling.getSettings().catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/gateway/);
    } finally {
      await polling.close();
    }
  });
});

describe('/prefer remix and the speed commands', () => {
  it('/prefer remix toggles Remix mode and says which', async () => {
    expect(await mj.preferRemix()).toBe(true);
    expect(sim.bot.remix(sim.userId)).toBe(true);
    expect(await mj.preferRemix()).toBe(false);
    const sent = interactions().filter((p) => p.data.name === 'prefer');
    expect(sent.at(-1)?.data).toMatchObject({
      name: 'prefer',
      options: [{ type: 1, name: 'remix', options: [] }],
    });
  });

  it('/relax, /turbo and /fast switch the account; new jobs run at that speed', async () => {
    expect(await mj.setSpeed('relax')).toMatch(/relax/);
    expect((await mj.getSettings()).speed).toBe('relax');
    const relaxed = await mj.imagine('a barn owl at night');
    expect(relaxed.mode).toBe('relax');
    expect(await mj.setSpeed('turbo')).toMatch(/turbo/);
    expect((await mj.imagine('a snowy owl')).mode).toBe('turbo');
    await mj.setSpeed('fast');
    expect((await mj.getSettings()).speed).toBe('fast');
  });

  it("a job's own speed rides on the prompt, leaving the account's alone", async () => {
    const result = await mj.imagine('a tawny owl', { mode: 'relax' });
    expect(result.mode).toBe('relax');
    expect(result.prompt).toBe('a tawny owl');
    expect(sim.jobs.find((j) => j.id === result.jobId)?.prompt).toBe('a tawny owl --relax');
    expect((await mj.getSettings()).speed).toBe('fast');
    const bad = await mj.imagine('x', { mode: 'slow' as never }).catch((e: unknown) => e);
    expect((bad as { code: string }).code).toBe('VALIDATION_FAILED');
  });
});
