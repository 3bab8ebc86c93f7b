/** `mjw sim`: starts the simulator, prints working variables, stops on the signal. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/command.js';
import { parseSimArgs, simCommand } from '../../src/cli/commands/sim.js';
import { shellQuote } from '../../src/cli/env-lines.js';
import { loadConfig } from '../../src/config/index.js';
import { Midjourney } from '../../src/generation/midjourney.js';
import { call } from './helpers/http.js';

/** The shell's reading of one single-quoted (or bare) value. */
function unquote(value: string): string {
  return value.startsWith("'") ? value.slice(1, -1).replaceAll("'\\''", "'") : value;
}

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { stream, text: () => text };
}

describe('mjw sim', () => {
  it('prints the variables that point a client at it, which work, and stops on abort', async () => {
    const stdout = capture();
    const stderr = capture();
    const controller = new AbortController();
    const run = simCommand.run({
      argv: ['--port', '0', '--time-scale', '10', '--verbose'],
      env: {},
      stdout: stdout.stream,
      stderr: stderr.stream,
      signal: controller.signal,
    });
    const deadline = Date.now() + 5_000;
    while (!stdout.text().includes('MJ_JOB_TIMEOUT_MS') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const env = Object.fromEntries(
      stdout
        .text()
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), unquote(line.slice(line.indexOf('=') + 1))]),
    );
    expect(Object.keys(env)).toEqual([
      'DISCORD_API_BASE_URL',
      'DISCORD_GATEWAY_URL',
      'DISCORD_TOKEN',
      'DISCORD_GUILD_ID',
      'DISCORD_CHANNEL_ID',
      'MJ_APPLICATION_ID',
      'MJ_INPAINT_URL',
      'MJ_WATCH',
      'MJ_MIN_REQUEST_SPACING_MS',
      'MJ_POLL_MIN_MS',
      'MJ_POLL_MAX_MS',
      'MJ_CONFIRM_READ_GAP_MS',
      'MJ_JOB_TIMEOUT_MS',
      'MJ_CONFIRM_WINDOW_MS',
      'MJ_NOT_SEEN_TIMEOUT_MS',
      'MJ_AMBIGUOUS_GRACE_MS',
      'MJ_RESUME_GRACE_MS',
    ]);
    // Quoted: an unquoted `&` would background the rest of the line under eval.
    expect(stdout.text()).toMatch(/^DISCORD_GATEWAY_URL='ws:\/\/127\.0\.0\.1:\d+\/\?v=10&encoding=json'$/m);
    expect(env.MJ_NOT_SEEN_TIMEOUT_MS).toBe('6000');
    expect(env.MJ_CONFIRM_WINDOW_MS).toBe('300');
    expect(env.DISCORD_API_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v10$/);
    expect(env.DISCORD_GATEWAY_URL).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/\?v=10&encoding=json$/);
    expect(env.MJ_MIN_REQUEST_SPACING_MS).toBe('35');
    expect(env.MJ_POLL_MIN_MS).toBe('300');
    expect(env.MJ_CONFIRM_READ_GAP_MS).toBe('200');
    expect(env.MJ_INPAINT_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/inpaint\/api\/submit-job$/);
    const me = await call(`${env.DISCORD_API_BASE_URL}/users/@me`, 'GET', { token: env.DISCORD_TOKEN ?? '' });
    expect(me.status).toBe(200);
    expect(stderr.text()).toContain('GET /users/@me -> 200');
    controller.abort();
    await expect(run).resolves.toBe(0);
    await expect(call(`${env.DISCORD_API_BASE_URL}/users/@me`, 'GET')).rejects.toThrow();
  });

  it.each([
    [['--port', 'http'], /--port: expected an integer in 0\.\.65535, got "http"/],
    [['--time-scale', '0'], /--time-scale: expected a number in \(0, 10000\]/],
    [['--colour'], /Unknown option '--colour'/],
    [['extra'], /extra/],
  ])('refuses %j with a UsageError', (argv, message) => {
    expect(() => parseSimArgs(argv)).toThrow(UsageError);
    expect(() => parseSimArgs(argv)).toThrow(message);
  });

  it('with --accounts N plays N users in N channels and writes their accounts file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mjw-sim-'));
    const file = join(dir, 'accounts.json');
    const stdout = capture();
    const controller = new AbortController();
    const run = simCommand.run({
      argv: ['--port', '0', '--accounts', '3', '--accounts-file', file],
      env: {},
      stdout: stdout.stream,
      stderr: capture().stream,
      signal: controller.signal,
    });
    const deadline = Date.now() + 5_000;
    while (!stdout.text().includes('MJ_ACCOUNTS_FILE') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(stdout.text()).toContain(`MJ_ACCOUNTS_FILE=${file}`);
    const base = /DISCORD_API_BASE_URL=(\S+)/.exec(stdout.text())?.[1] ?? '';
    const accounts = JSON.parse(readFileSync(file, 'utf8')) as {
      id: string;
      token: string;
      channelId: string;
      slots: number;
    }[];
    expect(accounts.map((a) => [a.id, a.slots])).toEqual([
      ['sim1', 3],
      ['sim2', 3],
      ['sim3', 3],
    ]);
    expect(new Set(accounts.map((a) => a.channelId)).size).toBe(3);
    expect(new Set(accounts.map((a) => a.token)).size).toBe(3);
    // Every token is a user of the simulator, and every channel exists.
    for (const a of accounts) {
      const me = await call(`${base}/users/@me`, 'GET', { token: a.token });
      expect(me.status).toBe(200);
      const channel = await call(`${base}/channels/${a.channelId}/messages?limit=1`, 'GET', {
        token: a.token,
      });
      expect(channel.status).toBe(200);
    }
    controller.abort();
    await expect(run).resolves.toBe(0);
    expect(parseSimArgs(['--accounts', '2'])).toMatchObject({
      accounts: 2,
      accountsFile: 'sim-accounts.json',
    });
    expect(() => parseSimArgs(['--accounts', '0'])).toThrow(/--accounts: expected an integer in 1\.\.50/);
    expect(() => parseSimArgs(['--accounts-file', 'x.json'])).toThrow(/only with --accounts/);
  });

  it('defaults to port 8787 and time scale 1', () => {
    expect(parseSimArgs([])).toEqual({
      port: 8787,
      timeScale: 1,
      seed: 1,
      evidenceSeed: undefined,
      verbose: false,
    });
  });

  it('takes an evidence seed', () => {
    expect(parseSimArgs(['--evidence-seed', '42']).evidenceSeed).toBe(42);
    expect(() => parseSimArgs(['--evidence-seed', '-1'])).toThrow(/--evidence-seed/);
  });

  it('--env-file writes variables that sh sources and loadConfig reads as printed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mjw-sim-env-'));
    const file = join(dir, 'sim.env');
    const stdout = capture();
    const controller = new AbortController();
    const run = simCommand.run({
      argv: ['--port', '0', '--time-scale', '20', '--env-file', file],
      env: {},
      stdout: stdout.stream,
      stderr: capture().stream,
      signal: controller.signal,
    });
    const deadline = Date.now() + 5_000;
    while (!stdout.text().includes('MJ_RESUME_GRACE_MS') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    controller.abort();
    await expect(run).resolves.toBe(0);
    expect(stdout.text()).toContain(`# also written to ${file}`);
    const sourced = execFileSync('sh', ['-c', `set -a; . '${file}'; echo "$DISCORD_GATEWAY_URL|$MJ_WATCH"`], {
      encoding: 'utf8',
    });
    expect(sourced.trim()).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/\?v=10&encoding=json\|gateway$/);
    const config = loadConfig({ env: {}, envFile: file });
    expect(config.gatewayUrl).toMatch(/encoding=json$/);
    expect(config.watch).toBe('gateway');
    expect(config.notSeenTimeoutMs).toBe(3_000);
    expect(config.credentials).not.toBeNull();
  });

  it('--job-ms and the others shorten Midjourney alone: a job ends in well under the default 40 s', async () => {
    const stdout = capture();
    const controller = new AbortController();
    const run = simCommand.run({
      argv: ['--port', '0', '--job-ms', '300', '--wait-ms', '50', '--answer-ms', '50', '--upscale-ms', '100'],
      env: {},
      stdout: stdout.stream,
      stderr: capture().stream,
      signal: controller.signal,
    });
    const deadline = Date.now() + 5_000;
    while (!stdout.text().includes('MJ_RESUME_GRACE_MS') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(stdout.text()).toContain('# Midjourney: answer 50 ms, waiting 50 ms, job 300 ms, upscale 100 ms');
    const env = Object.fromEntries(
      stdout
        .text()
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), unquote(line.slice(line.indexOf('=') + 1))]),
    );
    // Discord's timings stay real (time scale 1): the spacing floor is Discord's own.
    expect(env.MJ_MIN_REQUEST_SPACING_MS).toBe('350');
    const mj = Midjourney.fromConfig(
      loadConfig({ env: { ...env, MJ_CONFIRM_WINDOW_MS: '200' }, envFile: false }),
    );
    try {
      // The test's own timeout (far under the default 40 s job) is what fails if the flags are ignored.
      const result = await mj.imagine('a red fox');
      expect(result.imageUrl).toMatch(/^http:\/\/127\.0\.0\.1:/);
    } finally {
      await mj.close();
      controller.abort();
      await run;
    }
  }, 15_000);

  it('refuses a bad job duration', () => {
    expect(() => parseSimArgs(['--job-ms', '0'])).toThrow(
      /--job-ms: expected an integer number of ms in 1\.\.3600000/,
    );
    expect(() => parseSimArgs(['--wait-ms', 'soon'])).toThrow(/--wait-ms/);
    expect(parseSimArgs(['--job-ms', '4000']).botTimings).toEqual({ jobDurationMs: 4_000 });
  });

  it('quotes only what needs quoting', () => {
    expect(shellQuote('http://127.0.0.1:1/api/v10')).toBe('http://127.0.0.1:1/api/v10');
    expect(shellQuote('ws://h/?v=10&encoding=json')).toBe(`'ws://h/?v=10&encoding=json'`);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe(`''`);
  });
});
