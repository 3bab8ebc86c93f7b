import { mkdtemp, readFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnMjw, until } from '../support/child.js';
import { batchFiles, resultLines } from '../support/files.js';
import { type SimSetup, startBatchSim } from '../support/sim.js';

let setup: SimSetup | undefined;
afterEach(async () => {
  await setup?.close();
  setup = undefined;
});

const prompts = (tag: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${tag} ${i + 1}`);

function imaginePrompts(s: SimSetup): string[] {
  return s.sim.jobs.filter((job) => job.kind === 'imagine').map((job) => job.prompt);
}

describe('one owner, across processes', () => {
  it('two mjw batch started at once on the same --out: one runs every prompt once, the other is refused', async () => {
    // Slow jobs (2 s each) so the two runs surely overlap.
    setup = await startBatchSim({ timeScale: 20 });
    const s = setup;
    const list = prompts('a harbour at dawn', 6);
    const files = await batchFiles(`${list.join('\n')}\n`);
    const env = { ...s.env, MJW_LOCK_DIR: await mkdtemp(join(tmpdir(), 'mjw-locks-')) };
    const args = ['batch', files.input, '--out', files.out];
    const runs = [spawnMjw(args, env), spawnMjw(args, env)];
    const codes = await Promise.all(runs.map((run) => run.exited));

    expect([...codes].sort()).toEqual([0, 1]);
    const winner = runs[codes.indexOf(0)];
    const loser = runs[codes.indexOf(1)];
    expect(loser?.stderr()).toContain(
      `${files.journal}: in use by another mjw batch run, pid ${winner?.process.pid} on host ${hostname()}`,
    );
    expect(loser?.stdout()).toBe('');
    expect(imaginePrompts(s).sort()).toEqual([...list].sort());
    expect(await resultLines(files.out)).toHaveLength(6);
    await expect(readFile(`${files.journal}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
  }, 60_000);

  it('a second mjw batch on the same token is refused while the first runs, naming it, and sends nothing', async () => {
    // Slow jobs (4 s each) so the first run is still going when the second starts.
    setup = await startBatchSim({ timeScale: 10 });
    const s = setup;
    const env = { ...s.env, MJW_LOCK_DIR: await mkdtemp(join(tmpdir(), 'mjw-locks-')) };
    const mine = prompts('a lighthouse', 6);
    const theirs = prompts('a windmill', 3);
    const first = await batchFiles(`${mine.join('\n')}\n`);
    const second = await batchFiles(`${theirs.join('\n')}\n`);

    const running = spawnMjw(['batch', first.input, '--out', first.out], env);
    await until(() => s.sim.jobs.length > 0, 'the first run to submit');
    const refused = spawnMjw(['batch', second.input, '--out', second.out], env);
    expect(await refused.exited).toBe(1);
    expect(refused.stderr()).toContain(
      `this Discord token is already driven by pid ${running.process.pid} on host ${hostname()}`,
    );
    expect(refused.stderr()).not.toContain(s.sim.token);
    expect(await running.exited).toBe(0);

    expect(imaginePrompts(s).sort()).toEqual([...mine].sort());
    // The refused run let go of its journal's lock and wrote no journal.
    await expect(readFile(`${second.journal}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(readFile(second.journal)).rejects.toMatchObject({ code: 'ENOENT' });
  }, 60_000);
});
