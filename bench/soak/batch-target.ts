/**
 * The batch runner under soak: `mjw batch prompts.jsonl --out results.jsonl`, SIGKILLed at random
 * and run again with the same command (which resumes from the journal) until it ends by itself.
 * Every prompt of the file counts as accepted; the outcome is the last result line of its id, and
 * the journal beside the results is the store that shows whether a prompt was seen at all.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clientEnvironment, SoakChild } from './child.js';
import { jittered, sleep, type TargetContext, type TargetRun } from './target.js';
import type { ReportedJob } from './verdict.js';

interface ResultLine {
  id: string;
  ok: boolean;
  outcome: string;
  error?: { code: string };
  jobId?: string;
}

interface JournalLine {
  t: string;
  id?: string;
  step?: number;
  result?: { jobId?: string; echoedPrompt?: string };
}

/** JSON lines of a file, a torn or missing file tolerated (the process was killed mid-write). */
async function jsonLines<T>(path: string): Promise<T[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // A torn last line.
    }
  }
  return out;
}

export async function runBatchTarget(ctx: TargetContext): Promise<TargetRun> {
  const { options, world, dir, random } = ctx;
  const watch = options.watch === 'mixed' ? 'poll' : options.watch;
  const scaled = (ms: number): string => String(Math.max(1, Math.round(ms / options.timeScale)));
  const env = {
    ...clientEnvironment(world.sim, { timeScale: options.timeScale, slots: options.slots, watch }),
    MJW_BATCH_RETRY_BASE_MS: scaled(5_000),
    MJW_BATCH_RETRY_MAX_MS: scaled(300_000),
  };
  const input = join(dir, 'prompts.jsonl');
  const out = join(dir, 'results.jsonl');
  await writeFile(
    input,
    ctx.prompts.map((p) => JSON.stringify({ id: p.token, prompt: p.prompt })).join('\n'),
  );
  const child = new SoakChild(
    'batch',
    ['batch', input, '--out', out, '--concurrency', String(options.slots)],
    env,
    dir,
  );
  const notes: string[] = [];
  const deadline = Date.now() + options.maxMinutes * 60_000;
  const stopFaults = world.startFaults(options.faultEvery, random, watch === 'gateway');
  let faultsOn = true;
  const exitCodes: (number | null)[] = [];

  const finalEnd = deadline + options.drainSec * 1_000;
  let idle = 0;
  let lastLines = 0;
  for (;;) {
    await child.start();
    const exit = child.exited().then((code) => ({ exited: true as const, code }));
    const killing = options.killEverySec > 0 && Date.now() < deadline;
    if (!killing && faultsOn) {
      // The drain: the last run goes on without kills or faults.
      stopFaults();
      faultsOn = false;
      ctx.log('batch: drain');
    }
    const wait = killing
      ? jittered(options.killEverySec * 1_000, random)
      : Math.max(0, finalEnd - Date.now());
    const outcome = await Promise.race([
      exit,
      sleep(wait).then(() => ({ exited: false as const, code: null })),
    ]);
    const lines = new Set((await jsonLines<ResultLine>(out)).map((line) => line.id)).size;
    idle = lines > lastLines ? 0 : idle + 1;
    lastLines = lines;
    if (outcome.exited) {
      exitCodes.push(outcome.code);
      // Finished, refused its journal, or crashed with nothing more to show: the run is over.
      if (lines >= ctx.prompts.length || outcome.code === 2 || idle >= 3 || Date.now() >= finalEnd) break;
      // A crash: run the same command again, as its documentation says.
      ctx.log(`batch: exited by itself (${outcome.code}) with ${lines} result lines; running it again`);
      continue;
    }
    await child.kill();
    if (!killing) {
      notes.push('the last run did not end within the drain; stopped');
      break;
    }
    ctx.log(`batch: SIGKILL #${child.kills} (${lines} result lines); restarting`);
  }
  if (faultsOn) stopFaults();
  await child.close();
  notes.push(`batch exit codes of runs that ended by themselves: ${exitCodes.join(', ') || 'none'}`);
  for (const [signature, n] of child.crashes) notes.push(`crashed ${n} time(s): ${signature}`);

  const results = new Map<string, ResultLine>();
  for (const line of await jsonLines<ResultLine>(out)) results.set(line.id, line);
  const seen = new Set<string>();
  const echoes = new Map<string, string>();
  for (const record of await jsonLines<JournalLine>(`${out}.journal`)) {
    if (record.id === undefined) continue;
    seen.add(record.id);
    if (record.t === 'step-done' && record.step === 0 && record.result?.echoedPrompt !== undefined) {
      echoes.set(record.id, record.result.echoedPrompt);
    }
  }
  const duplicates = (await jsonLines<ResultLine>(out)).length - results.size;
  if (duplicates > 0) notes.push(`${duplicates} prompt(s) have more than one result line`);

  const reported: ReportedJob[] = ctx.prompts.map((p) => {
    const line = results.get(p.token);
    const echo = echoes.get(p.token);
    return {
      token: p.token,
      accepted: true,
      visible: line !== undefined || seen.has(p.token),
      outcome: line === undefined ? null : line.ok ? 'succeeded' : 'failed',
      ...(line && !line.ok ? { errorCode: line.error?.code ?? line.outcome } : {}),
      ...(line?.jobId ? { resultJobId: line.jobId } : {}),
      ...(echo !== undefined ? { resultText: echo } : {}),
    };
  });
  return { reported, httpLeaks: [], kills: child.kills, starts: child.starts, notes };
}
