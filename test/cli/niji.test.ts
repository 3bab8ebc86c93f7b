/**
 * `mjw imagine --bot niji`, `mjw batch --bot niji` (and a .jsonl line's "botType"), `mjw describe
 * --bot niji` and `mjw blend --bot niji`, run as the
 * router runs them, against a simulator on 127.0.0.1 named by the environment: each job is sent to
 * the bot asked for, and what comes back is that bot's.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode, UsageError } from '../../src/cli/command.js';
import { batchCommand, parseBatchArgs } from '../../src/cli/commands/batch.js';
import { blendCommand, parseBlendArgs } from '../../src/cli/commands/blend.js';
import { describeCommand, parseDescribeArgs } from '../../src/cli/commands/describe.js';
import { imagineCommand, parseImagineArgs } from '../../src/cli/commands/imagine.js';
import { NIJI_APPLICATION_ID } from '../../src/simulator/index.js';
import { batchFiles, resultLines } from '../batch/support/files.js';
import { type SimSetup, startBatchSim } from '../batch/support/sim.js';
import { gridPng, redPng } from '../commands/helpers.js';
import { capture } from './helpers.js';

const MJ = '936929561302675456';
let setup: SimSetup | undefined;
afterEach(async () => {
  await setup?.close();
  setup = undefined;
});

async function imageFiles(): Promise<[string, string]> {
  const dir = await mkdtemp(join(tmpdir(), 'mjw-niji-images-'));
  const red = join(dir, 'red.png');
  const grid = join(dir, 'grid.png');
  await writeFile(red, redPng());
  await writeFile(grid, gridPng());
  return [red, grid];
}

async function run(command: typeof imagineCommand, argv: string[], env: Record<string, string>) {
  const stdout = capture();
  const stderr = capture();
  const lockDir = await mkdtemp(join(tmpdir(), 'mjw-locks-'));
  const code = await command.run({
    argv,
    env: { ...env, MJW_LOCK_DIR: lockDir },
    stdout,
    stderr,
    signal: new AbortController().signal,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('--bot', () => {
  it('is parsed by imagine and batch; an unknown bot is a usage error', () => {
    expect(parseImagineArgs(['a fox', '--bot', 'niji'])).toMatchObject({ bot: 'niji' });
    expect(parseBatchArgs(['in.txt', '--out', 'r.jsonl', '--bot', 'midjourney'])).toMatchObject({
      bot: 'midjourney',
    });
    expect(() => parseImagineArgs(['a fox', '--bot', 'dalle'])).toThrow(
      new UsageError('--bot: expected midjourney or niji, got "dalle"'),
    );
    expect(() => parseBatchArgs(['in.txt', '--out', 'r', '--bot', 'Niji'])).toThrow(UsageError);
  });

  it('is parsed by describe and blend; an unknown bot is a usage error', () => {
    expect(parseDescribeArgs(['cat.png', '--bot', 'niji'])).toMatchObject({ bot: 'niji' });
    expect(parseDescribeArgs(['cat.png']).bot).toBeUndefined();
    expect(parseBlendArgs(['a.png', 'b.png', '--bot', 'niji'])).toMatchObject({ bot: 'niji' });
    expect(() => parseDescribeArgs(['cat.png', '--bot', 'NIJI_JOURNEY'])).toThrow(
      new UsageError('--bot: expected midjourney or niji, got "NIJI_JOURNEY"'),
    );
    expect(() => parseBlendArgs(['a.png', 'b.png', '--bot', 'dalle'])).toThrow(UsageError);
  });

  it("mjw describe --bot niji --json runs niji's /describe and prints its four prompts", async () => {
    setup = await startBatchSim();
    const { sim, env } = setup;
    const [red] = await imageFiles();
    const { code, stdout } = await run(describeCommand, [red, '--bot', 'niji', '--json'], env);
    expect(code).toBe(ExitCode.Ok);
    const json = JSON.parse(stdout.trim()) as { prompts: string[]; messageId: string };
    expect(json).toMatchObject({ ok: true, kind: 'describe', botType: 'niji' });
    expect(json.prompts).toHaveLength(4);
    expect(sim.messages().find((m) => m.id === json.messageId)?.author.id).toBe(NIJI_APPLICATION_ID);
    const plain = await run(describeCommand, [red, '--json'], env);
    const mjAnswer = JSON.parse(plain.stdout.trim()) as { messageId: string };
    expect(mjAnswer).toMatchObject({ ok: true, botType: 'midjourney' });
    expect(sim.messages().find((m) => m.id === mjAnswer.messageId)?.author.id).toBe(MJ);
  });

  it("mjw blend --bot niji runs niji's /blend: the grid is niji's", async () => {
    setup = await startBatchSim();
    const { sim, env } = setup;
    const images = await imageFiles();
    const { code, stdout } = await run(blendCommand, [...images, '--bot', 'niji', '--json'], env);
    expect(code).toBe(ExitCode.Ok);
    const json = JSON.parse(stdout.trim()) as { jobId: string; messageId: string };
    expect(json).toMatchObject({ ok: true, kind: 'blend', botType: 'niji' });
    expect(sim.jobs.find((j) => j.id === json.jobId)).toMatchObject({
      kind: 'blend',
      botType: 'niji',
      applicationId: NIJI_APPLICATION_ID,
    });
    expect(sim.messages().find((m) => m.id === json.messageId)?.author.id).toBe(NIJI_APPLICATION_ID);
    const text = await run(blendCommand, [...images, '--bot', 'niji'], env);
    expect(text.stdout).toMatch(/niji・journey/);
  });

  it('mjw imagine --bot niji --json runs on niji and says so', async () => {
    setup = await startBatchSim();
    const { sim, env } = setup;
    const { code, stdout } = await run(imagineCommand, ['a fox spirit', '--bot', 'niji', '--json'], env);
    expect(code).toBe(ExitCode.Ok);
    const json = JSON.parse(stdout.trim()) as Record<string, unknown>;
    const record = sim.jobs.find((j) => j.id === json.jobId);
    expect(record).toMatchObject({
      botType: 'niji',
      applicationId: NIJI_APPLICATION_ID,
      prompt: 'a fox spirit',
    });
    expect(json).toMatchObject({ ok: true, botType: 'niji', messageId: record?.resultMessageId });
    expect(sim.messages().find((m) => m.id === json.messageId)?.author.id).toBe(NIJI_APPLICATION_ID);
    const plain = await run(imagineCommand, ['a fox spirit', '--json'], env);
    expect(JSON.parse(plain.stdout.trim())).toMatchObject({ ok: true, botType: 'midjourney' });
    expect(sim.jobs.map((j) => j.botType)).toEqual(['niji', 'midjourney']);
  });

  it('mjw batch --bot niji runs the lines that name no bot on niji; a line\'s "botType" wins', async () => {
    setup = await startBatchSim();
    const { sim, env } = setup;
    const files = await batchFiles(
      [
        '{"id":"a","prompt":"a koi pond"}',
        '{"id":"b","prompt":"a koi pond","botType":"midjourney"}',
        '{"id":"c","prompt":"a paper crane","actions":["U1"]}',
      ].join('\n'),
      'prompts.jsonl',
    );
    const { code } = await run(batchCommand, [files.input, '--out', files.out, '--bot', 'niji'], env);
    expect(code).toBe(ExitCode.Ok);
    const lines = new Map((await resultLines(files.out)).map((l) => [l.id, l]));
    const authorOf = (id: string | undefined) => sim.messages().find((m) => m.id === id)?.author.id;
    expect(lines.get('a')).toMatchObject({ ok: true, botType: 'niji' });
    expect(authorOf(lines.get('a')?.messageId)).toBe(NIJI_APPLICATION_ID);
    expect(lines.get('b')?.botType).toBeUndefined();
    expect(authorOf(lines.get('b')?.messageId)).toBe(MJ);
    const c = lines.get('c');
    expect(c).toMatchObject({ ok: true, botType: 'niji', actions: [{ action: 'U1', ok: true }] });
    expect(authorOf(c?.actions[0]?.messageId)).toBe(NIJI_APPLICATION_ID);
    expect(
      sim.jobs
        .filter((j) => j.botType === 'niji')
        .map((j) => j.kind)
        .sort(),
    ).toEqual(['imagine', 'imagine', 'upscale']);
  });

  it('refuses a .jsonl line with an unknown botType before sending anything', async () => {
    setup = await startBatchSim();
    const { sim, env } = setup;
    const files = await batchFiles('{"prompt":"a fox","botType":"dalle"}\n', 'prompts.jsonl');
    const { code, stderr } = await run(batchCommand, [files.input, '--out', files.out, '--strict'], env);
    expect(code).toBe(ExitCode.Usage);
    expect(stderr).toContain('"botType" must be "midjourney" or "niji", got "dalle"');
    expect(sim.jobs).toEqual([]);
  });
});
