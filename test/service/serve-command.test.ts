import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/command.js';
import { parseServeArgs, serveCommand } from '../../src/cli/commands/serve.js';
import { simAccounts, simAccountsFile, startSimulator } from '../../src/simulator/index.js';
import { openSse } from './helpers/sse.js';

describe('parseServeArgs', () => {
  it('reads --port, --host and --db', () => {
    expect(parseServeArgs(['--port', '0', '--host', '127.0.0.1', '--db', ':memory:'])).toEqual({
      port: 0,
      host: '127.0.0.1',
      dbPath: ':memory:',
    });
    expect(parseServeArgs([])).toEqual({});
  });

  it.each([
    [['--port', '70000'], /--port: expected an integer from 0 to 65535, got "70000"/],
    [['--port', '8o8o'], /--port/],
    [['--db', ''], /--db/],
    [['--verbose'], /Unknown option '--verbose'/],
    [['extra'], /extra/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseServeArgs(argv)).toThrow(UsageError);
    expect(() => parseServeArgs(argv)).toThrow(message);
  });
});

describe('mjw serve', () => {
  it('without Discord credentials serves the API against the built-in simulator until interrupted', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const stop = new AbortController();
    const running = serveCommand.run({
      argv: ['--port', '0'],
      env: { LOG_LEVEL: 'silent', MJW_API_KEYS: 'cli:cli-key-0123456789abcdef' },
      stdout,
      stderr,
      signal: stop.signal,
    });
    const url = await new Promise<string>((resolve, reject) => {
      const check = () => {
        const match = /^(http:\/\/127\.0\.0\.1:\d+)\n/m.exec(out);
        if (match?.[1]) resolve(match[1]);
      };
      stdout.on('data', check);
      running.catch(reject);
    });
    const headers = { authorization: 'Bearer cli-key-0123456789abcdef', 'content-type': 'application/json' };
    const submit = await fetch(`${url}/v1/imagine`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ prompt: 'a quiet harbour' }),
    });
    expect(submit.status).toBe(202);
    const { id } = (await submit.json()) as { id: string };
    const events = await (await openSse(`${url}/v1/jobs/${id}/events`, headers)).rest();
    expect(events.at(-1)).toMatchObject({ event: 'completed', data: { status: 'succeeded' } });
    expect((await fetch(`${url}/v1/jobs`)).status).toBe(401);
    stop.abort();
    await expect(running).resolves.toBe(0);
    expect(err).toContain('running against the built-in simulator (nothing is sent to Discord)');
    expect(err).toContain('job store: :memory:');
  });

  it('with MJ_ACCOUNTS_FILE serves on every account and lists them without tokens', async () => {
    const several = simAccounts(2);
    const sim = await startSimulator({ timeScale: 100, ...several.init });
    const dir = mkdtempSync(join(tmpdir(), 'mjw-serve-'));
    const file = join(dir, 'accounts.json');
    writeFileSync(file, JSON.stringify(simAccountsFile(several.accounts, sim.guildId, 2)));
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const stop = new AbortController();
    const running = serveCommand.run({
      argv: ['--port', '0', '--db', ':memory:'],
      env: {
        LOG_LEVEL: 'silent',
        MJW_API_KEYS: 'cli:cli-key-0123456789abcdef',
        MJ_ACCOUNTS_FILE: file,
        DISCORD_API_BASE_URL: sim.apiBaseUrl,
        MJ_MIN_REQUEST_SPACING_MS: '0',
        MJ_POLL_MIN_MS: '30',
        MJ_POLL_MAX_MS: '60',
        MJ_CONFIRM_WINDOW_MS: '60',
      },
      stdout,
      stderr,
      signal: stop.signal,
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const check = () => {
          const match = /^(http:\/\/127\.0\.0\.1:\d+)\n/m.exec(out);
          if (match?.[1]) resolve(match[1]);
        };
        stdout.on('data', check);
        running.catch(reject);
      });
      const headers = {
        authorization: 'Bearer cli-key-0123456789abcdef',
        'content-type': 'application/json',
      };
      const submit = await fetch(`${url}/v1/imagine`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ prompt: 'a quiet harbour' }),
      });
      const { id } = (await submit.json()) as { id: string };
      const events = await (await openSse(`${url}/v1/jobs/${id}/events`, headers)).rest();
      expect(events.at(-1)).toMatchObject({ event: 'completed', data: { status: 'succeeded' } });
      const job = (await (await fetch(`${url}/v1/jobs/${id}`, { headers })).json()) as { accountId: string };
      expect(['sim1', 'sim2']).toContain(job.accountId);
      const text = await (await fetch(`${url}/v1/accounts`, { headers })).text();
      expect(JSON.parse(text).accounts.map((a: { id: string }) => a.id)).toEqual(['sim1', 'sim2']);
      for (const a of several.accounts) expect(text + err + out).not.toContain(a.user.token);
      expect(err).toContain(`running on 2 account(s) from ${file}`);
      expect(err).not.toContain('built-in simulator');
    } finally {
      stop.abort();
      await running;
      await sim.close();
    }
  });
});
