/**
 * `mjw sim`: runs the Discord + Midjourney simulator standalone and prints the environment that
 * points a client (this one, or any other) at it, then serves until interrupted.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  MAX_SIM_ACCOUNTS,
  type SimAccounts,
  simAccounts,
  simAccountsFile,
  startSimulator,
} from '../../simulator/index.js';
import { parseCommandLine } from '../args.js';
import { type Command, ExitCode, UsageError } from '../command.js';

const USAGE = `Usage: mjw sim [--port 8787] [--time-scale N] [--seed N] [--accounts N [--accounts-file path]] [--evidence-seed N] [--verbose]

Runs a local Discord (HTTP API, gateway, CDN) with the simulated Midjourney bot on 127.0.0.1 and
prints the variables that point a client at it. Runs until Ctrl-C.

Options:
  --port N        port to listen on (default 8787; 0 picks a free one)
  --time-scale N  simulated time runs N times faster: jobs, heartbeats, rate-limit windows (default 1)
  --seed N        seed of the simulator's and the bot's random choices (default 1)
  --accounts N    N users, each with its own token, channel and slots (1-${MAX_SIM_ACCOUNTS}); writes an
                  accounts file for them and prints MJ_ACCOUNTS_FILE
  --accounts-file path  where --accounts writes (default sim-accounts.json)
  --evidence-seed N
                  vary which evidence each bot message carries (footer, interaction objects, nonce
                  on later messages, reply reference), drawn from N; default: the same on every message
  --verbose       print one line per request to stderr`;

/** Where `--accounts` writes the accounts file by default (in the working directory). */
export const DEFAULT_SIM_ACCOUNTS_FILE = 'sim-accounts.json';

interface SimArgs {
  port: number;
  timeScale: number;
  seed: number;
  evidenceSeed: number | undefined;
  verbose: boolean;
  /** `--accounts N`: that many users, each in its own channel. */
  accounts?: number;
  accountsFile?: string;
}

function number(
  name: string,
  raw: string | undefined,
  fallback: number,
  check: (n: number) => boolean,
  range: string,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !check(value)) throw new UsageError(`--${name}: expected ${range}, got "${raw}"`);
  return value;
}

export function parseSimArgs(argv: string[]): SimArgs {
  const { values } = parseCommandLine(
    argv,
    {
      port: { type: 'string' },
      'time-scale': { type: 'string' },
      seed: { type: 'string' },
      accounts: { type: 'string' },
      'accounts-file': { type: 'string' },
      'evidence-seed': { type: 'string' },
      verbose: { type: 'boolean' },
    },
    false,
  );
  const accountsFile = values['accounts-file'] as string | undefined;
  if (accountsFile !== undefined && values.accounts === undefined) {
    throw new UsageError('--accounts-file: only with --accounts N');
  }
  if (accountsFile !== undefined && accountsFile.trim() === '') {
    throw new UsageError('--accounts-file: expected a file path, got ""');
  }
  const accounts =
    values.accounts === undefined
      ? undefined
      : number(
          'accounts',
          values.accounts as string,
          1,
          (n) => Number.isInteger(n) && n >= 1 && n <= MAX_SIM_ACCOUNTS,
          `an integer in 1..${MAX_SIM_ACCOUNTS}`,
        );
  return {
    ...(accounts === undefined ? {} : { accounts, accountsFile: accountsFile ?? DEFAULT_SIM_ACCOUNTS_FILE }),
    port: number(
      'port',
      values.port as string | undefined,
      8787,
      (n) => Number.isInteger(n) && n >= 0 && n <= 65_535,
      'an integer in 0..65535',
    ),
    timeScale: number(
      'time-scale',
      values['time-scale'] as string | undefined,
      1,
      (n) => Number.isFinite(n) && n > 0 && n <= 10_000,
      'a number in (0, 10000]',
    ),
    seed: number(
      'seed',
      values.seed as string | undefined,
      1,
      (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32,
      'an integer in 0..4294967295',
    ),
    evidenceSeed:
      values['evidence-seed'] === undefined
        ? undefined
        : number(
            'evidence-seed',
            values['evidence-seed'] as string,
            0,
            (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32,
            'an integer in 0..4294967295',
          ),
    verbose: values.verbose === true,
  };
}

/** Client settings scaled to the simulator: pacing and polling shrink with its time. */
function clientEnvironment(
  sim: { apiBaseUrl: string; gatewayUrl: string; token: string; guildId: string; channelId: string },
  timeScale: number,
): string[] {
  const scaled = (ms: number, min: number): number => Math.max(min, Math.round(ms / timeScale));
  return [
    `DISCORD_API_BASE_URL=${sim.apiBaseUrl}`,
    `DISCORD_GATEWAY_URL=${sim.gatewayUrl}`,
    `DISCORD_TOKEN=${sim.token}`,
    `DISCORD_GUILD_ID=${sim.guildId}`,
    `DISCORD_CHANNEL_ID=${sim.channelId}`,
    'MJ_APPLICATION_ID=936929561302675456',
    `MJ_MIN_REQUEST_SPACING_MS=${scaled(350, 0)}`,
    `MJ_POLL_MIN_MS=${scaled(3_000, 1)}`,
    `MJ_POLL_MAX_MS=${scaled(5_000, 1)}`,
    `MJ_JOB_TIMEOUT_MS=${scaled(600_000, 1_000)}`,
  ];
}

export const simCommand: Command = {
  name: 'sim',
  summary: 'Run the Discord + Midjourney simulator standalone and print the variables that target it',
  usage: USAGE,
  async run(ctx) {
    const args = parseSimArgs(ctx.argv);
    if (ctx.signal.aborted) return ExitCode.Ok;
    const several: SimAccounts | undefined =
      args.accounts === undefined ? undefined : simAccounts(args.accounts);
    const sim = await startSimulator({
      ...several?.init,
      port: args.port,
      timeScale: args.timeScale,
      seed: args.seed,
      bot: {
        seed: args.seed,
        ...(args.evidenceSeed === undefined ? {} : { evidence: { seed: args.evidenceSeed } }),
      },
      ...(args.verbose
        ? {
            onRequest: (entry) =>
              ctx.stderr.write(
                `${new Date(entry.time).toISOString()} ${entry.route} -> ${entry.status}${entry.fault ? ` (${entry.fault})` : ''}\n`,
              ),
          }
        : {}),
    });
    let accountLines: string[] = [];
    if (several !== undefined && args.accountsFile !== undefined) {
      const path = resolve(args.accountsFile);
      const slots = sim.bot.options.fastSlots;
      const file = simAccountsFile(several.accounts, sim.guildId, slots);
      await writeFile(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
      accountLines = [
        `# ${several.accounts.length} accounts (${slots} slots each, one channel each) written to ${path}:`,
        `MJ_ACCOUNTS_FILE=${path}`,
      ];
    }
    ctx.stdout.write(
      [
        `# midjourney-worker simulator on ${sim.cdnBaseUrl} (time scale ${args.timeScale}); Ctrl-C to stop.`,
        "# The token below is the simulator's own, not a Discord secret. Paste these into .env or export them:",
        ...clientEnvironment(sim, args.timeScale),
        ...accountLines,
        '',
      ].join('\n'),
    );
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await sim.close();
    ctx.stderr.write('mjw sim: stopped\n');
    return ExitCode.Ok;
  },
};
