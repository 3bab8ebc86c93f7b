import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { describeServiceConfig, loadServiceConfig } from '../../src/config/service.js';

describe('loadServiceConfig', () => {
  it('has safe defaults on loopback: no keys means auth is off only there', () => {
    const config = loadServiceConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      authDisabled: true,
      bodyLimitBytes: 65_536,
      rateLimit: { requests: 120, windowMs: 60_000, burst: 120 },
      submitRateLimit: { requests: 10, windowMs: 60_000, burst: 10 },
      webhookAllowPrivate: false,
      circuitFailureThreshold: 5,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('parses named and bare keys, and never echoes a key in a problem', () => {
    const config = loadServiceConfig({ MJW_API_KEYS: 'alice:aaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbbbb' });
    expect(config.apiKeys).toEqual([
      { name: 'alice', key: 'aaaaaaaaaaaaaaaaaaaa' },
      { name: 'key2', key: 'bbbbbbbbbbbbbbbbbbbbbb' },
    ]);
    expect(config.authDisabled).toBe(false);
    expect(JSON.stringify(describeServiceConfig(config))).not.toContain('aaaaaaaaaaaaaaaaaaaa');
    try {
      loadServiceConfig({ MJW_API_KEYS: 'bob:short-secret' });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'MJW_API_KEYS: entry 1 (bob) is shorter than 16 characters',
      ]);
      expect((error as Error).message).not.toContain('short-secret');
    }
  });

  it('lists every problem at once, by variable name', () => {
    const attempt = () =>
      loadServiceConfig({
        MJW_HOST: '0.0.0.0',
        MJW_PORT: '99999',
        MJW_RATE_LIMIT_REQUESTS: 'many',
        MJW_WEBHOOK_ALLOW_PRIVATE: 'perhaps',
        MJW_WEBHOOK_MIN_DELAY_MS: '5000',
        MJW_WEBHOOK_MAX_DELAY_MS: '100',
        MJW_NOTIFY_HOOK: 'ftp://x',
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      for (const name of [
        'MJW_PORT',
        'MJW_RATE_LIMIT_REQUESTS',
        'MJW_WEBHOOK_ALLOW_PRIVATE',
        'MJW_WEBHOOK_MIN_DELAY_MS',
        'MJW_NOTIFY_HOOK',
        'MJW_API_KEYS: required when listening on 0.0.0.0',
      ]) {
        expect(problems).toContain(name);
      }
    }
  });

  it('lets command-line values win', () => {
    const config = loadServiceConfig(
      { MJW_PORT: '1234', MJW_DB_PATH: 'a.sqlite' },
      { port: 9000, dbPath: ':memory:' },
    );
    expect(config).toMatchObject({ port: 9000, dbPath: ':memory:' });
  });

  it('reads the claim and idempotency key lifetimes, within their ranges', () => {
    expect(loadServiceConfig({})).toMatchObject({ jobClaimTtlMs: 30_000, idempotencyTtlMs: 86_400_000 });
    expect(
      loadServiceConfig({ MJW_JOB_CLAIM_TTL_MS: '5000', MJW_IDEMPOTENCY_TTL_MS: '172800000' }),
    ).toMatchObject({ jobClaimTtlMs: 5_000, idempotencyTtlMs: 172_800_000 });
    expect(() => loadServiceConfig({ MJW_JOB_CLAIM_TTL_MS: '60000' })).toThrow(/MJW_JOB_CLAIM_TTL_MS/);
    expect(() => loadServiceConfig({ MJW_IDEMPOTENCY_TTL_MS: '10' })).toThrow(/MJW_IDEMPOTENCY_TTL_MS/);
  });
});
