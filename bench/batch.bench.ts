/**
 * `npm run bench -- batch`: how well `mjw batch` keeps Midjourney's slots busy, and what it costs.
 *
 * 1. 100 prompts through the real Midjourney client against the simulator (3 slots, time
 *    compressed, gateway watching): slot utilisation = ideal time for N jobs on 3 slots / wall
 *    time, Discord calls per job, 429s, peak memory. Targets: utilisation >= 0.98, zero 429s.
 * 2. 10,000 prompts with near-zero job time against an in-process fake generator (the simulator
 *    keeps every message and image, which would measure its memory, not the runner's): heap after
 *    GC at 1,000 / 5,000 / 10,000 prompts finished. Target: flat.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from 'eventemitter3';
import { runBatch } from '../src/batch/session.js';
import { Midjourney } from '../src/generation/midjourney.js';
import type {
  GenerationEvents,
  GenerationResult,
  Generator,
  JobOptions,
  SubmissionTicket,
} from '../src/generation/types.js';
import { startSimulator } from '../src/simulator/index.js';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Samples RSS and heap every 20 ms; returns the peaks. */
function memorySampler(): () => { rss: number; heap: number } {
  let rss = 0;
  let heap = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  };
  sample();
  const timer = setInterval(sample, 20);
  return () => {
    clearInterval(timer);
    sample();
    return { rss, heap };
  };
}

async function slotUtilisation(): Promise<boolean> {
  const N = 100;
  const SLOTS = 3;
  // 40 s jobs (+1.5 s answer, 3 s waiting) at 20x: about 2.2 s of real time each. The gap between
  // one job's end and the next one's start is a fixed ~20 ms (confirm window, channel snapshot,
  // journal fsync, POST), so the shorter the compressed job, the lower the measured utilisation.
  const timeScale = 20;
  const sim = await startSimulator({ timeScale });
  const mj = new Midjourney({
    token: sim.token,
    apiBaseUrl: sim.apiBaseUrl,
    gatewayUrl: sim.gatewayUrl,
    channelId: sim.channelId,
    guildId: sim.guildId,
    watch: 'gateway',
    concurrentJobs: SLOTS,
    minRequestSpacingMs: 0,
    pollMinMs: 500,
    pollMaxMs: 1_000,
    // Success is only reported after this window (ephemeral moderation check); kept short here.
    confirmWindowMs: 10,
    jobTimeoutMs: 60_000,
  });
  const dir = await mkdtemp(join(tmpdir(), 'mjw-bench-batch-'));
  const input = join(dir, 'prompts.txt');
  await writeFile(
    input,
    Array.from({ length: N }, (_, i) => `a lighthouse at dusk, study ${i + 1}`).join('\n'),
  );
  const peak = memorySampler();
  const started = performance.now();
  const { report } = await runBatch({
    input,
    out: join(dir, 'results.jsonl'),
    generator: mj,
    concurrency: SLOTS,
  });
  const wallMs = performance.now() - started;
  const memory = peak();
  await mj.close();

  const jobs = sim.jobs.filter((j) => j.kind === 'imagine');
  // The bot's own time per job (interaction received -> result posted), in real ms.
  const durations = jobs
    .map((j) => ((j.finishedAt ?? j.createdAt) - j.createdAt) / timeScale)
    .sort((a, b) => a - b);
  const median = durations[Math.floor(durations.length / 2)] ?? 0;
  const ideal = Math.ceil(N / SLOTS) * median;
  const busy = durations.reduce((sum, d) => sum + d, 0) / SLOTS;
  const apiCalls = sim.requests.filter((r) => r.path.startsWith('/api/')).length;
  const rateLimited = Object.values(sim.stats().rateLimited).reduce((sum, n) => sum + n, 0);
  await sim.close();
  await rm(dir, { recursive: true, force: true });

  const utilisation = ideal / wallMs;
  const rounds = Math.ceil(N / SLOTS);
  const gapPerRound = (wallMs - ideal) / rounds;
  console.log(`simulator, ${N} prompts, ${SLOTS} slots, gateway watch, time scale ${timeScale}`);
  console.log(`  outcomes            ${JSON.stringify(report.outcomes)}`);
  console.log(
    `  job time (bot)      median ${median.toFixed(0)} ms, min ${durations[0]?.toFixed(0)} ms, max ${durations.at(-1)?.toFixed(0)} ms`,
  );
  console.log(
    `  wall time           ${wallMs.toFixed(0)} ms (ideal ${ideal.toFixed(0)} ms = ceil(${N}/${SLOTS}) x median)`,
  );
  console.log(
    `  slot utilisation    ${utilisation.toFixed(3)} (target >= 0.98); bot slots busy ${(busy / wallMs).toFixed(3)} of the wall time (the last round runs 1 job on 3 slots)`,
  );
  console.log(
    `  gap per round       ${gapPerRound.toFixed(1)} ms between a slot freeing and its next job starting (start-up included)`,
  );
  console.log(`  Discord calls       ${apiCalls} (${(apiCalls / N).toFixed(2)} per job)`);
  console.log(`  429s                ${rateLimited} (target 0)`);
  console.log(`  peak memory         rss ${mb(memory.rss)}, heap ${mb(memory.heap)}`);
  return utilisation >= 0.98 && rateLimited === 0 && report.outcomes.success === N;
}

