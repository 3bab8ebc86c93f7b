/**
 * `mjw`: the command router. Commands load lazily so `mjw --help` stays instant and a command's
 * dependencies (fastify, sqlite) load only when it runs.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/errors.js';
import { environmentWarnings } from '../config/index.js';
import { didYouMean } from '../util/suggest.js';
import { type Command, type CommandContext, ExitCode, UsageError } from './command.js';

interface CommandEntry {
  summary: string;
  load: () => Promise<Command>;
}

export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  start: {
    summary:
      'Run examples/prompts.txt end to end (against the simulator when no Discord credentials are set)',
    load: async () => (await import('./commands/start.js')).startCommand,
  },
  imagine: {
    summary: 'Generate one prompt and wait for its outcome (--json for one machine-readable line)',
    load: async () => (await import('./commands/imagine.js')).imagineCommand,
  },
  describe: {
    summary: 'Describe an image: four prompts Midjourney writes for it',
    load: async () => (await import('./commands/describe.js')).describeCommand,
  },
  blend: {
    summary: 'Blend 2-5 images into one grid',
    load: async () => (await import('./commands/blend.js')).blendCommand,
  },
  shorten: {
    summary: 'Shorten a prompt: its important tokens and five shorter prompts',
    load: async () => (await import('./commands/shorten.js')).shortenCommand,
  },
  seed: {
    summary: "Print a finished job's seed (reacts ✉️, reads Midjourney's DM)",
    load: async () => (await import('./commands/seed.js')).seedCommand,
  },
  settings: {
    summary: "Show or change the account's /settings (remix, speed, version, stylize, privacy)",
    load: async () => (await import('./commands/settings.js')).settingsCommand,
  },
  act: {
    summary: 'Press a button on a finished result (forms: --prompt, --mask)',
    load: async () => (await import('./commands/act.js')).actCommand,
  },
  info: {
    summary: "Show the account's /info: plan, mode, fast time remaining, jobs",
    load: async () => (await import('./commands/info.js')).infoCommand,
  },
  batch: {
    summary: 'Run a file of prompts with the slots kept full; resumable after a crash',
    load: async () => (await import('./commands/batch.js')).batchCommand,
  },
  serve: {
    summary: 'Serve the HTTP API (jobs, SSE events, webhooks, midjourney-proxy compatible routes)',
    load: async () => (await import('./commands/serve.js')).serveCommand,
  },
  sim: {
    summary: 'Run the Discord + Midjourney simulator standalone and print the variables that target it',
    load: async () => (await import('./commands/sim.js')).simCommand,
  },
  worker: {
    summary: 'Drive an account for a cluster on Redis (MJW_REDIS_URL): jobs queued by the API nodes',
    load: async () => (await import('./commands/worker.js')).workerCommand,
  },
};

/** Commands that send prompts: `--precheck` (MJ_PRECHECK=on) applies to them. */
const PRECHECK_COMMANDS = new Set(['start', 'imagine', 'batch', 'serve', 'worker']);

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export function helpText(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`);
  return [
    'Usage: mjw <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    "Run `mjw help <command>` (or `mjw <command> --help`) for a command's options. Configuration comes from the environment",
    'and .env (see .env.example); with no DISCORD_TOKEN the commands use the built-in simulator.',
    'Every command takes --verbose (LOG_LEVEL=debug) and honours LOG_LEVEL; logs go to stderr, as',
    'human lines on a terminal and as JSON lines otherwise (imagine, batch and start: always human).',
    'start, imagine, batch, serve and worker take --precheck (MJ_PRECHECK=on): prompts Midjourney would',
    'certainly refuse (banned words, unknown parameters) fail locally with a typed error, nothing sent.',
  ].join('\n');
}

/** The `--json` object for a failure that happened before (or outside) the command's own output. */
function failureJson(error: unknown): string {
  const e = error instanceof Error ? error : new Error(String(error));
  const own = (e as { code?: unknown }).code;
  const code = e instanceof UsageError ? 'USAGE' : typeof own === 'string' ? own : 'ERROR';
  return `${JSON.stringify({ ok: false, error: { name: e.name, code, message: e.message, retryable: false } })}\n`;
}

function unknownCommand(name: string): string {
  return `mjw: unknown command "${name}".${didYouMean(name, Object.keys(COMMANDS))} Run \`mjw help\` for the list of commands.`;
}

