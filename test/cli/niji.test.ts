/**
 * `mjw imagine --bot niji` and `mjw batch --bot niji` (and a .jsonl line's "botType"), run as the
 * router runs them, against a simulator on 127.0.0.1 named by the environment: each job is sent to
 * the bot asked for, and what comes back is that bot's.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode, UsageError } from '../../src/cli/command.js';
import { batchCommand, parseBatchArgs } from '../../src/cli/commands/batch.js';
import { imagineCommand, parseImagineArgs } from '../../src/cli/commands/imagine.js';
import { NIJI_APPLICATION_ID } from '../../src/simulator/index.js';
import { batchFiles, resultLines } from '../batch/support/files.js';
import { type SimSetup, startBatchSim } from '../batch/support/sim.js';

const MJ = '936929561302675456';
let setup: SimSetup | undefined;
afterEach(async () => {
  await setup?.close();
  setup = undefined;
});

function capture(): Writable & { text: string } {
  const stream = new Writable({
    write(chunk, _enc, done) {
      stream.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  stream.text = '';
  return stream;
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
