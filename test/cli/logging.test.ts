/** LOG_LEVEL and --verbose for every command; one log format per stream. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { commandSay, prettyLine } from '../../src/cli/logger.js';
import { runCli } from '../../src/cli/main.js';
import { cli } from './helpers.js';

describe('CLI logging', () => {
  it('--verbose shows the client debug lines of imagine, as human lines', async () => {
    const { code, stdout, stderr } = await cli(['imagine', '--verbose', '--json', 'a red fox']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true });
    expect(stderr).toMatch(/^\d\d:\d\d:\d\d DEBUG mjw-imagine: discord request .*status=\d+/m);
    const quiet = await cli(['imagine', '--json', 'a red fox']);
    expect(quiet.stderr).not.toContain('DEBUG');
  });

  it('LOG_LEVEL=debug works for batch too', async () => {
    const { stderr } = await cli(
      ['batch', '-', '--out', `/tmp/mjw-log-${process.pid}-${Date.now()}.jsonl`],
      {
        LOG_LEVEL: 'debug',
      },
      { stdin: PassThrough.from(['a red fox\n']) },
    );
    expect(stderr).toMatch(/DEBUG mjw-batch: discord request/);
  });

  it('serve on a pipe writes only JSON lines to stderr, its own messages included', async () => {
    const stderr = new PassThrough();
    const stdout = new PassThrough();
    let err = '';
    stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const stop = new AbortController();
    const running = runCli(['serve', '--port', '0', '--verbose'], {
      env: {},
      stdout,
      stderr,
      signal: stop.signal,
    });
    await new Promise<void>((resolve) => stdout.once('data', () => resolve()));
    stop.abort();
    expect(await running).toBe(0);
    const lines = err.trim().split('\n');
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(err).toContain('"msg":"listening on http://127.0.0.1:');
    expect(lines.some((line) => (JSON.parse(line) as { level: number }).level === 20)).toBe(true);
  });

  it('formats a pino line for people and says plain lines on a terminal', () => {
    const line = prettyLine(
      '{"level":40,"time":0,"pid":1,"hostname":"h","name":"mjw","msg":"careful","route":"/x"}',
    );
    expect(line).toBe('00:00:00 WARN  mjw: careful route=/x\n');
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    let text = '';
    tty.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    commandSay({ stderr: tty }, 'mjw serve')('hello');
    expect(text).toBe('mjw serve: hello\n');
  });
});
