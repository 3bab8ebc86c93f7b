import { describe, expect, it, vi } from 'vitest';
import { DiscordAPIError, DiscordNetworkError } from '../../src/discord/rest/errors.js';
import type { InteractionPayload } from '../../src/discord/types.js';
import { type SubmitOptions, submitInteraction } from '../../src/generation/submit.js';

const ctx = { method: 'POST', route: '/interactions', attempts: 1 };
const ambiguous = () =>
  new DiscordNetworkError(ctx, 'ECONNRESET', true, true, new Error('reset'), 'socket hang up');
const outdated = () =>
  new DiscordAPIError(ctx, 400, 50_035, 'Invalid Form Body', [
    {
      field: 'data',
      code: 'INTERACTION_APPLICATION_COMMAND_INVALID_VERSION',
      message: 'This command is outdated, please try again in a few minutes',
    },
  ]);

function setup(failures: Error[], seen: boolean[] = []) {
  const sent: number[] = [];
  let version = 1;
  const options: SubmitOptions = {
    api: {
      createInteraction: vi.fn(async () => {
        sent.push(version);
        const failure = failures.shift();
        if (failure) throw failure;
      }),
    },
    build: async () => ({ version }) as unknown as InteractionPayload,
    refreshCommand: vi.fn(async () => {
      version += 1;
    }),
    waitSeen: vi.fn(async () => seen.shift() ?? false),
    wake: vi.fn(),
    ambiguousGraceMs: 30_000,
    debug: () => undefined,
  };
  return { options, sent };
}

describe('submitInteraction', () => {
  it('sends once when Discord accepts', async () => {
    const { options, sent } = setup([]);
    await expect(submitInteraction(options)).resolves.toEqual({
      attempts: 1,
      refreshedCommand: false,
      recoveredAmbiguous: false,
    });
    expect(sent).toEqual([1]);
  });

  it('refreshes an outdated command once and resends with the new version', async () => {
    const { options, sent } = setup([outdated()]);
    await expect(submitInteraction(options)).resolves.toMatchObject({ attempts: 2, refreshedCommand: true });
    expect(sent).toEqual([1, 2]);
  });

  it('does not resend after an ambiguous failure when the job shows up', async () => {
    const { options, sent } = setup([ambiguous()], [true]);
    await expect(submitInteraction(options)).resolves.toMatchObject({
      attempts: 1,
      recoveredAmbiguous: true,
    });
    expect(sent).toEqual([1]);
    expect(options.wake).toHaveBeenCalled();
    expect(options.waitSeen).toHaveBeenCalledWith(30_000, undefined);
  });

  it('resends once when nothing of the job appeared, and never a second time', async () => {
    const once = setup([ambiguous()], [false]);
    await expect(submitInteraction(once.options)).resolves.toMatchObject({ attempts: 2 });
    const twice = setup([ambiguous(), ambiguous()], [false, false]);
    // Either POST may still run: the job is watched, with the last failure as its outcome if nothing shows.
    const report = await submitInteraction(twice.options);
    expect(report.unconfirmed).toBeInstanceOf(DiscordNetworkError);
    expect(twice.sent).toHaveLength(2);
  });

  it('does not end the job when the resend is refused after an ambiguous first send', async () => {
    const refused = new DiscordAPIError(ctx, 403, 50_001, 'Missing Access');
    const { options, sent } = setup([ambiguous(), refused], [false]);
    const report = await submitInteraction(options);
    expect(report).toMatchObject({ attempts: 2, recoveredAmbiguous: false });
    expect(report.unconfirmed).toBe(refused);
    expect(sent).toEqual([1, 1]);
  });

  it('does not resend when the channel could not be observed during the grace (polls failing)', async () => {
    const first = ambiguous();
    const { options, sent } = setup([first], [false, false]);
    options.look = vi.fn(async () => false);
    const report = await submitInteraction(options);
    expect(sent).toEqual([1]);
    expect(report).toMatchObject({ attempts: 1, recoveredAmbiguous: false });
    expect(report.unconfirmed).toBe(first);
  });

  it('takes a job found by the last look after the grace as sent', async () => {
    const { options, sent } = setup([ambiguous()], [false, true]);
    options.look = vi.fn(async () => true);
    await expect(submitInteraction(options)).resolves.toMatchObject({
      attempts: 1,
      recoveredAmbiguous: true,
    });
    expect(sent).toEqual([1]);
    expect(options.look).toHaveBeenCalledOnce();
  });

  it('does not end the job when building the resend fails after an ambiguous send', async () => {
    const { options, sent } = setup([ambiguous()], [false, false]);
    const lookup = new Error('command index unavailable');
    let builds = 0;
    options.build = async () => {
      builds += 1;
      if (builds > 1) throw lookup;
      return { version: 1 } as unknown as InteractionPayload;
    };
    const report = await submitInteraction(options);
    expect(sent).toEqual([1]);
    expect(report.unconfirmed).toBe(lookup);
  });

  it('counts a command refresh as the one resend', async () => {
    const { options, sent } = setup([outdated(), outdated()]);
    await expect(submitInteraction(options)).rejects.toBeInstanceOf(DiscordAPIError);
    expect(sent).toEqual([1, 2]);
  });

  it('passes other errors through without resending', async () => {
    const { options, sent } = setup([new DiscordAPIError(ctx, 403, 50_001, 'Missing Access')]);
    await expect(submitInteraction(options)).rejects.toMatchObject({ status: 403 });
    expect(sent).toEqual([1]);
  });
});
