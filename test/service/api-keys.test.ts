/**
 * The API key check: a key that matched is accepted again from memory under the name it matched,
 * and nothing else is: not a wrong key, not one sharing a prefix with a valid key, not a valid key
 * presented after another one.
 */
import { describe, expect, it } from 'vitest';
import { AuthenticationError } from '../../src/service/errors.js';
import { ApiKeyAuthenticator } from '../../src/service/http/api-keys.js';

const alice = 'alice-key-0123456789abcdef';
const bob = 'bob-key-0123456789abcdef';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('ApiKeyAuthenticator', () => {
  it('names the client of a key each time it is presented, whichever header carries it', () => {
    const auth = new ApiKeyAuthenticator([
      { name: 'alice', key: alice },
      { name: 'bob', key: bob },
    ]);
    for (let i = 0; i < 3; i += 1) {
      expect(auth.authenticate(bearer(alice))).toBe('alice');
      expect(auth.authenticate({ 'x-api-key': bob })).toBe('bob');
    }
    expect(auth.authenticate({ 'mj-api-secret': alice })).toBe('alice');
  });

  it('refuses a wrong key, a prefix or an extension of a valid one, after the valid one was accepted', () => {
    const auth = new ApiKeyAuthenticator([{ name: 'alice', key: alice }]);
    expect(auth.authenticate(bearer(alice))).toBe('alice');
    for (const key of ['nope', alice.slice(0, -1), `${alice}0`, alice.toUpperCase()]) {
      expect(() => auth.authenticate(bearer(key))).toThrow(AuthenticationError);
    }
    expect(() => auth.authenticate({})).toThrow(AuthenticationError);
    expect(auth.authenticate(bearer(alice))).toBe('alice');
  });

  it('remembers only keys that matched, one entry per key however often presented', () => {
    const auth = new ApiKeyAuthenticator([{ name: 'alice', key: alice }]);
    for (let i = 0; i < 100; i += 1) {
      expect(() => auth.authenticate(bearer(`wrong-${i}`))).toThrow(AuthenticationError);
      auth.authenticate(bearer(alice));
      auth.authenticate({ 'x-api-key': ` ${alice} ` });
    }
    expect((auth as unknown as { accepted: Map<string, string> }).accepted.size).toBe(1);
  });
});
