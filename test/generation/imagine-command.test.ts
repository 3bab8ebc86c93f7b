/**
 * `mjw imagine` through the CLI router: the simulator in-process when no credentials are set,
 * exactly one JSON object with --json, and the exit-code contract.
 */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';

function stream(isTTY = false): PassThrough & { isTTY: boolean; text(): string } {
  const s = new PassThrough() as PassThrough & { isTTY: boolean; text(): string };
  let text = '';
  s.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  s.isTTY = isTTY;
  s.text = () => text;
  return s;
}

/** No .env, no credentials: the command falls back to the simulator. */
const NO_CREDENTIALS = { MJ_POLL_MIN_MS: '3000' };

async function imagine(argv: string[], env: Record<string, string> = NO_CREDENTIALS, tty = false) {
  const stdout = stream();
  const stderr = stream(tty);
  const code = await runCli(['imagine', ...argv], {
    env,
    stdout,
    stderr,
    signal: new AbortController().signal,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('mjw imagine', () => {
  it('runs against the built-in simulator without credentials and prints one JSON object', async () => {
    const { code, stdout, stderr } = await imagine(['a lighthouse at dusk --ar 3:2', '--json']);
    expect(code).toBe(0);
    expect(stderr).toContain('running against the built-in simulator');
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0] as string);
    expect(out).toEqual({
      ok: true,
      jobId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      messageId: expect.stringMatching(/^\d{17,20}$/),
      prompt: 'a lighthouse at dusk --ar 3:2',
      imageUrl: expect.stringContaining(out.jobId),
      durationMs: expect.any(Number),
      botType: 'midjourney',
    });
    expect(stderr).toMatch(/progress +\d+%/);
  });

  it('reports a Midjourney outcome as {"ok":false,...} with exit code 3', async () => {
    // "gore" is on the simulated bot's banned-word list: pre-moderation, seen over the gateway.
    const { code, stdout } = await imagine(['a gore scene', '--json']);
    expect(code).toBe(3);
    expect(JSON.parse(stdout)).toEqual({
      ok: false,
      error: {
        name: 'PreModerationError',
        code: 'PRE_MODERATION',
        message: expect.stringContaining('Banned prompt'),
        retryable: false,
      },
    });
  });

  it('reports a timeout as a Midjourney outcome, in plain text without --json', async () => {
    const { code, stdout, stderr } = await imagine(['a slow sunrise', '--timeout', '200']);
    expect(code).toBe(3);
    expect(stdout).toBe('');
    expect(stderr).toContain('mjw imagine: JobTimeoutError [JOB_TIMEOUT]: No outcome within 200 ms');
  });

  it('prints a live progress line on a TTY and a human summary on stdout', async () => {
    const { code, stdout, stderr } = await imagine(['a quiet harbour'], NO_CREDENTIALS, true);
    expect(code).toBe(0);
    expect(stderr).toContain('\r\x1b[2Kprogress');
    expect(stdout).toMatch(
      /^Done in \d+\.\d s: http:\/\/127\.0\.0\.1:\d+\/attachments\/.+\n {2}job [0-9a-f-]{36}, message \d+/,
    );
    expect(stdout).toContain('buttons: U1 U2 U3 U4');
  });

  it('exits 4 on a Discord error (the token refused), never printing the token', async () => {
    sim = await startSimulator();
    const token = 'MTEwMDAwMDAwMDAwMDAwMDk5OQ.wrong.token-that-must-not-leak-000000000';
    const { code, stdout, stderr } = await imagine(['a fox', '--json'], {
      DISCORD_TOKEN: token,
      DISCORD_GUILD_ID: sim.guildId,
      DISCORD_CHANNEL_ID: sim.channelId,
      DISCORD_API_BASE_URL: sim.apiBaseUrl,
    });
    expect(code).toBe(4);
    expect(JSON.parse(stdout).error).toMatchObject({ name: 'TokenInvalidError', code: 'TOKEN_INVALID' });
    expect(stdout + stderr).not.toContain(token);
  });

  it.each([
    [[], 'missing "<prompt>"'],
    [['a', 'b'], 'expected one quoted prompt'],
    [['cat', '--timeout', 'soon'], '--timeout: expected a positive integer'],
    [['cat', '--watch', 'smoke'], '--watch: expected poll or gateway'],
    [['cat', '--colour'], 'Unknown option'],
  ])('exits 2 on bad usage %j', async (argv, message) => {
    const { code, stderr } = await imagine(argv as string[]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('exits 2 on bad configuration, naming the variable', async () => {
    const { code, stderr } = await imagine(['cat'], { MJ_POLL_MIN_MS: 'often' });
    expect(code).toBe(2);
    expect(stderr).toContain('MJ_POLL_MIN_MS');
  });
});
