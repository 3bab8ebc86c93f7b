import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_API_BASE_URL, describeConfig, loadConfig } from '../../src/config/index.js';
import { DEFAULT_GENERATION_SETTINGS, settingsFromConfig } from '../../src/generation/options.js';

const TOKEN = 'MTA5.fake-user-token.abcdefghijklmnop';
const creds = {
  DISCORD_TOKEN: TOKEN,
  DISCORD_GUILD_ID: '662267976984297473',
  DISCORD_CHANNEL_ID: '1008571045445382216',
};

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies documented defaults and freezes the result', () => {
    const config = loadConfig({ env: creds, envFile: false });
    expect(config).toMatchObject({
      credentials: { token: TOKEN, guildId: creds.DISCORD_GUILD_ID, channelId: creds.DISCORD_CHANNEL_ID },
      apiBaseUrl: DEFAULT_API_BASE_URL,
      applicationId: '936929561302675456',
      minRequestSpacingMs: 350,
      pollMinMs: 3000,
      pollMaxMs: 5000,
      jobTimeoutMs: 600_000,
      concurrentJobs: 3,
      watch: 'poll',
      logLevel: 'info',
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.credentials)).toBe(true);
  });

  it('defaults the orchestrator timings to the library defaults and passes them on', () => {
    const config = loadConfig({ env: {}, envFile: false });
    const d = DEFAULT_GENERATION_SETTINGS;
    const timings = [
      'confirmWindowMs',
      'confirmReadGapMs',
      'notSeenTimeoutMs',
      'ambiguousGraceMs',
      'resumeGraceMs',
    ] as const;
    for (const name of timings) expect(config[name], name).toBe(d[name]);
    const tuned = loadConfig({
      env: { MJ_RESUME_GRACE_MS: '1500', MJ_CONFIRM_WINDOW_MS: '0' },
      envFile: false,
    });
    expect(settingsFromConfig(tuned)).toMatchObject({ resumeGraceMs: 1500, confirmWindowMs: 0 });
  });

  it('has no credentials when none are set (the simulator path)', () => {
    expect(loadConfig({ env: {}, envFile: false }).credentials).toBeNull();
  });

  it('refuses missing credentials when they are required', () => {
    const error = configError(() => loadConfig({ env: {}, envFile: false, requireCredentials: true }));
    expect(error.problems.map((p) => p.split(':')[0])).toEqual([
      'DISCORD_TOKEN',
      'DISCORD_GUILD_ID',
      'DISCORD_CHANNEL_ID',
    ]);
  });

  it('lists every bad variable at once, by name', () => {
    const error = configError(() =>
      loadConfig({
        env: {
          ...creds,
          DISCORD_GUILD_ID: 'not-a-snowflake',
          MJ_POLL_MIN_MS: '6000',
          MJ_JOB_TIMEOUT_MS: 'soon',
          LOG_LEVEL: 'loud',
          MJ_WATCH: 'telepathy',
          DISCORD_API_BASE_URL: 'ftp://example',
        },
        envFile: false,
      }),
    );
    const names = error.problems.map((p) => p.split(':')[0]);
    expect(names).toEqual(
      expect.arrayContaining([
        'DISCORD_GUILD_ID',
        'MJ_POLL_MIN_MS',
        'MJ_JOB_TIMEOUT_MS',
        'LOG_LEVEL',
        'MJ_WATCH',
        'DISCORD_API_BASE_URL',
      ]),
    );
    expect(error.message).toContain('6 problems');
    expect(error.code).toBe('CONFIG_INVALID');
  });

  it('refuses spacing under 350 ms against Discord but allows it on loopback', () => {
    const error = configError(() =>
      loadConfig({ env: { ...creds, MJ_MIN_REQUEST_SPACING_MS: '100' }, envFile: false }),
    );
    expect(error.problems[0]).toMatch(/^MJ_MIN_REQUEST_SPACING_MS: 100 is under Discord's 350 ms floor/);
    const local = loadConfig({
      env: {
        ...creds,
        MJ_MIN_REQUEST_SPACING_MS: '5',
        DISCORD_API_BASE_URL: 'http://127.0.0.1:8787/api/v10',
      },
      envFile: false,
    });
    expect(local.minRequestSpacingMs).toBe(5);
  });

  it('refuses a confirmation read gap under 1 s against Discord but allows it on loopback', () => {
    const error = configError(() =>
      loadConfig({ env: { ...creds, MJ_CONFIRM_READ_GAP_MS: '200' }, envFile: false }),
    );
    expect(error.problems[0]).toMatch(/^MJ_CONFIRM_READ_GAP_MS: under 1000 ms is allowed only/);
    const local = loadConfig({
      env: { ...creds, MJ_CONFIRM_READ_GAP_MS: '200', DISCORD_API_BASE_URL: 'http://127.0.0.1:8787/api/v10' },
      envFile: false,
    });
    expect(settingsFromConfig(local)).toMatchObject({ confirmReadGapMs: 200 });
  });

  it("reads Vary (Region)'s editor URL: Midjourney's by default, https anywhere, http only on loopback", () => {
    expect(loadConfig({ env: { MJ_INPAINT_URL: '' }, envFile: false }).inpaintUrl).toBe(
      'https://936929561302675456.discordsays.com/inpaint/api/submit-job',
    );
    const local = loadConfig({
      env: { MJ_INPAINT_URL: 'http://127.0.0.1:9000/inpaint/api/submit-job' },
      envFile: false,
    });
    expect(local.inpaintUrl).toBe('http://127.0.0.1:9000/inpaint/api/submit-job');
    const error = configError(() =>
      loadConfig({ env: { MJ_INPAINT_URL: 'http://editor.example/submit' }, envFile: false }),
    );
    expect(error.problems).toEqual([
      'MJ_INPAINT_URL: http is allowed only for a loopback address; use https',
    ]);
  });

  it('reads .env under the real environment, which wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mjw-config-'));
    const file = join(dir, '.env');
    writeFileSync(
      file,
      `DISCORD_TOKEN=${TOKEN}\nDISCORD_GUILD_ID=${creds.DISCORD_GUILD_ID}\nDISCORD_CHANNEL_ID=${creds.DISCORD_CHANNEL_ID}\nLOG_LEVEL=debug\n`,
    );
    const config = loadConfig({ env: { LOG_LEVEL: 'warn' }, envFile: file });
    expect(config.credentials?.token).toBe(TOKEN);
    expect(config.logLevel).toBe('warn');
  });

  it('names an unreadable explicit env file', () => {
    const error = configError(() => loadConfig({ env: {}, envFile: '/nonexistent/.env' }));
    expect(error.problems[0]).toMatch(/^\/nonexistent\/\.env: cannot read/);
  });

  it('never shows the token in a config dump', () => {
    const config = loadConfig({ env: creds, envFile: false });
    expect(JSON.stringify(describeConfig(config))).not.toContain(TOKEN);
  });
});
