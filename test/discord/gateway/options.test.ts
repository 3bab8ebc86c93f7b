import { describe, expect, it } from 'vitest';
import { GatewayError, isGatewayError } from '../../../src/discord/gateway/errors.js';
import {
  DEFAULT_GATEWAY_CLIENT_OPTIONS,
  type GatewayClientInit,
  resolveGatewayClientOptions,
} from '../../../src/discord/gateway/options.js';

const token = 'secret-token-value';

function refusal(init: GatewayClientInit): GatewayError {
  try {
    resolveGatewayClientOptions(init);
  } catch (error) {
    if (isGatewayError(error)) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('resolveGatewayClientOptions', () => {
  it('fills documented defaults and merges identify properties', () => {
    const options = resolveGatewayClientOptions({
      token,
      identify: { properties: { os: 'Linux' } as never },
    });
    expect(options.url).toBe('wss://gateway.discord.gg/?v=10&encoding=json');
    expect(options.identify).toEqual({
      properties: { os: 'Linux', browser: 'Chrome', device: '' },
      capabilities: 8_189,
    });
    expect(options.reconnect).toEqual(DEFAULT_GATEWAY_CLIENT_OPTIONS.reconnect);
    expect(options.invalidSessionDelayMs).toEqual([1_000, 5_000]);
    expect(options).toMatchObject({
      connectTimeoutMs: 15_000,
      helloTimeoutMs: 20_000,
      readyTimeoutMs: 15_000,
    });
  });

  it.each<[Partial<GatewayClientInit>, string]>([
    [{ url: 'https://discord.com' }, 'url'],
    [{ url: 'not a url' }, 'url'],
    [{ helloTimeoutMs: 0 }, 'helloTimeoutMs'],
    [{ connectTimeoutMs: Number.POSITIVE_INFINITY }, 'connectTimeoutMs'],
    [{ readyTimeoutMs: -5 }, 'readyTimeoutMs'],
    [{ closeTimeoutMs: 700_000 }, 'closeTimeoutMs'],
    [{ invalidSessionDelayMs: [5, 1] }, 'invalidSessionDelayMs'],
    [{ identify: { capabilities: -1 } }, 'identify.capabilities'],
    [{ reconnect: { jitter: 2 } }, 'reconnect.jitter'],
  ])('refuses %o naming the option', (init, option) => {
    const error = refusal({ token, ...init });
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'GATEWAY_INVALID_USE', option });
    expect(error.message).toContain(`option ${option}: expected`);
  });

  it.each(['', 'has space', undefined])('refuses the token %o without echoing it', (bad) => {
    const error = refusal({ token: bad as string });
    expect(error.option).toBe('token');
    expect(error.message).toContain('<redacted>');
  });

  it('never echoes a malformed token', () => {
    const error = refusal({ token: 'abc def-secret' });
    expect(error.message).not.toContain('secret');
    expect(JSON.stringify(error)).not.toContain('secret');
  });
});
