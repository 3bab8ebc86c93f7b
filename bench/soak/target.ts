/** What every soak target receives and hands back. */
import type { Random } from '../../src/util/clock.js';
import type { SoakOptions } from './options.js';
import type { SoakPrompt } from './prompts.js';
import type { SoakWorld } from './soak-world.js';
import type { ReportedJob } from './verdict.js';

export interface TargetContext {
  options: SoakOptions;
  world: SoakWorld;
  /** The target's run directory: its logs, store or journal. */
  dir: string;
  prompts: readonly SoakPrompt[];
  random: Random;
  /** The strings whose presence is a token leak. */
  needles: readonly string[];
  /** Progress lines, on stderr. */
  log(line: string): void;
}

export interface TargetRun {
  reported: ReportedJob[];
  /** HTTP bodies that held the token (files are scanned afterwards). */
  httpLeaks: string[];
  kills: number;
  starts: number;
  /** Facts worth a line in the report that are not columns. */
  notes: string[];
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Mean `meanMs`, uniform in 0.5x..1.5x. */
export function jittered(meanMs: number, random: Random): number {
  return meanMs * (0.5 + random());
}
