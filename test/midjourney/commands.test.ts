import { describe, expect, it, vi } from 'vitest';
import type { DiscordApi } from '../../src/discord/rest/api.js';
import { DiscordAPIError } from '../../src/discord/rest/errors.js';
import type { APIApplicationCommand, APIApplicationCommandIndex } from '../../src/discord/types.js';
import { ValidationError } from '../../src/errors.js';
import { CommandResolver, isOutdatedCommandError } from '../../src/midjourney/commands.js';
import { MIDJOURNEY_APPLICATION_ID, NIJI_APPLICATION_ID } from '../../src/midjourney/constants.js';
import { CommandNotFoundError } from '../../src/midjourney/errors.js';
import type { Clock } from '../../src/util/clock.js';

const GUILD = '1172561292618694696';
const CHANNEL = '1172561293411426325';
const OTHER_BOT = '1100000000000000001';
const HOUR = 3_600_000;

function command(
  applicationId: string,
  name: string,
  version: string,
  id = '938956540159881230',
): APIApplicationCommand {
  return { id, application_id: applicationId, version, name, description: name, type: 1 };
}

function index(...commands: APIApplicationCommand[]): APIApplicationCommandIndex {
  return { applications: [], application_commands: commands, version: '1' };
}

/** A scripted DiscordApi: each index call takes the next answer (a value or an error). */
function fakeApi(...answers: (APIApplicationCommandIndex | Error)[]) {
  const calls: string[] = [];
  const next = async (route: string) => {
    calls.push(route);
    const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
    if (answer instanceof Error) throw answer;
    return answer;
  };
  const api: DiscordApi = {
    getCurrentUser: () => Promise.reject(new Error('not used')),
    getMessages: () => Promise.reject(new Error('not used')),
    createInteraction: () => Promise.reject(new Error('not used')),
    getGuildApplicationCommandIndex: (id) => next(`guild:${id}`),
    getChannelApplicationCommandIndex: (id) => next(`channel:${id}`),
  };
  return { api, calls };
}

interface FakeClock extends Clock {
  time: number;
}

function fakeClock(start = 1_700_000_000_000): FakeClock {
  const clock: FakeClock = { time: start, now: () => clock.time, sleep: () => Promise.resolve() };
  return clock;
}

