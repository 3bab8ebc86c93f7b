/**
 * `npm run soak` options: the command line, its defaults and the usage text. Durations given on
 * the command line are real seconds; everything the simulator plays is divided by `timeScale`.
 */
import { parseArgs } from 'node:util';

export type SoakTarget = 'service' | 'batch' | 'cluster';
export type SoakWatch = 'poll' | 'gateway' | 'mixed';

export interface SoakOptions {
  /** Jobs per target. Default 2_000. */
  jobs: number;
  /** Seed of every random choice: prompts, faults, kill times, the simulator. Default 1. */
  seed: number;
  /** Simulated ms per real ms. Default 100 (a 45 s job takes about half a second). */
  timeScale: number;
  /** Mean real seconds between two SIGKILLs of the target (uniform in 0.5x..1.5x); 0 disables. Default 15. */
  killEverySec: number;
  /** Mean simulator requests between two armed faults (a 5xx burst may hit up to 4). Default 30. */
  faultEvery: number;
  /**
   * Which targets to run, one after the other, each against a fresh simulator. Default all three
   * (the cluster is skipped, with a printed line, when its Redis cannot be reached).
   */
  targets: SoakTarget[];
  /** Cluster: worker processes beside the API node. Default 2. */
  workers: number;
  /** How the targets watch jobs: `mixed` is the gateway for the service and polling for the batch. Default mixed. */
  watch: SoakWatch;
  /** The account's concurrent slots (simulated bot and `MJ_CONCURRENT_JOBS`). Default 6. */
  slots: number;
  /** Service: accepted jobs not yet final before the driver waits. Default 60. */
  window: number;
  /** Real minutes of feeding and kills per target before the drain. Default 10. */
  maxMinutes: number;
  /** Real seconds of the final drain (no kills, no faults). Default 90. */
  drainSec: number;
  /** Machine-readable output: one JSON object on stdout. */
  json: boolean;
  /** Where run directories go (logs, store, journal); default a new folder under the OS temp dir. */
  dir: string | undefined;
}

export const DEFAULT_SOAK_OPTIONS: Readonly<SoakOptions> = Object.freeze({
  jobs: 2_000,
  seed: 1,
  timeScale: 100,
  killEverySec: 15,
  faultEvery: 30,
  targets: ['service', 'batch', 'cluster'] as SoakTarget[],
  workers: 2,
  watch: 'mixed' as SoakWatch,
  slots: 6,
  window: 60,
  maxMinutes: 10,
  drainSec: 90,
  json: false,
  dir: undefined,
});

export const SOAK_USAGE = `Usage: npm run soak -- [--jobs 2000] [--seed 1] [--time-scale 100] [--kill-every 15]
                      [--fault-every 30] [--target service|batch|cluster|both|all]
                      [--watch mixed|poll|gateway] [--workers 2] [--slots 6] [--window 60]
                      [--max-minutes 10] [--drain 90] [--dir <path>] [--json]

Runs N jobs through \`mjw serve\`, \`mjw batch\` and a cluster on Redis (an API node and
--workers \`mjw worker\` processes; MJW_SOAK_REDIS_URL, default redis://127.0.0.1:6379), child
processes SIGKILLed at random and restarted on the same store / journal / Redis, against an
in-process simulator with every fault armed,
then compares what each target reported with what the simulator recorded. Exit 0 when every
column but the invalid-request rate is zero.`;

class SoakUsageError extends Error {
  override readonly name = 'SoakUsageError';
}

function num(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new SoakUsageError(`--${name}: expected a number in ${min}..${max}, got "${raw}"`);
  }
  return value;
}

export function parseSoakArgs(argv: string[]): SoakOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      jobs: { type: 'string' },
      seed: { type: 'string' },
      'time-scale': { type: 'string' },
      'kill-every': { type: 'string' },
      'fault-every': { type: 'string' },
      target: { type: 'string' },
      watch: { type: 'string' },
      workers: { type: 'string' },
      slots: { type: 'string' },
      window: { type: 'string' },
      'max-minutes': { type: 'string' },
      drain: { type: 'string' },
      dir: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(SOAK_USAGE);
    process.exit(0);
  }
  const d = DEFAULT_SOAK_OPTIONS;
  const target = values.target ?? 'all';
  const groups: Record<string, SoakTarget[]> = {
    service: ['service'],
    batch: ['batch'],
    cluster: ['cluster'],
    both: ['service', 'batch'],
    all: ['service', 'batch', 'cluster'],
  };
  const targets = groups[target];
  if (targets === undefined) {
    throw new SoakUsageError(`--target: expected service, batch, cluster, both or all, got "${target}"`);
  }
  const watch = values.watch ?? d.watch;
  if (!['mixed', 'poll', 'gateway'].includes(watch)) {
    throw new SoakUsageError(`--watch: expected mixed, poll or gateway, got "${watch}"`);
  }
  return {
    jobs: Math.round(num('jobs', values.jobs, d.jobs, 1, 1_000_000)),
    seed: Math.round(num('seed', values.seed, d.seed, 0, 2 ** 32 - 1)),
    timeScale: num('time-scale', values['time-scale'], d.timeScale, 1, 200),
    killEverySec: num('kill-every', values['kill-every'], d.killEverySec, 0, 3_600),
    faultEvery: num('fault-every', values['fault-every'], d.faultEvery, 2, 1_000_000),
    targets,
    workers: Math.round(num('workers', values.workers, d.workers, 1, 16)),
    watch: watch as SoakWatch,
    slots: Math.round(num('slots', values.slots, d.slots, 1, 24)),
    window: Math.round(num('window', values.window, d.window, 1, 100_000)),
    maxMinutes: num('max-minutes', values['max-minutes'], d.maxMinutes, 0.1, 600),
    drainSec: num('drain', values.drain, d.drainSec, 1, 3_600),
    json: values.json === true,
    dir: values.dir,
  };
}

export function isSoakUsageError(error: unknown): error is SoakUsageError {
  return error instanceof SoakUsageError;
}
