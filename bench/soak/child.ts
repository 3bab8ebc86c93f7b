/**
 * A target process of the soak (`mjw serve`, `mjw batch`): started from bin/mjw.js with the
 * environment that points it at the soak's simulator, its stdout / stderr appended to files in
 * the run directory (they are scanned for the token at the end), SIGKILLed and started again on
 * the same store or journal.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Simulator } from '../../src/simulator/index.js';
import { CLIENT_REQUEST_TIMEOUT_MS } from './soak-world.js';

const MJW = fileURLToPath(new URL('../../bin/mjw.js', import.meta.url));

/**
 * The client's confirmation window (real ms): scaled, but at least 100 ms like the other windows.
 * Scaled to 30 ms, the 1 s between the bot's deletion of a moderated result (2 s) and the window's
 * end (3 s) would be 10 ms, less than a busy machine's scheduling noise, and the soak would measure
 * the machine instead of the client.
 */
export function soakConfirmWindowMs(timeScale: number): number {
  return Math.max(100, Math.round(3_000 / timeScale));
}

/** The client's environment: the simulator's account and URLs, every duration divided by the time scale. */
export function clientEnvironment(
  sim: Simulator,
  options: { timeScale: number; slots: number; watch: 'poll' | 'gateway' },
): Record<string, string> {
  const scaled = (ms: number, min: number): string =>
    String(Math.max(min, Math.round(ms / options.timeScale)));
  const env: Record<string, string> = {};
  // Nothing of the engineer's own configuration leaks in.
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(DISCORD_|MJ_|MJW_|LOG_LEVEL$)/.test(key)) continue;
    env[key] = value;
  }
  return {
    ...env,
    DISCORD_API_BASE_URL: sim.apiBaseUrl,
    DISCORD_GATEWAY_URL: sim.gatewayUrl,
    DISCORD_TOKEN: sim.token,
    DISCORD_GUILD_ID: sim.guildId,
    DISCORD_CHANNEL_ID: sim.channelId,
    MJ_APPLICATION_ID: '936929561302675456',
    MJ_MIN_REQUEST_SPACING_MS: scaled(350, 1),
    MJ_REQUEST_TIMEOUT_MS: String(CLIENT_REQUEST_TIMEOUT_MS),
    MJ_POLL_MIN_MS: scaled(3_000, 1),
    MJ_POLL_MAX_MS: scaled(5_000, 1),
    MJ_JOB_TIMEOUT_MS: scaled(600_000, 1_000),
    MJ_CONFIRM_WINDOW_MS: String(soakConfirmWindowMs(options.timeScale)),
    MJ_NOT_SEEN_TIMEOUT_MS: scaled(60_000, 100),
    // Not below the longest hold of the soak's slow fault (the timeout + 500 ms, real time): Discord
    // acts on a held POST when it gets to it, and the grace exists to wait for that (30 s against
    // holds of seconds on Discord; scaled to 300 ms it would be shorter than the hold itself).
    MJ_AMBIGUOUS_GRACE_MS: String(
      Math.max(Math.round(30_000 / options.timeScale), CLIENT_REQUEST_TIMEOUT_MS * 2),
    ),
    MJ_RESUME_GRACE_MS: scaled(60_000, 100),
    MJ_CONCURRENT_JOBS: String(options.slots),
    MJ_WATCH: options.watch,
    LOG_LEVEL: 'info',
  };
}

export class SoakChild {
  private process: ChildProcess | undefined;
  private exit: Promise<number | null> = Promise.resolve(null);
  private readonly stdout: WriteStream;
  private readonly stderr: WriteStream;
  /** SIGKILLs sent. */
  kills = 0;
  starts = 0;
  /** Exits nobody asked for, by their signature (the error line and the first frame on stderr). */
  readonly crashes = new Map<string, number>();
  /** Called when the process ends without being asked to (a crash, or the batch finishing). */
  onExit: ((code: number | null, crashed: boolean) => void) | undefined;
  private stopping = false;

  constructor(
    readonly name: string,
    private readonly args: readonly string[],
    private readonly env: Record<string, string>,
    private readonly cwd: string,
  ) {
    this.stdout = createWriteStream(join(cwd, `${name}.stdout.log`), { flags: 'a' });
    this.stderr = createWriteStream(join(cwd, `${name}.stderr.log`), { flags: 'a' });
  }

  /** The current process's pid, while it runs. */
  get pid(): number | undefined {
    return this.running ? this.process?.pid : undefined;
  }

  get running(): boolean {
    return this.process !== undefined && this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Starts the process; resolves with the first stdout line matching `ready` (or '' when not asked). */
  start(ready?: RegExp): Promise<string> {
    this.starts += 1;
    const child = spawn(process.execPath, [MJW, ...this.args], {
      cwd: this.cwd,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process = child;
    this.stopping = false;
    let tail = '';
    const banner = `--- start ${this.starts} of ${this.name} at ${new Date().toISOString()} ---\n`;
    this.stderr.write(banner);
    child.stderr?.pipe(this.stderr, { end: false });
    child.stderr?.on('data', (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-4_000);
    });
    this.exit = new Promise((resolve) =>
      child.once('exit', (code) => {
        const crashed = !this.stopping && code !== 0 && code !== 3 && code !== 4;
        if (crashed) {
          const signature = crashSignature(tail, code);
          this.crashes.set(signature, (this.crashes.get(signature) ?? 0) + 1);
        }
        resolve(code);
        if (!this.stopping) this.onExit?.(code, crashed);
      }),
    );
    let seen = '';
    return new Promise((resolve, reject) => {
      if (ready === undefined) resolve('');
      child.stdout?.on('data', (chunk: Buffer) => {
        this.stdout.write(chunk);
        if (ready === undefined) return;
        seen += chunk.toString('utf8');
        const match = ready.exec(seen);
        if (match) resolve(match[0]);
      });
      void this.exit.then((code) => reject(new Error(`${this.name} exited (${code}) before it was ready`)));
    });
  }

  /** The exit code once the current process ends (null when it was killed). */
  exited(): Promise<number | null> {
    return this.exit;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    if (signal === 'SIGKILL') this.kills += 1;
    this.process?.kill(signal);
    await this.exit;
  }

  async close(): Promise<void> {
    this.onExit = undefined;
    const stopped = this.kill('SIGTERM');
    // A process that does not stop on SIGTERM within 15 s is stopped harder (not counted as a kill).
    const timer = setTimeout(() => this.process?.kill('SIGKILL'), 15_000);
    await stopped;
    clearTimeout(timer);
    await new Promise<void>((resolve) => this.stdout.end(() => resolve()));
    await new Promise<void>((resolve) => this.stderr.end(() => resolve()));
  }
}

/** A crash's error line and first stack frame, paths shortened, as one line. */
function crashSignature(stderr: string, code: number | null): string {
  const lines = stderr.split('\n').filter((line) => !line.startsWith('{'));
  const error = lines.findIndex((line) => /^\w*Error\b|^\w+Error:|Error:/.test(line.trim()));
  if (error < 0) return `exit ${code}`;
  const frames = lines.slice(error + 1).filter((line) => line.trim().startsWith('at '));
  // The first frame in our own code says where it broke; built-ins (`at BigInt`) do not.
  const frame = frames.find((line) => line.includes('/src/')) ?? frames[0];
  const short = (text: string): string => text.trim().replace(/\/[^\s()]*\/(src|node_modules)\//g, '$1/');
  return `exit ${code}: ${short(lines[error] ?? '')}${frame ? ` ${short(frame)}` : ''}`;
}
