/**
 * `mjw sim`: runs the Discord + Midjourney simulator standalone and prints the environment that
 * points a client (this one, or any other) at it, then serves until interrupted.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DISCORD_MIN_REQUEST_SPACING_MS, MIDJOURNEY_APPLICATION_ID } from '../../config/index.js';
import { DEFAULT_GENERATION_SETTINGS } from '../../generation/options.js';
import {
  MAX_SIM_ACCOUNTS,
  type SimAccounts,
  simAccounts,
  simAccountsFile,
  startSimulator,
} from '../../simulator/index.js';
import { parseCommandLine } from '../args.js';
import { type Command, ExitCode, UsageError } from '../command.js';
import { envLine } from '../env-lines.js';

const USAGE = `Usage: mjw sim [--port 8787] [--time-scale N] [--seed N] [--accounts N [--accounts-file path]]
               [--job-ms N] [--upscale-ms N] [--wait-ms N] [--answer-ms N]
               [--evidence-seed N] [--env-file path] [--verbose]

Runs a local Discord (HTTP API, gateway, CDN) with the simulated Midjourney bot on 127.0.0.1 and
prints every variable that points a client at it, shell-quoted so they can be pasted into a shell
or sourced from --env-file (\`set -a; . ./sim.env; set +a\`). Runs until Ctrl-C.

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
  --env-file path also write the variables to this file (dotenv format, mode 0600), e.g. .env
  --verbose       print one line per request to stderr

Midjourney's own timings, in ms (divided by --time-scale like everything else):
  --job-ms N      a fast job, first progress to result (default 40000)
  --upscale-ms N  an upscale (default 4000)
  --wait-ms N     "Waiting to start" before the first progress (default 3000)
  --answer-ms N   the interaction to the bot's first message (default 1500)
With --time-scale 1 and short Midjourney timings, Discord's own timings (heartbeats, rate-limit
windows, resets) stay real while jobs are quick: fair to clients whose timers cannot be scaled.`;

/** Flags of the bot's durations -> MidjourneyBotOptions fields. */
const BOT_TIMINGS = {
  'job-ms': 'jobDurationMs',
  'upscale-ms': 'upscaleDurationMs',
  'wait-ms': 'waitingMs',
  'answer-ms': 'answerDelayMs',
} as const;

