import { describe, expect, it, vi } from 'vitest';
import {
  DiscordAPIError,
  DiscordNetworkError,
  DiscordProtocolError,
  DiscordTimeoutError,
} from '../../src/discord/rest/errors.js';
import type { InteractionPayload } from '../../src/discord/types.js';
import { sendFailureAction } from '../../src/generation/send-rule.js';
import { type SubmitOptions, submitInteraction } from '../../src/generation/submit.js';

const ctx = { method: 'POST', route: '/interactions', attempts: 1 };
const resetAfterConnect = () =>
  new DiscordNetworkError(
    ctx,
    'UND_ERR_SOCKET',
    true,
    true,
    new Error('other side closed'),
    'other side closed',
  );
const timeout = () => new DiscordTimeoutError(ctx, 2_000, true);
const refusedConnect = () =>
  new DiscordNetworkError(ctx, 'ECONNREFUSED', false, false, new Error('refused'), 'connect ECONNREFUSED');
const server5xx = () => new DiscordAPIError(ctx, 500, 0, 'Internal Server Error', [], true);
const malformed2xx = () => new DiscordProtocolError(ctx, 200, 'not JSON', '', true);
const forbidden = () => new DiscordAPIError(ctx, 403, 50_001, 'Missing Access');
const outdated = () =>
  new DiscordAPIError(ctx, 400, 50_035, 'Invalid Form Body', [
    {
      field: 'data',
      code: 'INTERACTION_APPLICATION_COMMAND_INVALID_VERSION',
      message: 'This command is outdated, please try again in a few minutes',
    },
  ]);

describe('sendFailureAction (send-rule.ts)', () => {
  const base = { refreshed: false, canRefresh: true, maybeSentBefore: false };
  it.each([
    ['an outdated command version (a 4xx: nothing ran)', outdated(), 'refresh-and-resend'],
    ['a timeout (Discord may act on the held request later)', timeout(), 'watch'],
    ['a reset after connecting (the request may have been written)', resetAfterConnect(), 'watch'],
    ['a 5xx', server5xx(), 'watch'],
    ['a malformed 2xx', malformed2xx(), 'watch'],
    ['a 403 (Discord refused it)', forbidden(), 'fail'],
    ['a connect error (nothing was written; the REST client retries it)', refusedConnect(), 'fail'],
    ['a local failure', new Error('boom'), 'fail'],
  ] as const)('%s: %s', (_, error, action) => {
    expect(sendFailureAction({ ...base, error })).toBe(action);
  });

  it('refreshes a command once, and never for a button press', () => {
    expect(sendFailureAction({ ...base, refreshed: true, error: outdated() })).toBe('fail');
    expect(sendFailureAction({ ...base, canRefresh: false, error: outdated() })).toBe('fail');
  });

  it('never resends once an earlier POST may have reached Discord', () => {
    for (const error of [outdated(), forbidden(), timeout(), new Error('boom')]) {
      expect(sendFailureAction({ ...base, maybeSentBefore: true, error })).toBe('watch');
    }
  });
});

function setup(failures: Error[]) {
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
    wake: vi.fn(),
    debug: () => undefined,
  };
  return { options, sent };
}

describe('submitInteraction', () => {
  it('sends once when Discord accepts', async () => {
    const { options, sent } = setup([]);
    await expect(submitInteraction(options)).resolves.toEqual({ attempts: 1, refreshedCommand: false });
    expect(sent).toEqual([1]);
  });

  it('refreshes an outdated command once and resends with the new version', async () => {
    const { options, sent } = setup([outdated()]);
    await expect(submitInteraction(options)).resolves.toMatchObject({ attempts: 2, refreshedCommand: true });
    expect(sent).toEqual([1, 2]);
  });

  it.each([
    ['a timeout', timeout],
    ['a reset after connecting', resetAfterConnect],
    ['a 5xx', server5xx],
  ])('never resends after %s: the job is watched, with the failure as unconfirmed', async (_, make) => {
    const failure = make();
    const { options, sent } = setup([failure]);
    const report = await submitInteraction(options);
    expect(sent).toEqual([1]);
    expect(report).toMatchObject({ attempts: 1, refreshedCommand: false });
    expect(report.unconfirmed).toBe(failure);
    expect(options.wake).toHaveBeenCalledOnce();
  });

  it('never resends when the refreshed send fails ambiguously', async () => {
    const failure = timeout();
    const { options, sent } = setup([outdated(), failure]);
    const report = await submitInteraction(options);
    expect(sent).toEqual([1, 2]);
    expect(report.unconfirmed).toBe(failure);
  });

  it('counts a command refresh as the one resend', async () => {
    const { options, sent } = setup([outdated(), outdated()]);
    await expect(submitInteraction(options)).rejects.toBeInstanceOf(DiscordAPIError);
    expect(sent).toEqual([1, 2]);
  });

  it('passes other errors through without resending', async () => {
    const { options, sent } = setup([forbidden()]);
    await expect(submitInteraction(options)).rejects.toMatchObject({ status: 403 });
    expect(sent).toEqual([1]);
  });
});