describe('CommandResolver', () => {
  it("finds Midjourney's /imagine, never another bot's, and names a missing one", async () => {
    const { api } = fakeApi(
      index(
        command(OTHER_BOT, 'imagine', 'other'),
        command(NIJI_APPLICATION_ID, 'imagine', 'niji'),
        command(MIDJOURNEY_APPLICATION_ID, 'imagine', 'mj-v1'),
        command(MIDJOURNEY_APPLICATION_ID, 'describe', 'mj-v1', '2'),
      ),
    );
    const resolver = new CommandResolver({ api, guildId: GUILD, clock: fakeClock() });
    expect((await resolver.resolve()).version).toBe('mj-v1');
    expect((await resolver.resolve('describe')).id).toBe('2');
    await expect(resolver.resolve('blend')).rejects.toThrow(CommandNotFoundError);
    await expect(resolver.resolve('blend')).rejects.toThrow(
      /No \/blend command of application 936929561302675456/,
    );

    const niji = new CommandResolver({ api, guildId: GUILD, applicationId: NIJI_APPLICATION_ID });
    expect((await niji.resolve()).version).toBe('niji');
  });

  it('serves a fresh lookup for an hour, then looks again', async () => {
    const clock = fakeClock();
    const { api, calls } = fakeApi(
      index(command(MIDJOURNEY_APPLICATION_ID, 'imagine', 'v1')),
      index(command(MIDJOURNEY_APPLICATION_ID, 'imagine', 'v2')),
    );
    const resolver = new CommandResolver({ api, guildId: GUILD, clock });
    expect((await resolver.resolve()).version).toBe('v1');
    clock.time += HOUR - 1;
    expect((await resolver.resolve()).version).toBe('v1');
    expect(calls).toEqual([`guild:${GUILD}`]);
    clock.time += 1;
    expect((await resolver.resolve()).version).toBe('v2');
    expect(calls).toHaveLength(2);
  });

  it('serves the stale copy while lookups fail, asking again only after the retry gap', async () => {
    const clock = fakeClock();
    const outage = new Error('503 from Discord');
    const { api, calls } = fakeApi(
      index(command(MIDJOURNEY_APPLICATION_ID, 'imagine', 'v1')),
      outage,
      outage,
    );
    const resolver = new CommandResolver({ api, guildId: GUILD, clock });
    const debug = vi.fn();
    resolver.on('debug', debug);
    await resolver.resolve();
    clock.time += 2 * HOUR;
    expect((await resolver.resolve()).version).toBe('v1');
    expect(debug).toHaveBeenCalledWith(expect.stringMatching(/lookup failed, serving a copy 7200 s old/));
    clock.time += 59_000;
    await resolver.resolve();
    expect(calls).toHaveLength(2);
    clock.time += 1_000;
    expect((await resolver.resolve()).version).toBe('v1');
    expect(calls).toHaveLength(3);
  });

  it('stops serving the stale copy after 24 hours: the lookup error surfaces', async () => {
    const clock = fakeClock();
    const outage = new Error('503 from Discord');
    const { api } = fakeApi(index(command(MIDJOURNEY_APPLICATION_ID, 'imagine', 'v1')), outage);
    const resolver = new CommandResolver({ api, guildId: GUILD, clock });
    await resolver.resolve();
    clock.time += 24 * HOUR;
    await expect(resolver.resolve()).rejects.toBe(outage);
  });

  it('throws the lookup error when there is nothing cached', async () => {
    const outage = new Error('network down');
    const { api } = fakeApi(outage);
    await expect(new CommandResolver({ api, guildId: GUILD }).resolve()).rejects.toBe(outage);
  });

  it('shares one lookup between concurrent callers', async () => {
    const { api, calls } = fakeApi(index(command(MIDJOURNEY_APPLICATION_ID, 'imagine', 'v1')));
    const resolver = new CommandResolver({ api, guildId: GUILD, clock: fakeClock() });
    const results = await Promise.all([resolver.resolve(), resolver.resolve(), resolver.resolve('imagine')]);
    expect(results.map((c) => c.version)).toEqual(['v1', 'v1', 'v1']);
    expect(calls).toHaveLength(1);
  });

  it("lets one caller give up without failing the others' shared lookup", async () => {
    let release: (value: APIApplicationCommandIndex) => void = () => {};
    const { api } = fakeApi(index());
    api.getGuildApplicationCommandIndex = () => new Promise((resolve) => (release = resolve));
    const resolver = new CommandResolver({ api, guildId: GUILD });
    const controller = new AbortController();
    const impatient = resolver.resolve('imagine', { signal: controller.signal });
    const patient = resolver.resolve();
    controller.abort(new Error('caller gave up'));
    await expect(impatient).rejects.toThrow('caller gave up');
    release(index(command(MIDJOURNEY_APPLICATION_ID, 'imagine', 'v1')));
    expect((await patient).version).toBe('v1');
  });

  it('refresh() replaces the cache after Discord refuses an outdated version; invalidate() forgets it', async () => {
    const clock = fakeClock();
    const { api, calls } = fakeApi(
      index(command(MIDJOURNEY_APPLICATION_ID, 'imagine', 'v1')),
      index(command(MIDJOURNEY_APPLICATION_ID, 'imagine', 'v2')),
      index(command(MIDJOURNEY_APPLICATION_ID, 'imagine', 'v3')),
    );
    const resolver = new CommandResolver({ api, guildId: GUILD, clock });
    expect((await resolver.resolve()).version).toBe('v1');
    const refusal = {
      code: 50035,
      errors: {
        data: {
          _errors: [
            {
              code: 'INTERACTION_APPLICATION_COMMAND_INVALID_VERSION',
              message: 'This command is outdated, please try again in a few minutes',
            },
          ],
        },
      },
    };
    expect(isOutdatedCommandError(refusal)).toBe(true);
    await resolver.refresh();
    expect((await resolver.resolve()).version).toBe('v2');
    resolver.invalidate();
    expect((await resolver.resolve()).version).toBe('v3');
    expect(calls).toHaveLength(3);
  });

  it('reads the channel index when given a DM channel', async () => {
    const { api, calls } = fakeApi(index(command(MIDJOURNEY_APPLICATION_ID, 'imagine', 'v1')));
    await new CommandResolver({ api, channelId: CHANNEL }).resolve();
    expect(calls).toEqual([`channel:${CHANNEL}`]);
  });

  it('validates its options, naming each problem', () => {
    const { api } = fakeApi(index());
    expect(() => new CommandResolver({ api })).toThrow(/guildId or channelId: one is required/);
    expect(() => new CommandResolver({ api, guildId: 'abc' })).toThrow(ValidationError);
    expect(() => new CommandResolver({ api, guildId: GUILD, freshMs: 10, staleMs: 5 })).toThrow(
      /staleMs: must be at least freshMs/,
    );
    expect(() => new CommandResolver({ api, guildId: GUILD, freshMs: -1 })).toThrow(/freshMs/);
  });
});

