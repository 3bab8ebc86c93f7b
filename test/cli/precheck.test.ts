/** The banned-word pre-check from env (MJ_PRECHECK, MJ_BANNED_WORDS_FILE) and the CLI (--precheck). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { PreModerationError } from '../../src/midjourney/errors.js';
import { openSimulatedClient } from '../../src/simulator/simulated-client.js';
import { cli } from './helpers.js';

function wordsFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'mjw-words-')), 'banned.txt');
  writeFileSync(file, text);
  return file;
}

describe('pre-check configuration', () => {
  it('is off by default, on with MJ_PRECHECK=on or a words file, which adds to the default list', () => {
    expect(loadConfig({ env: {}, envFile: false }).precheck?.enabled).toBe(false);
    expect(loadConfig({ env: { MJ_PRECHECK: 'on' }, envFile: false }).precheck).toMatchObject({
      enabled: true,
      bannedWords: [],
    });
    const file = wordsFile('# mine\nteapot\n\nblue  moon\n');
    expect(loadConfig({ env: { MJ_BANNED_WORDS_FILE: file }, envFile: false }).precheck).toEqual({
      enabled: true,
      bannedWords: ['teapot', 'blue  moon'],
      bannedWordsFile: file,
    });
    expect(
      loadConfig({ env: { MJ_BANNED_WORDS_FILE: file, MJ_PRECHECK: 'off' }, envFile: false }).precheck
        ?.enabled,
    ).toBe(false);
    expect(() => loadConfig({ env: { MJ_BANNED_WORDS_FILE: '/nope/words.txt' }, envFile: false })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig({ env: { MJ_PRECHECK: 'yes' }, envFile: false })).toThrow(/MJ_PRECHECK/);
  });

  it('refuses a banned prompt with a typed error before anything is sent', async () => {
    const file = wordsFile('teapot\n');
    const config = loadConfig({ env: { MJ_BANNED_WORDS_FILE: file }, envFile: false });
    const { client, simulator, close } = await openSimulatedClient({ config });
    try {
      for (const prompt of ['a flying teapot', 'a bloody battlefield']) {
        const error = await client.imagine(prompt).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PreModerationError);
        expect(error).toMatchObject({ detectedLocally: true });
      }
      expect(simulator.requests.filter((r) => r.route.includes('interactions'))).toHaveLength(0);
    } finally {
      await close();
    }
  });
});

describe('mjw imagine --precheck', () => {
  it('fails locally with PreModerationError, exit 3', async () => {
    const { code, stdout } = await cli(['imagine', '--precheck', '--json', 'a nude statue']);
    expect(code).toBe(3);
    expect(JSON.parse(stdout)).toMatchObject({
      ok: false,
      error: { name: 'PreModerationError', message: expect.stringContaining('local list') },
    });
  });
});
