/** The session never keeps a failed `GET /users/@me`: the next job asks again. */
import { describe, expect, it } from 'vitest';
import type { APIUser } from '../../src/discord/types.js';
import { DiscordSession } from '../../src/generation/session.js';
import { systemClock } from '../../src/util/clock.js';

const USER: APIUser = {
  id: '300000000000000001',
  username: 'me',
  global_name: null,
  discriminator: '0',
  avatar: null,
};

function session(...answers: unknown[]) {
  let calls = 0;
  const s = new DiscordSession({
    api: {
      getCurrentUser: async () => {
        const answer = answers[Math.min(calls++, answers.length - 1)];
        if (answer instanceof Error) throw answer;
        return answer as APIUser;
      },
    },
    gateway: undefined,
    clock: systemClock,
    life: new AbortController().signal,
    userId: undefined,
    debug: () => {},
  });
  return { s, calls: () => calls };
}

describe('DiscordSession user lookup', () => {
  it('an answer without a usable id fails this job and is asked again by the next', async () => {
    // A truncated body handed through as text: before, its missing id was cached for good and every
    // later job's messages looked like someone else's (pre-moderation).
    const { s, calls } = session('{"id":"3000', USER);
    await expect(s.current(undefined)).rejects.toMatchObject({ code: 'DISCORD_PROTOCOL_ERROR' });
    await expect(s.current(undefined)).resolves.toMatchObject({ userId: USER.id });
    expect(calls()).toBe(2);
    await s.current(undefined);
    expect(calls()).toBe(2); // a good answer is kept
  });

  it('a rejected lookup is dropped too', async () => {
    const { s, calls } = session(new Error('socket hang up'), USER);
    await expect(s.current(undefined)).rejects.toThrow('socket hang up');
    await expect(s.current(undefined)).resolves.toMatchObject({ userId: USER.id });
    expect(calls()).toBe(2);
  });
});
