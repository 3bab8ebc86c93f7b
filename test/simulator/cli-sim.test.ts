/** `mjw sim`: starts the simulator, prints working variables, stops on the signal. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/command.js';
import { parseSimArgs, simCommand } from '../../src/cli/commands/sim.js';
import { call } from './helpers/http.js';

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
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(Object.keys(env)).toEqual([
      'DISCORD_API_BASE_URL',
      'DISCORD_GATEWAY_URL',
      'DISCORD_TOKEN',
      'DISCORD_GUILD_ID',
      'DISCORD_CHANNEL_ID',
      'MJ_APPLICATION_ID',
      'MJ_MIN_REQUEST_SPACING_MS',
      'MJ_POLL_MIN_MS',
      'MJ_POLL_MAX_MS',
      'MJ_JOB_TIMEOUT_MS',
    ]);
    expect(env.DISCORD_API_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v10$/);
    expect(env.DISCORD_GATEWAY_URL).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/\?v=10&encoding=json$/);
    expect(env.MJ_MIN_REQUEST_SPACING_MS).toBe('35');
    expect(env.MJ_POLL_MIN_MS).toBe('300');
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
});
