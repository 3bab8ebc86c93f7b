import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  environmentWarnings,
  KNOWN_VARIABLES,
  loadConfig,
  parseDotenv,
  readEnvironment,
} from '../../src/config/index.js';
import { cli } from '../cli/helpers.js';

describe('parseDotenv', () => {
  it.each([
    ['A=1', { A: '1' }],
    ['export A=1', { A: '1' }],
    ['A = spaced value  ', { A: 'spaced value' }],
    ['A=value # comment', { A: 'value' }],
    ['A=a#b', { A: 'a#b' }],
    ['A="x\\ny \\"q\\""', { A: 'x\ny "q"' }],
    ["A='ws://h/?v=10&encoding=json'", { A: 'ws://h/?v=10&encoding=json' }],
    ["A='it'\\''s'", undefined],
    ['A=', { A: '' }],
    ['# only a comment\n\n', {}],
  ])('reads %j', (text, values) => {
    const parsed = parseDotenv(text);
    if (values === undefined) expect(parsed.problems).toHaveLength(1);
    else expect(parsed).toMatchObject({ values, problems: [] });
  });

  it('reports a malformed line by number and never swallows the next variable', () => {
    const text = ['A=1', 'B="open quote', 'C=3', 'just words', 'D=4', '1X=5'].join('\n');
    const parsed = parseDotenv(text, 'my.env');
    expect(parsed.values).toEqual({ A: '1', C: '3', D: '4' });
    expect(parsed.lines).toEqual({ A: 1, C: 3, D: 5 });
    expect(parsed.problems).toEqual([
      'my.env:2: B: the double quote is not closed on this line',
      'my.env:4: expected NAME=value (no "=" on this line)',
      'my.env:6: "1X" is not a variable name',
    ]);
  });

  it('makes a malformed .env a ConfigError naming the line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mjw-dotenv-'));
    const file = join(dir, '.env');
    writeFileSync(file, 'MJ_POLL_MIN_MS="3000\nMJ_POLL_MAX_MS=5000\n');
    expect(() => readEnvironment({ env: {}, envFile: file })).toThrow(ConfigError);
    expect(() => loadConfig({ env: {}, envFile: file })).toThrow(
      `${file}:1: MJ_POLL_MIN_MS: the double quote`,
    );
  });
});

describe('unknown MJ_* / MJW_* variables', () => {
  it('warns with the .env line and the nearest known name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mjw-dotenv-'));
    const file = join(dir, '.env');
    writeFileSync(file, 'MJ_WATCH=gateway\nMJ_POLL_MIN=500\n');
    expect(environmentWarnings({ env: { MJW_PROT: '80', HOME: '/' }, envFile: file })).toEqual([
      'unknown variable MJW_PROT is ignored; did you mean MJW_PORT?',
      `unknown variable MJ_POLL_MIN (${file}:2) is ignored; did you mean MJ_POLL_MIN_MS?`,
    ]);
  });

  it('the CLI prints the warning and runs on', async () => {
    const { code, stderr } = await cli(['imagine', '--json'], { MJ_CONCURENT_JOBS: '2' });
    expect(code).toBe(2);
    expect(stderr).toContain(
      'mjw: warning: unknown variable MJ_CONCURENT_JOBS is ignored; did you mean MJ_CONCURRENT_JOBS?',
    );
  });

  it('knows every variable the sources and .env.example name', () => {
    const root = new URL('../../', import.meta.url);
    const named = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts'))
          for (const m of readFileSync(path, 'utf8').matchAll(/['"`](MJW?_[A-Z0-9_]*[A-Z0-9])['"`]/g))
            named.add(m[1] as string);
      }
    };
    walk(new URL('src', root).pathname);
    for (const m of readFileSync(new URL('.env.example', root), 'utf8').matchAll(/^(MJW?_[A-Z0-9_]+)=/gm))
      named.add(m[1] as string);
    // Prefixes, completed in config/service.ts (`${prefix}_REQUESTS`, `_WINDOW_MS`, `_BURST`).
    const prefixes = new Set(['MJW_RATE_LIMIT', 'MJW_SUBMIT_RATE_LIMIT']);
    const example = parseDotenv(readFileSync(new URL('.env.example', root), 'utf8'), '.env.example');
    expect(example.problems).toEqual([]);
    const missing = [...named].filter((name) => !KNOWN_VARIABLES.has(name) && !prefixes.has(name));
    expect(missing).toEqual([]);
  });
});
