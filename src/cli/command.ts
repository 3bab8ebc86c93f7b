import type { Readable, Writable } from 'node:stream';

/** Exit codes every command uses; a contract for scripts. */
export const ExitCode = {
  Ok: 0,
  /** Something failed that is not one of the classes below. */
  Failure: 1,
  /** Bad usage or configuration. */
  Usage: 2,
  /** A Midjourney outcome error (moderation, queue full, invalid request, ...). */
  Midjourney: 3,
  /** A Discord or transport error (HTTP, rate limit, network, token). */
  Discord: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** What a command gets from the router. */
export interface CommandContext {
  /** Arguments after the command name. */
  argv: string[];
  env: Readonly<Record<string, string | undefined>>;
  /** Where `mjw batch -` reads its prompts; process.stdin when absent. */
  stdin?: Readable;
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  /** Aborts on SIGINT / SIGTERM (the router installs the handlers). */
  signal: AbortSignal;
  /**
   * Aborts on the second SIGINT / SIGTERM, for a command with `finishesInFlight` (the first one
   * asks it to finish what is in flight, the second to abort that too). Other commands exit at once
   * on the second signal.
   */
  force?: AbortSignal;
}

export interface Command {
  name: string;
  /** One line for `mjw --help`. */
  summary: string;
  /** Full usage text for `mjw <name> --help`. */
  usage: string;
  run(ctx: CommandContext): Promise<number>;
  /** True when the command reads `ctx.force`: the second signal then aborts it instead of exiting. */
  finishesInFlight?: boolean;
}

/** Raised for bad command-line usage; the router prints it with the command's usage, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
