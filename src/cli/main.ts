/**
 * `mjw`: the command router. Commands load lazily so `mjw --help` stays instant and a command's
 * dependencies (fastify, sqlite) load only when it runs.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/errors.js';
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
    "Run `mjw <command> --help` for a command's options. Configuration comes from the environment",
    'and .env (see .env.example); with no DISCORD_TOKEN the commands use the built-in simulator.',
  ].join('\n');
}

/** Runs one command line; returns the exit code. Exported for tests. */
export async function runCli(argv: string[], ctx: Omit<CommandContext, 'argv'>): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ctx.stdout.write(`${helpText()}\n`);
    return name === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  if (name === '--version' || name === '-v') {
    ctx.stdout.write(`${version()}\n`);
    return ExitCode.Ok;
  }
  const entry = COMMANDS[name];
  if (entry === undefined) {
    ctx.stderr.write(`mjw: unknown command "${name}"\n\n${helpText()}\n`);
    return ExitCode.Usage;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    ctx.stdout.write(`${command.usage}\n`);
    return ExitCode.Ok;
  }
  try {
    return await command.run({ ...ctx, argv: rest });
  } catch (error) {
    if (error instanceof UsageError) {
      ctx.stderr.write(`mjw ${name}: ${error.message}\n\n${command.usage}\n`);
      return ExitCode.Usage;
    }
    if (error instanceof ConfigError) {
      ctx.stderr.write(`mjw ${name}: ${error.message}\n`);
      return ExitCode.Usage;
    }
    throw error;
  }
}

/** Aborts on the first SIGINT / SIGTERM so commands drain; a second one exits at once. */
function installSignalHandlers(controller: AbortController): void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    received += 1;
    if (received > 1) {
      process.stderr.write(`\nmjw: second ${signal}, exiting now\n`);
      process.exit(130);
    }
    process.stderr.write(`\nmjw: ${signal} received, finishing jobs in flight (again to exit now)\n`);
    controller.abort(new Error(`Interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** The process entry: bin/mjw.js calls this. */
export async function main(): Promise<void> {
  const controller = new AbortController();
  installSignalHandlers(controller);
  try {
    process.exitCode = await runCli(process.argv.slice(2), {
      env: process.env,
      stdout: process.stdout,
      stderr: process.stderr,
      signal: controller.signal,
    });
  } catch (error) {
    process.stderr.write(`mjw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = ExitCode.Failure;
  }
}