/** Runs one command line; returns the exit code. Exported for tests. */
export async function runCli(
  argv: string[],
  ctx: Omit<CommandContext, 'argv'>,
  /** Told which command runs (the signal handlers ask whether it finishes jobs in flight). */
  onCommand?: (command: Command) => void,
): Promise<number> {
  const [name, ...rest] = argv;
  // With --json, stdout carries exactly one JSON object whatever happens, usage errors included.
  const json = rest.includes('--json');
  const fail = (error: unknown, human: string, code: ExitCode): ExitCode => {
    ctx.stderr.write(`${human}\n`);
    if (json) ctx.stdout.write(failureJson(error));
    return code;
  };
  if (name === undefined || name === '--help' || name === '-h') {
    ctx.stdout.write(`${helpText()}\n`);
    return name === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  if (name === 'help') {
    // `mjw help <command>`: that command's usage.
    const topic = rest[0];
    if (topic === undefined) {
      ctx.stdout.write(`${helpText()}\n`);
      return ExitCode.Ok;
    }
    const entry = COMMANDS[topic];
    if (entry === undefined) {
      ctx.stderr.write(`${unknownCommand(topic)}\n`);
      return ExitCode.Usage;
    }
    ctx.stdout.write(`${(await entry.load()).usage}\n`);
    return ExitCode.Ok;
  }
  if (name === '--version' || name === '-v') {
    ctx.stdout.write(`${version()}\n`);
    return ExitCode.Ok;
  }
  const entry = COMMANDS[name];
  if (entry === undefined) {
    return fail(new UsageError(`unknown command "${name}"`), unknownCommand(name), ExitCode.Usage);
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    ctx.stdout.write(`${command.usage}\n`);
    return ExitCode.Ok;
  }
  onCommand?.(command);
  // `--verbose` on any command is LOG_LEVEL=debug (sim keeps its own --verbose: request lines).
  let args = rest;
  let env = ctx.env;
  if (name !== 'sim' && rest.includes('--verbose')) {
    args = args.filter((arg) => arg !== '--verbose');
    env = { ...env, LOG_LEVEL: 'debug' };
  }
  // `--precheck` on the commands that send prompts is MJ_PRECHECK=on.
  if (PRECHECK_COMMANDS.has(name) && args.includes('--precheck')) {
    args = args.filter((arg) => arg !== '--precheck');
    env = { ...env, MJ_PRECHECK: 'on' };
  }
  for (const warning of environmentWarnings({ env })) ctx.stderr.write(`mjw: warning: ${warning}\n`);
  try {
    return await command.run({ ...ctx, env, argv: args });
  } catch (error) {
    if (error instanceof UsageError) {
      return fail(error, `mjw ${name}: ${error.message}\n\n${command.usage}`, ExitCode.Usage);
    }
    if (error instanceof ConfigError) return fail(error, `mjw ${name}: ${error.message}`, ExitCode.Usage);
    if (json) {
      // Still one object on stdout; the stack goes to stderr for the bug report.
      return fail(
        error,
        `mjw ${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        ExitCode.Failure,
      );
    }
    throw error;
  }
}

/**
 * Aborts `graceful` on the first SIGINT / SIGTERM so commands drain. The second one aborts `force`
 * when the running command handles it (`finishesInFlight`), else exits at once; a third always does.
 */
function installSignalHandlers(
  graceful: AbortController,
  force: AbortController,
  running: () => Command | undefined,
): void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    received += 1;
    if (received === 2 && running()?.finishesInFlight === true) {
      process.stderr.write(`\nmjw: second ${signal}, aborting the jobs in flight (again to exit now)\n`);
      force.abort(new DOMException(`Interrupted twice by ${signal}`, 'AbortError'));
      return;
    }
    if (received > 1) {
      process.stderr.write(`\nmjw: ${signal} again, exiting now\n`);
      process.exit(130);
    }
    process.stderr.write(`\nmjw: ${signal} received, finishing jobs in flight (again to stop)\n`);
    graceful.abort(new Error(`Interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** The process entry: bin/mjw.js calls this. */
export async function main(): Promise<void> {
  const controller = new AbortController();
  const force = new AbortController();
  let running: Command | undefined;
  installSignalHandlers(controller, force, () => running);
  try {
    process.exitCode = await runCli(
      process.argv.slice(2),
      {
        env: process.env,
        stdin: process.stdin,
        stdout: process.stdout,
        stderr: process.stderr,
        signal: controller.signal,
        force: force.signal,
      },
      (command) => {
        running = command;
      },
    );
  } catch (error) {
    process.stderr.write(`mjw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = ExitCode.Failure;
  }
}
