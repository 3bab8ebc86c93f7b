/** Friendly failures of the router and `mjw serve`: one reason, the right exit code, no stack. */

import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closest, editDistance } from '../../src/util/suggest.js';
import { cli } from './helpers.js';

const QUIET = { LOG_LEVEL: 'silent' };

describe('mjw router', () => {
  it('suggests the nearest command, without the whole manual', async () => {
    const { code, stderr } = await cli(['imagin', 'a cat']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "imagin". Did you mean "imagine"?');
    expect(stderr).not.toContain('Commands:');
  });

  it("suggests the nearest flag and prints only that command's usage", async () => {
    const { code, stderr } = await cli(['batch', 'in.txt', '--out', 'r.jsonl', '--concurency', '2']);
    expect(code).toBe(2);
    expect(stderr).toContain("Unknown option '--concurency'. Did you mean --concurrency?");
    expect(stderr).toContain('Usage: mjw batch');
    expect(stderr).not.toContain('Usage: mjw <command>');
  });

  it("mjw help <command> prints that command's usage", async () => {
    const { code, stdout } = await cli(['help', 'serve']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: mjw serve/);
    expect((await cli(['help', 'srve'])).stderr).toContain('Did you mean "serve"?');
  });

  it('--json prints exactly one JSON object for usage and configuration errors', async () => {
    for (const [argv, env, name, errorCode] of [
      [['imagine', '--json'], {}, 'UsageError', 'USAGE'],
      [['imagine', '--json', '--timeout', 'x', 'a cat'], {}, 'UsageError', 'USAGE'],
      [['imagine', '--json', '--jsn', 'a cat'], {}, 'UsageError', 'USAGE'],
      [['imagine', '--json', 'a cat'], { MJ_POLL_MIN_MS: 'fast' }, 'ConfigError', 'CONFIG_INVALID'],
    ] as const) {
      const { code, stdout } = await cli([...argv], { ...env });
      expect(code).toBe(2);
      const lines = stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] as string)).toMatchObject({
        ok: false,
        error: { name, code: errorCode, retryable: false },
      });
    }
  });

  it('suggests nothing for a word far from every candidate', () => {
    expect(closest('zebra', ['start', 'imagine', 'batch'])).toBeUndefined();
    expect(closest('strat', ['start', 'imagine'])).toBe('start');
    expect(closest('conc', ['concurrency', 'download'])).toBe('concurrency');
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('mjw serve failures', () => {
  it('a port in use: one clear line, exit 2, nothing on stdout', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { code, stdout, stderr } = await cli(['serve', '--port', String(port)], QUIET);
      expect(code).toBe(2);
      expect(stderr).toContain(`cannot listen on 127.0.0.1:${port}: the port is in use`);
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(stdout).toBe('');
    } finally {
      blocker.close();
    }
  });

  it('--db in a missing folder: one clear line, exit 2, before anything starts', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'mjw-serve-')), 'nope', 'jobs.sqlite');
    const { code, stderr } = await cli(['serve', '--port', '0', '--db', missing], QUIET);
    expect(code).toBe(2);
    expect(stderr).toContain('the folder');
    expect(stderr).toContain('does not exist');
    expect(stderr).not.toContain('built-in simulator');
  });
});