describe('isOutdatedCommandError', () => {
  const context = { method: 'POST', route: '/interactions', attempts: 1 };

  it('recognises the REST layer error by its issue code, or by the message alone', () => {
    const error = new DiscordAPIError(context, 400, 50035, 'Invalid Form Body', [
      {
        field: 'data',
        code: 'INTERACTION_APPLICATION_COMMAND_INVALID_VERSION',
        message: 'This command is outdated, please try again in a few minutes',
      },
    ]);
    expect(isOutdatedCommandError(error)).toBe(true);
    const messageOnly = Object.assign(new Error('x'), {
      discordCode: 50035,
      fieldErrors: ['data: This command is outdated, please try again in a few minutes'],
    });
    expect(isOutdatedCommandError(messageOnly)).toBe(true);
  });

  it('recognises a rawError body attached to an error', () => {
    const error = Object.assign(new Error('x'), {
      discordCode: 50035,
      rawError: {
        code: 50035,
        message: 'Invalid Form Body',
        errors: {
          data: {
            _errors: [{ code: 'INTERACTION_APPLICATION_COMMAND_INVALID_VERSION', message: 'outdated' }],
          },
        },
      },
    });
    expect(isOutdatedCommandError(error)).toBe(true);
  });

  it('rejects other form errors, other codes and non-errors', () => {
    const otherField = new DiscordAPIError(context, 400, 50035, 'Invalid Form Body', [
      {
        field: 'data.options[0].value',
        code: 'BASE_TYPE_MAX_LENGTH',
        message: 'Must be 6000 or fewer in length.',
      },
    ]);
    expect(isOutdatedCommandError(otherField)).toBe(false);
    expect(isOutdatedCommandError(new DiscordAPIError(context, 404, 10008, 'Unknown Message', []))).toBe(
      false,
    );
    expect(
      isOutdatedCommandError({
        code: 50001,
        errors: { data: { _errors: [{ code: 'INTERACTION_APPLICATION_COMMAND_INVALID_VERSION' }] } },
      }),
    ).toBe(false);
    expect(isOutdatedCommandError(undefined)).toBe(false);
    expect(isOutdatedCommandError('50035')).toBe(false);
  });
});

describe('CommandResolver never caches a failure', () => {
  it('an index of the wrong shape fails this call and is looked up again by the next', async () => {
    // Before, `application_commands ?? []` cached an empty index: "command not found" for an hour.
    const good = index(command(MIDJOURNEY_APPLICATION_ID, 'imagine', '1'));
    const { api, calls } = fakeApi('{"applications":[' as unknown as APIApplicationCommandIndex, good);
    const resolver = new CommandResolver({ api, guildId: GUILD, clock: fakeClock() });
    await expect(resolver.resolve()).rejects.toMatchObject({ code: 'DISCORD_PROTOCOL_ERROR' });
    await expect(resolver.resolve()).resolves.toMatchObject({ name: 'imagine', version: '1' });
    expect(calls).toHaveLength(2);
  });

  it('a rejected lookup with nothing cached is asked again by the next call', async () => {
    const good = index(command(MIDJOURNEY_APPLICATION_ID, 'imagine', '1'));
    const { api, calls } = fakeApi(new Error('socket hang up'), good);
    const resolver = new CommandResolver({ api, guildId: GUILD, clock: fakeClock() });
    await expect(resolver.resolve()).rejects.toThrow('socket hang up');
    await expect(resolver.resolve()).resolves.toMatchObject({ name: 'imagine' });
    expect(calls).toHaveLength(2);
  });
});
