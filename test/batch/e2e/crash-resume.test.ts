import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnMjw, until } from '../support/child.js';
import { batchFiles, journalRecords, resultLines } from '../support/files.js';
import { type SimSetup, startBatchSim } from '../support/sim.js';

let setup: SimSetup | undefined;
afterEach(async () => {
  await setup?.close();
  setup = undefined;
});

const PROMPTS = Array.from({ length: 9 }, (_, i) => `a lighthouse number ${i + 1}`);

/** Lines written to the result file so far (0 before it exists). */
function linesSoFar(out: string): number {
  try {
    return readFileSync(out, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

function imagineJobsByPrompt(setup: SimSetup): Map<string, number> {
  const counts = new Map<string, number>();
  for (const job of setup.sim.jobs)
    if (job.kind === 'imagine') counts.set(job.prompt, (counts.get(job.prompt) ?? 0) + 1);
  return counts;
}

describe('mjw batch in a child process', () => {
  it('killed with SIGKILL mid-batch, then re-run: one job in the simulator and one line per prompt', async () => {
    setup = await startBatchSim();
    const s = setup;
    const files = await batchFiles(`${PROMPTS.join('\n')}\n`);
    const args = ['batch', files.input, '--out', files.out];

    const first = spawnMjw(args, s.env);
    // Kill in the second round, with three jobs running at Midjourney and one prompt finished.
    await until(() => linesSoFar(files.out) >= 1 && s.sim.bot.load().running === 3, 'the second round');
    first.process.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const before = linesSoFar(files.out);
    expect(before).toBeLessThan(PROMPTS.length);

    const second = spawnMjw(args, s.env);
    expect(await second.exited).toBe(0);
    expect(second.stderr()).toMatch(
      /resuming: \d+ of 9 already finished, [1-9]\d* to look for before resubmitting/,
    );

    const lines = await resultLines(files.out);
    expect(lines.map((l) => l.prompt).sort()).toEqual([...PROMPTS].sort());
    expect(lines.every((l) => l.outcome === 'success')).toBe(true);
    const jobs = imagineJobsByPrompt(s);
    expect([...jobs.keys()].sort()).toEqual([...PROMPTS].sort());
    expect([...jobs.values()].every((n) => n === 1)).toBe(true);
    // Each line names the one job the simulator ran for its prompt.
    const simIds = new Set(s.sim.jobs.map((j) => j.id));
    expect(lines.every((l) => l.jobId !== undefined && simIds.has(l.jobId))).toBe(true);
    expect(second.stdout()).toMatch(/success\s+9/);
  });

  it('on SIGINT stops submitting, lets the jobs in flight finish, exits, and a re-run does the rest', async () => {
    setup = await startBatchSim();
    const s = setup;
    const files = await batchFiles(`${PROMPTS.join('\n')}\n`);
    const args = ['batch', files.input, '--out', files.out];

    const first = spawnMjw(args, s.env);
    await until(() => s.sim.bot.load().running === 3, 'three running jobs');
    first.process.kill('SIGINT');
    expect(await first.exited).toBe(1);
    expect(first.stderr()).toContain('SIGINT received, finishing jobs in flight');
    expect(first.stderr()).toMatch(/6 prompts not run: run the same command again to continue/);
    expect(s.sim.jobs).toHaveLength(3);
    expect(s.sim.jobs.every((j) => j.state === 'completed')).toBe(true);
    expect(await resultLines(files.out)).toHaveLength(3);
    const records = await journalRecords(files.journal);
    expect(records.filter((r) => r.t === 'done')).toHaveLength(3);
    expect(records.filter((r) => r.t === 'submitting')).toHaveLength(3);

    const second = spawnMjw(args, s.env);
    expect(await second.exited).toBe(0);
    expect(await resultLines(files.out)).toHaveLength(9);
    expect([...imagineJobsByPrompt(s).values()]).toEqual(Array(9).fill(1));
  });
});
