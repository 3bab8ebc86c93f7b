import { mkdtemp } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/command.js';
import { imagineCommand } from '../../src/cli/commands/imagine.js';
import { serveCommand } from '../../src/cli/commands/serve.js';
import { TokenLease } from '../../src/ownership/token-lease.js';
import { capture } from '../cli/helpers.js';

const TOKEN = 'MTEwMDAwMDAwMDAwMDAwMDMwMA.GsImUl.a-token-that-must-never-be-printed-000';
// Nothing listens there: a refused command never gets as far as a request.
const API = 'http://127.0.0.1:9/api/v10';

async function withHeldLease<T>(run: (env: Record<string, string>) => Promise<T>): Promise<T> {
  const lockDir = await mkdtemp(join(tmpdir(), 'mjw-locks-'));
  const lease = await TokenLease.acquire(
    { token: TOKEN, apiBaseUrl: API },
    { lockDir, releaseOnExit: false },
  );
  try {
    return await run({
      DISCORD_TOKEN: TOKEN,
      DISCORD_GUILD_ID: '1100000000000000001',
      DISCORD_CHANNEL_ID: '1100000000000000002',
      DISCORD_API_BASE_URL: API,
      MJW_LOCK_DIR: lockDir,
      LOG_LEVEL: 'silent',
    });
  } finally {
    await lease.release();
  }
}

describe('composition roots take the token lease', () => {
  it('mjw imagine --json is refused with TOKEN_IN_USE (exit 1) while another process drives the token', async () => {
    const stdout = capture();
    const stderr = capture();
    const code = await withHeldLease((env) =>
      imagineCommand.run({
        argv: ['a fox', '--json'],
        env,
        stdout,
        stderr,
        signal: new AbortController().signal,
      }),
    );
    expect(code).toBe(ExitCode.Failure);
    const { error } = JSON.parse(stdout.text) as { error: Record<string, unknown> };
    expect(error).toMatchObject({ name: 'TokenInUseError', code: 'TOKEN_IN_USE', retryable: true });
    expect(error.message).toContain(`pid ${process.pid} on host ${hostname()}`);
    expect(stdout.text + stderr.text).not.toContain(TOKEN);
  });

  it('mjw serve refuses to start (exit 1) while another process drives the token', async () => {
    const stdout = capture();
    const stderr = capture();
    const code = await withHeldLease((env) =>
      serveCommand.run({
        argv: ['--port', '0', '--db', ':memory:'],
        env,
        stdout,
        stderr,
        signal: new AbortController().signal,
      }),
    );
    expect(code).toBe(ExitCode.Failure);
    // On a pipe, serve's stderr is JSON lines throughout (its own messages included).
    expect(stderr.text).toContain(`"msg":"this Discord token is already driven by pid ${process.pid}`);
    expect(stdout.text).toBe('');
    expect(stderr.text).not.toContain(TOKEN);
  });
});