/** Completes every job on the next turn of the event loop: only the runner's own cost remains. */
class InstantGenerator extends EventEmitter<GenerationEvents> implements Generator {
  private seq = 0;
  async imagine(prompt: string, options: JobOptions = {}): Promise<GenerationResult> {
    this.seq += 1;
    const nonce = String(1_000_000_000_000_000_000n + BigInt(this.seq));
    const ticket: SubmissionTicket = {
      kind: 'imagine',
      prompt,
      channelId: '1100000000000000200',
      nonce,
      afterMessageId: null,
      submittedAt: Date.now(),
    };
    await options.onSubmit?.(ticket);
    this.emit('submitted', { id: nonce, kind: 'imagine', prompt }, ticket);
    await new Promise((resolve) => setImmediate(resolve));
    const jobId = `00000000-0000-4000-8000-${nonce.slice(-12)}`;
    const url = `https://cdn.example/attachments/${jobId}.png`;
    return {
      kind: 'imagine',
      jobId,
      messageId: nonce,
      channelId: ticket.channelId,
      prompt,
      echoedPrompt: prompt,
      imageUrl: url,
      imageUrls: [url],
      actions: { U1: `MJ::JOB::upsample::1::${jobId}` },
      messageFlags: 0,
      timings: { submittedAt: ticket.submittedAt, completedAt: Date.now(), durationMs: 1 },
    };
  }
  act(): Promise<GenerationResult> {
    return Promise.reject(new Error('not used'));
  }
  resume(): Promise<GenerationResult> {
    return Promise.reject(new Error('not used'));
  }
  async close(): Promise<void> {}
}

async function memoryFlat(): Promise<boolean> {
  const N = 10_000;
  const dir = await mkdtemp(join(tmpdir(), 'mjw-bench-batch-'));
  const input = join(dir, 'prompts.txt');
  await writeFile(input, Array.from({ length: N }, (_, i) => `prompt number ${i + 1}`).join('\n'));
  const heapAt = new Map<number, number>();
  const marks = new Set([1_000, 5_000, N]);
  gc();
  const baseline = process.memoryUsage().heapUsed;
  const peak = memorySampler();
  const started = performance.now();
  const { report } = await runBatch({
    input,
    out: join(dir, 'results.jsonl'),
    generator: new InstantGenerator(),
    concurrency: 3,
    onRunner: (runner) =>
      runner.on('finished', () => {
        const done = runner.progress.finishedThisRun;
        if (marks.has(done)) {
          gc();
          heapAt.set(done, process.memoryUsage().heapUsed);
        }
      }),
  });
  const wallMs = performance.now() - started;
  const memory = peak();
  await rm(dir, { recursive: true, force: true });
  const at1k = heapAt.get(1_000) ?? 0;
  const atN = heapAt.get(N) ?? 0;
  const perPrompt = (atN - at1k) / (N - 1_000);
  console.log(`\nfake generator (near-zero job time), ${N} prompts, 3 slots, journal fsync'd`);
  console.log(`  outcomes            ${JSON.stringify(report.outcomes)}`);
  console.log(
    `  wall time           ${wallMs.toFixed(0)} ms (${((N / wallMs) * 1000).toFixed(0)} prompts/s)`,
  );
  console.log(
    `  heap after GC       baseline ${mb(baseline)}; at 1,000 ${mb(at1k)}, 5,000 ${mb(heapAt.get(5_000) ?? 0)}, 10,000 ${mb(atN)} finished`,
  );
  console.log(
    `  growth              ${(perPrompt).toFixed(0)} bytes per prompt from 1,000 to 10,000 (the input, result ids, durations)`,
  );
  console.log(`  peak memory         rss ${mb(memory.rss)}, heap ${mb(memory.heap)}`);
  // Flat: what stays per finished prompt is its id, its duration and its input line, well under 1 KB.
  return report.outcomes.success === N && perPrompt < 1_024;
}

const utilisationOk = await slotUtilisation();
const memoryOk = await memoryFlat();
console.log(
  `\n${utilisationOk && memoryOk ? 'PASS' : 'FAIL'}: utilisation/429 targets ${utilisationOk ? 'met' : 'missed'}, memory ${memoryOk ? 'flat' : 'growing'}`,
);
process.exit(utilisationOk && memoryOk ? 0 : 1);
