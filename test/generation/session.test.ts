import { describe, expect, it } from 'vitest';
import { DiscordHTTPError } from '../../src/discord/rest/errors.js';
import type { APIUser } from '../../src/discord/types.js';
import { DiscordSession } from '../../src/generation/session.js';
import { systemClock } from '../../src/util/clock.js';
import { USER_ID } from './fixtures.js';

describe('DiscordSession', () => {
  it('refuses a malformed GET /users/@me answer instead of going on without a user id, and asks again', async () => {
    // A 200 whose JSON was cut short reaches the caller as text.
    const answers: unknown[] = ['{"id":"11000000', { id: USER_ID, username: 'u' }];
    let calls = 0;
    const session = new DiscordSession({
      api: {
        getCurrentUser: async () => {
          calls += 1;
          return answers.shift() as APIUser;
        },
      },
      gateway: undefined,
      clock: systemClock,
      life: new AbortController().signal,
      userId: undefined,
      debug: () => undefined,
    });
    await expect(session.current(undefined)).rejects.toBeInstanceOf(DiscordHTTPError);
    expect(session.userId).toBeUndefined();
    await expect(session.current(undefined)).resolves.toMatchObject({ userId: USER_ID });
    expect(calls).toBe(2);
  });
});