export type SimBotTimings = Partial<Record<(typeof BOT_TIMINGS)[keyof typeof BOT_TIMINGS], number>>;

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
  /** `--env-file path`: where the variables are written too. */
  envFile?: string;
  /** `--job-ms` and the others: Midjourney's durations; absent when none is given. */
  botTimings?: SimBotTimings;
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
      'env-file': { type: 'string' },
      verbose: { type: 'boolean' },
      'job-ms': { type: 'string' },
      'upscale-ms': { type: 'string' },
      'wait-ms': { type: 'string' },
      'answer-ms': { type: 'string' },
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
  const envFile = values['env-file'] as string | undefined;
  if (envFile !== undefined && envFile.trim() === '')
    throw new UsageError('--env-file: expected a file path, got ""');
  const botTimings: SimBotTimings = {};
  for (const [flag, field] of Object.entries(BOT_TIMINGS) as [
    keyof typeof BOT_TIMINGS,
    keyof SimBotTimings,
  ][]) {
    const raw = values[flag] as string | undefined;
    if (raw === undefined) continue;
    botTimings[field] = number(
      flag,
      raw,
      0,
      (n) => Number.isInteger(n) && n >= (flag === 'job-ms' ? 1 : 0) && n <= 3_600_000,
      `an integer number of ms in ${flag === 'job-ms' ? 1 : 0}..3600000`,
    );
  }
  return {
    ...(envFile === undefined ? {} : { envFile }),
    ...(Object.keys(botTimings).length === 0 ? {} : { botTimings }),
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

/**
 * Every variable a client needs to target the simulator: its account and URLs, the gateway (the
 * simulator's notices are ephemeral, as on Discord), and every pacing and orchestrator duration
 * divided by the time scale (not-seen timeout, confirm window, graces included), each clamped to
 * what the configuration accepts. Values are shell-quoted.
 */
export function clientEnvironment(
  sim: {
    apiBaseUrl: string;
    gatewayUrl: string;
    cdnBaseUrl: string;
    token: string;
    guildId: string;
    channelId: string;
  },
  timeScale: number,
): string[] {
  const d = DEFAULT_GENERATION_SETTINGS;
  const scaled = (ms: number, min: number): number => Math.max(min, Math.round(ms / timeScale));
  return [
    envLine('DISCORD_API_BASE_URL', sim.apiBaseUrl),
    envLine('DISCORD_GATEWAY_URL', sim.gatewayUrl),
    envLine('DISCORD_TOKEN', sim.token),
    envLine('DISCORD_GUILD_ID', sim.guildId),
    envLine('DISCORD_CHANNEL_ID', sim.channelId),
    envLine('MJ_APPLICATION_ID', MIDJOURNEY_APPLICATION_ID),
    envLine('MJ_INPAINT_URL', `${sim.cdnBaseUrl}/inpaint/api/submit-job`),
    envLine('MJ_WATCH', 'gateway'),
    envLine('MJ_MIN_REQUEST_SPACING_MS', scaled(DISCORD_MIN_REQUEST_SPACING_MS, 0)),
    envLine('MJ_POLL_MIN_MS', scaled(d.pollMinMs, 1)),
    envLine('MJ_POLL_MAX_MS', scaled(d.pollMaxMs, 1)),
    envLine('MJ_CONFIRM_READ_GAP_MS', scaled(d.confirmReadGapMs, 0)),
    envLine('MJ_JOB_TIMEOUT_MS', scaled(d.jobTimeoutMs, 1_000)),
    envLine('MJ_CONFIRM_WINDOW_MS', scaled(d.confirmWindowMs, 0)),
    envLine('MJ_NOT_SEEN_TIMEOUT_MS', scaled(d.notSeenTimeoutMs, 100)),
    envLine('MJ_AMBIGUOUS_GRACE_MS', scaled(d.ambiguousGraceMs, 100)),
    envLine('MJ_RESUME_GRACE_MS', scaled(d.resumeGraceMs, 100)),
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
        ...args.botTimings,
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
    const o = sim.bot.options;
    let accountLines: string[] = [];
    if (several !== undefined && args.accountsFile !== undefined) {
      const path = resolve(args.accountsFile);
      const slots = sim.bot.options.fastSlots;
      const file = simAccountsFile(several.accounts, sim.guildId, slots);
      await writeFile(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
      accountLines = [
        `# ${several.accounts.length} accounts (${slots} slots each, one channel each) written to ${path}:`,
        envLine('MJ_ACCOUNTS_FILE', path),
      ];
    }
    const variables = [...clientEnvironment(sim, args.timeScale), ...accountLines];
    let written: string[] = [];
    if (args.envFile !== undefined) {
      const path = resolve(args.envFile);
      await writeFile(
        path,
        [
          `# mjw sim on ${sim.cdnBaseUrl} (time scale ${args.timeScale}), written ${new Date().toISOString()}`,
          ...variables,
          '',
        ].join('\n'),
        { mode: 0o600 },
      );
      written = [`# also written to ${path}`];
    }
    ctx.stdout.write(
      [
        `# midjourney-worker simulator on ${sim.cdnBaseUrl} (time scale ${args.timeScale}); Ctrl-C to stop.`,
        `# Midjourney: answer ${o.answerDelayMs} ms, waiting ${o.waitingMs} ms, job ${o.jobDurationMs} ms, upscale ${o.upscaleDurationMs} ms (simulated time).`,
        "# The token below is the simulator's own, not a Discord secret. Paste these into .env or export them:",
        ...written,
        ...variables,
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
