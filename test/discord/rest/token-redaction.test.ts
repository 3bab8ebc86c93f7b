import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { InteractionPayload } from '../../../src/discord/types.js';
import { createLogger } from '../../../src/util/logger.js';
import { BASE, json, type MockSetup, mockClient, TOKEN } from './client-helpers.js';
import { CHANNEL_1 } from './helpers.js';

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** Everything a careless caller could print about an error, cause chain included. */
function everything(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current instanceof Error) {
    parts.push(String(current), current.stack ?? '', JSON.stringify(current));
    if ('toJSON' in current && typeof current.toJSON === 'function')
      parts.push(JSON.stringify(current.toJSON()));
    current = current.cause;
  }
  if (current !== undefined) parts.push(String(current));
  return parts.join('\n');
}

let setup: MockSetup | undefined;
afterEach(async () => {
  await setup?.close();
  setup = undefined;
});

describe('the token never leaks', () => {
  it('through failing requests: not in the request log, not in any thrown error', async () => {
    const out = capture();
    // No `secrets` option: the logger's last-resort scrubbing is off, so only the client protects the token.
    const logger = createLogger({ destination: out.stream, level: 'trace' });
    setup = mockClient({ logger, retries: 1, retryBaseMs: 1 });
    const path = (p: string) => `${BASE}${p}`;
    const channel = `/channels/${CHANNEL_1}/messages`;
    // A proxy that echoes the Authorization header in its error page and in a socket error.
    setup.pool
      .intercept({ path: path(channel), method: 'GET' })
      .reply(502, `bad upstream for ${TOKEN}`)
      .times(2);
    setup.pool
      .intercept({ path: path('/interactions'), method: 'POST' })
      .replyWithError(Object.assign(new Error(`socket hang up (auth ${TOKEN})`), { code: 'ECONNRESET' }));
    setup.pool
      .intercept({ path: path('/guilds/200000000000000001/application-command-index'), method: 'GET' })
      .reply(
        400,
        {
          code: 50035,
          message: `Invalid Form Body ${TOKEN}`,
          errors: { x: { _errors: [{ code: 'A', message: TOKEN }] } },
        },
        json,
      );
    setup.pool
      .intercept({ path: path('/users/@me'), method: 'GET' })
      .reply(401, { code: 0, message: '401: Unauthorized' }, json);

    const payload = {
      type: 2,
      application_id: '936929561302675456',
      channel_id: CHANNEL_1,
      session_id: 's',
      nonce: '1100000000000000001',
      data: {},
    } as unknown as InteractionPayload;
    const errors = [
      await setup.client.getMessages(CHANNEL_1).catch((e: unknown) => e),
      await setup.client.createInteraction(payload).catch((e: unknown) => e),
      await setup.client.getGuildApplicationCommandIndex('200000000000000001').catch((e: unknown) => e),
      await setup.client.getCurrentUser().catch((e: unknown) => e),
      await setup.client.getCurrentUser().catch((e: unknown) => e),
    ];
    expect(errors.map((e) => (e as Error).name)).toEqual([
      'DiscordHTTPError',
      'DiscordNetworkError',
      'DiscordAPIError',
      'TokenInvalidError',
      'TokenInvalidError',
    ]);
    logger.flush();
    const logs = out.text();
    // The log is not empty: requests, failures and the retry were all logged...
    expect(logs).toContain('"msg":"discord request"');
    expect(logs).toContain('"msg":"discord request failed"');
    expect(logs).toContain('"msg":"retrying discord request"');
    // ...and neither it nor any error carries the token.
    expect(logs).not.toContain(TOKEN);
    for (const error of errors) {
      const text = everything(error);
      expect(text).not.toContain(TOKEN);
    }
    expect(everything(errors[0])).toContain('[REDACTED]');
    expect(everything(errors[1])).toContain('[REDACTED]');
    expect(JSON.stringify(setup.client.limiter.stats())).not.toContain(TOKEN);
    expect(JSON.stringify(setup.client.options)).not.toContain(TOKEN);
  });
});
