import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SIMULATOR_OPTIONS,
  resolveSimulatorOptions,
  type SimulatorInit,
  SimulatorOptionsError,
} from '../../src/simulator/index.js';

describe('resolveSimulatorOptions', () => {
  it('fills every default and merges nested objects', () => {
    const options = resolveSimulatorOptions({
      gateway: { heartbeatIntervalMs: 1_000 },
      rateLimits: { routes: { 'GET /users/@me': null, 'POST /interactions': { limit: 1, windowMs: 100 } } },
    });
    expect(options.host).toBe('127.0.0.1');
    expect(options.port).toBe(0);
    expect(options.gateway).toEqual({ ...DEFAULT_SIMULATOR_OPTIONS.gateway, heartbeatIntervalMs: 1_000 });
    expect(options.rateLimits.routes['GET /users/@me']).toBeUndefined();
    expect(options.rateLimits.routes['POST /interactions']).toEqual({ limit: 1, windowMs: 100 });
    expect(options.rateLimits.routes['GET /channels/{channel_id}/messages']).toEqual({
      limit: 5,
      windowMs: 5_000,
    });
    expect(options.rateLimits.global).toEqual({ limit: 50, windowMs: 1_000 });
  });

  it.each<[SimulatorInit, RegExp]>([
    [{ timeScale: 0 }, /timeScale: expected a positive number, got 0/],
    [{ port: 70_000 }, /port: expected an integer in 0\.\.65535/],
    [{ guildId: 'guild' }, /guildId: expected a snowflake/],
    [{ users: [] }, /users: expected at least one user/],
    [{ users: [{ id: '1100000000000000300', username: 'a b', token: 'has space x' }] }, /users\[0\]\.token/],
    [{ extraChannelIds: ['1'] }, /extraChannelIds\[0\]/],
    [{ rateLimits: { global: { limit: 0 } } }, /rateLimits\.global\.limit: expected an integer >= 1/],
    [
      { rateLimits: { routes: { 'GET /x': { limit: 1, windowMs: 0 } } } },
      /rateLimits\.routes\['GET \/x'\]\.windowMs/,
    ],
    [{ gateway: { replayBufferSize: 0 } }, /gateway\.replayBufferSize/],
    [{ faults: [{ kind: 'status', status: 404 as 500 }] }, /faults\[0\]\.status/],
  ])('refuses %j naming the option', (init, message) => {
    expect(() => resolveSimulatorOptions(init)).toThrow(SimulatorOptionsError);
    expect(() => resolveSimulatorOptions(init)).toThrow(message);
  });
});
