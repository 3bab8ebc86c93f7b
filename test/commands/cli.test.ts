/**
 * `mjw describe`, `mjw blend` and `mjw shorten` end to end: the commands as the router runs them,
 * against the built-in simulator (no Discord credentials in the environment), with --json.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { Command } from '../../src/cli/command.js';
import { UsageError } from '../../src/cli/command.js';
import { actCommand, parseActArgs } from '../../src/cli/commands/act.js';
import { blendCommand, parseBlendArgs } from '../../src/cli/commands/blend.js';
import { describeCommand } from '../../src/cli/commands/describe.js';
import { imagineCommand, parseImagineArgs } from '../../src/cli/commands/imagine.js';
import { infoCommand } from '../../src/cli/commands/info.js';
import { parseSeedArgs, seedCommand } from '../../src/cli/commands/seed.js';
import { parseSettingsArgs, settingsCommand } from '../../src/cli/commands/settings.js';
import { shortenCommand } from '../../src/cli/commands/shorten.js';
import type { GenerationResult } from '../../src/generation/index.js';
import { seedOf } from '../../src/simulator/index.js';
import { startBatchSim } from '../batch/support/sim.js';
import { gridPng, redPng } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'mjw-cli-commands-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const red = join(dir, 'red.png');
const grid = join(dir, 'grid.png');
const text = join(dir, 'notes.png');
writeFileSync(red, redPng());
writeFileSync(grid, gridPng());
writeFileSync(text, 'not an image at all');

async function mjw(command: Command, argv: string[]) {
  let out = '';
  let err = '';
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const code = await command.run({ argv, env: {}, stdout, stderr, signal: new AbortController().signal });
  const json = argv.includes('--json') ? JSON.parse(out.trim().split('\n').at(-1)!) : undefined;
  return { code, out, err, json };
}

describe('mjw describe / blend / shorten against the built-in simulator', () => {
  it('describe prints four prompts', async () => {
    const { code, json, err } = await mjw(describeCommand, [red, '--json']);
    expect(err).toMatch(/running against the built-in simulator/);
    expect(code).toBe(0);
    expect(json.ok).toBe(true);
    expect(json.prompts).toHaveLength(4);
    const plain = await mjw(describeCommand, [grid]);
    expect(plain.out.split('\n').filter((l) => /^\d\. /.test(l))).toHaveLength(4);
  });

  it('blend prints the grid', async () => {
    const { code, json } = await mjw(blendCommand, [red, grid, '--dimensions', 'landscape', '--json']);
    expect(code).toBe(0);
    expect(json).toMatchObject({ ok: true, kind: 'blend' });
    expect(json.echoedPrompt).toMatch(/--ar 3:2$/);
    expect(Object.keys(json.actions)).toEqual(expect.arrayContaining(['U1', 'V4']));
  });

  it('shorten prints tokens and five prompts', async () => {
    const { code, json } = await mjw(shortenCommand, ['a lighthouse in the fog at dusk', '--json']);
    expect(code).toBe(0);
    expect(json.prompts).toHaveLength(5);
    expect(json.tokens[0]).toEqual({ text: 'a', weight: 'dropped' });
  });

  it('info prints the account facts (over the gateway)', async () => {
    const { code, json } = await mjw(infoCommand, ['--json']);
    expect(code).toBe(0);
    expect(json).toMatchObject({ ok: true, jobMode: 'Fast', running: 0 });
  });

  /** Runs `mjw seed --json` on a job imagined on a configured account; returns the job and what it printed. */
  async function seedOfNewJob(
    prompt: string,
    options: { botType?: 'niji'; args?: string[] } = {},
  ): Promise<{ grid: GenerationResult; code: number; json: unknown }> {
    const setup = await startBatchSim();
    const lockDir = mkdtempSync(join(tmpdir(), 'mjw-seed-lock-'));
    try {
      const grid = await setup
        .client()
        .imagine(prompt, options.botType === undefined ? {} : { botType: options.botType });
      let out = '';
      const stdout = new PassThrough();
      stdout.on('data', (c: Buffer) => {
        out += c.toString();
      });
      const code = await seedCommand.run({
        argv: [grid.jobId, '--message', grid.messageId, '--json', ...(options.args ?? [])],
        env: { ...setup.env, MJW_LOCK_DIR: lockDir },
        stdout,
        stderr: new PassThrough(),
        signal: new AbortController().signal,
      });
      return { grid, code, json: JSON.parse(out.trim()) };
    } finally {
      await setup.close();
      rmSync(lockDir, { recursive: true, force: true });
    }
  }

  it('seed prints the seed of a job run on a configured account', async () => {
    const { grid, code, json } = await seedOfNewJob('a lighthouse for the seed command');
    expect(code).toBe(0);
    expect(json).toMatchObject({ ok: true, jobId: grid.jobId, seed: String(seedOf(grid.jobId)) });
    expect(() => parseSeedArgs(['not-a-uuid', '--message', '1'])).toThrow(UsageError);
  });

  it("seed --bot niji reads the seed of a niji job from niji's DM", async () => {
    const { grid, code, json } = await seedOfNewJob('a lantern for the seed command', {
      botType: 'niji',
      args: ['--bot', 'niji', '--timeout', '10000'],
    });
    expect(grid.botType).toBe('niji');
    expect(code).toBe(0);
    expect(json).toMatchObject({ ok: true, jobId: grid.jobId, seed: String(seedOf(grid.jobId)) });
    const uuid = '0b0b0b0b-0000-4000-8000-000000000000';
    expect(parseSeedArgs([uuid, '--message', '1250000000000000020', '--bot', 'niji']).bot).toBe('niji');
    expect(() => parseSeedArgs([uuid, '--message', '1250000000000000020', '--bot', 'dall-e'])).toThrow(
      /--bot: expected midjourney or niji/,
    );
  });

  it('act presses a button answered with a form (Custom Zoom) over the gateway, and refuses it by polling', async () => {
    const setup = await startBatchSim();
    const lockDir = mkdtempSync(join(tmpdir(), 'mjw-act-lock-'));
    const run = async (argv: string[], watch: string) => {
      let out = '';
      const stdout = new PassThrough();
      stdout.on('data', (c: Buffer) => {
        out += c.toString();
      });
      const code = await actCommand.run({
        argv,
        env: { ...setup.env, MJ_WATCH: watch, MJW_LOCK_DIR: lockDir },
        stdout,
        stderr: new PassThrough(),
        signal: new AbortController().signal,
      });
      return { code, json: JSON.parse(out.trim().split('\n').at(-1)!) };
    };
    try {
      const client = setup.client();
      const upscaled = await client.upscale(await client.imagine('a harbour for the act command'), 1);
      const zoomed = await run(
        [upscaled.messageId, 'zoom-custom', '--prompt', 'a harbour for the act command --zoom 1.6', '--json'],
        'gateway',
      );
      expect(zoomed.code).toBe(0);
      expect(zoomed.json).toMatchObject({ ok: true, kind: 'variation' });
      expect(zoomed.json.echoedPrompt).toContain('--zoom 1.6');
      const polled = await run([upscaled.messageId, 'zoom-custom', '--json'], 'poll');
      expect(polled.code).toBe(1);
      expect(polled.json.error.code).toBe('MODAL_NEEDS_GATEWAY');
      const notResult = await run([setup.sim.channelId, 'U1', '--json'], 'poll');
      expect(notResult.json.error.code).toBe('VALIDATION_FAILED');
    } finally {
      await setup.close();
      rmSync(lockDir, { recursive: true, force: true });
    }
    expect(() => parseActArgs(['123', 'U1'])).toThrow(/snowflake/);
    expect(() => parseActArgs(['1234567890123456789', 'V1', '--field', 'novalue'])).toThrow(/--field/);
  });

  it('imagine --image uploads the image prompt and puts its URL before the prompt', async () => {
    const { code, json } = await mjw(imagineCommand, ['a fox in the snow', '--image', red, '--json']);
    expect(code).toBe(0);
    expect(json.ok).toBe(true);
    expect(json.prompt).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/attachments\/\S+red\.png\S* a fox in the snow$/);
    const refused = await mjw(imagineCommand, ['a fox', '--image', text, '--json']);
    expect(refused.code).toBe(2);
    expect(refused.json.error.code).toBe('IMAGE_NOT_AN_IMAGE');
    expect(() => parseImagineArgs(['x', '--mode', 'slow'])).toThrow(/--mode/);
  });

  it('settings reads and changes the panel (over the gateway)', async () => {
    const read = await mjw(settingsCommand, ['--json']);
    expect(read.code).toBe(0);
    expect(read.json).toMatchObject({ ok: true, version: '6.1', speed: 'fast', remix: false });
    const changed = await mjw(settingsCommand, [
      '--remix',
      'on',
      '--speed',
      'relax',
      '--stylize',
      '250',
      '--json',
    ]);
    expect(changed.code).toBe(0);
    expect(changed.json).toMatchObject({ ok: true, remix: true, speed: 'relax', stylize: 250 });
    expect(() => parseSettingsArgs(['--remix', 'maybe'])).toThrow(/--remix/);
    expect(() => parseSettingsArgs(['--speed', 'slow'])).toThrow(/--speed/);
  });

  it('refuses a bad image with exit 2 before sending, and bad usage', async () => {
    const notImage = await mjw(describeCommand, [text, '--json']);
    expect(notImage.code).toBe(2);
    expect(notImage.json.error.code).toBe('IMAGE_NOT_AN_IMAGE');
    const missing = await mjw(describeCommand, [join(dir, 'nope.png'), '--json']);
    expect(missing.json.error.code).toBe('IMAGE_UNREADABLE');
    const forbidden = await mjw(describeCommand, ['http://127.0.0.1:9/cat.png', '--json']);
    expect(forbidden.json.error.code).toBe('IMAGE_URL_FORBIDDEN');
    expect(() => parseBlendArgs([red])).toThrow(UsageError);
    expect(() => parseBlendArgs([red, grid, '--dimensions', 'round'])).toThrow(/--dimensions/);
  });
});
