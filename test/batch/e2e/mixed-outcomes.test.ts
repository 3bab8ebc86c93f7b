import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBatch } from '../../../src/batch/session.js';
import { decodePng } from '../../../src/util/png.js';
import { batchFiles, journalRecords, resultLines } from '../support/files.js';
import { type SimSetup, startBatchSim } from '../support/sim.js';

let setup: SimSetup | undefined;
afterEach(async () => {
  await setup?.close();
  setup = undefined;
});

describe('mjw batch against the simulator', () => {
  it('ends every prompt with its outcome, retries queue full, downloads and splits', async () => {
    setup = await startBatchSim({ bot: { gridSize: 128 } });
    const { sim } = setup;
    sim.bot.script({ match: 'crowded', outcome: 'queue-full', times: 1 });
    sim.bot.script({ match: 'stopped', outcome: 'post-moderation' });
    sim.bot.script({ match: 'bad flag', outcome: 'invalid-parameter' });
    sim.bot.script({ match: 'outage', outcome: 'outage' });
    // A grid that cannot be fetched at first: the download retries.
    sim.faults.add({ kind: 'status', status: 503, route: 'GET /attachments/{path}', count: 1 });
    const files = await batchFiles(
      [
        '{"id":"fox","prompt":"a red fox","actions":["U2"]}',
        '{"id":"crowded","prompt":"a crowded market"}',
        '{"id":"banned","prompt":"something nsfw"}',
        '{"id":"stopped","prompt":"stopped halfway"}',
        '{"id":"flag","prompt":"bad flag --foo"}',
        '{"id":"outage","prompt":"an outage please"}',
        '{"id":"cat","prompt":"a cat","meta":{"row":7}}',
        '{"prompt":""}',
      ].join('\n'),
      'in.jsonl',
    );
    const mj = setup.client({ watch: 'gateway' });
    const images = join(files.dir, 'images');
    const { input, report } = await runBatch({
      input: files.input,
      out: files.out,
      generator: mj,
      retry: { baseDelayMs: 200, maxDelayMs: 300 },
      download: { dir: images, split: true, minRetryDelayMs: 20 },
    });

    expect(input.problems).toEqual([{ file: files.input, line: 8, reason: 'empty prompt' }]);
    const lines = Object.fromEntries((await resultLines(files.out)).map((l) => [l.id, l]));
    expect(Object.keys(lines).sort()).toEqual([
      'banned',
      'cat',
      'crowded',
      'flag',
      'fox',
      'outage',
      'stopped',
    ]);
    expect(Object.fromEntries(Object.entries(lines).map(([id, l]) => [id, l.outcome]))).toEqual({
      fox: 'success',
      crowded: 'success',
      banned: 'pre-moderation',
      stopped: 'post-moderation',
      flag: 'invalid-request',
      outage: 'job-failed',
      cat: 'success',
    });
    expect(report.outcomes).toEqual({
      success: 3,
      'pre-moderation': 1,
      'post-moderation': 1,
      'invalid-request': 1,
      'job-failed': 1,
    });
    expect(lines.crowded).toMatchObject({ attempts: 2, ok: true });
    expect(lines.banned).toMatchObject({
      attempts: 1,
      error: { name: 'PreModerationError', code: 'PRE_MODERATION' },
    });
    expect(lines.cat?.meta).toEqual({ row: 7 });

    // Result lines carry Midjourney's job ids; the simulator ran exactly those jobs.
    const simJobs = sim.jobs;
    for (const id of ['fox', 'cat', 'crowded']) {
      expect(simJobs.map((j) => j.id)).toContain(lines[id]?.jobId);
    }
    expect(simJobs.filter((j) => j.prompt === 'a crowded market').map((j) => j.outcome)).toEqual([
      'queue-full',
      'success',
    ]);
    expect(simJobs.filter((j) => j.prompt === 'something nsfw')).toHaveLength(1);
    expect(lines.fox?.actions).toMatchObject([{ action: 'U2', outcome: 'success', ok: true }]);
    expect(simJobs.filter((j) => j.kind === 'upscale').map((j) => j.parentId)).toEqual([lines.fox?.jobId]);

    // Downloads: the grid and its four quarters at half the grid size; the upscale whole.
    expect(lines.fox?.files.map((f) => f.slice(images.length + 1))).toEqual([
      'fox.png',
      'fox-1.png',
      'fox-2.png',
      'fox-3.png',
      'fox-4.png',
    ]);
    for (const file of lines.fox?.files.slice(1) ?? []) {
      const image = decodePng(await readFile(file));
      expect([image.width, image.height]).toEqual([64, 64]);
    }
    expect(lines.fox?.actions[0]?.files.map((f) => f.slice(images.length + 1))).toEqual(['fox-U2.png']);
    expect(Object.values(lines).every((l) => l.downloadError === undefined)).toBe(true);
    // The CDN's 503 was met and retried past.
    expect(sim.faults.pending()).toEqual([]);
    expect(Object.values(sim.stats().rateLimited).every((n) => n === 0)).toBe(true);

    const records = await journalRecords(files.journal);
    expect(records.filter((r) => r.t === 'done' || r.t === 'failed')).toHaveLength(7);
  });
});
