/**
 * Fuzzing every Discord answer decoder: arbitrary JSON, arbitrary text and bytes, truncated real
 * messages. A decoder reports (ok or a problem) and never throws; through RestClient, nothing but
 * DiscordProtocolError comes out. Each property is bounded in runs and time (about 2 s).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DECODER_THREW,
  type Decoded,
  type Decoder,
  decodeBody,
  decodeMessage,
  decodeWith,
  RESPONSE_DECODERS,
} from '../../../src/discord/decode/index.js';
import { decodeDispatchData } from '../../../src/discord/gateway/dispatch-decoders.js';
import type { GatewayDispatchName } from '../../../src/discord/gateway/protocol.js';
import { DiscordProtocolError } from '../../../src/discord/rest/errors.js';
import { parseMessage } from '../../../src/midjourney/parser.js';
import { fixtureNames, loadFixture } from '../../midjourney/fixtures.js';
import { BASE, json, type MockSetup, mockClient } from '../rest/client-helpers.js';
import { CHANNEL_1 } from '../rest/helpers.js';

const LIMIT = { numRuns: 300, interruptAfterTimeLimit: 2_000 } as const;
const DECODERS = Object.entries({ ...RESPONSE_DECODERS, message: decodeMessage }) as [
  string,
  Decoder<unknown>,
][];

/** Ok, or a reported problem that is a failed check, never an exception caught on the way. */
function wellFormed(result: Decoded<unknown>): boolean {
  if (result.ok) return true;
  return (
    typeof result.problem === 'string' &&
    result.problem.length > 0 &&
    !result.problem.startsWith(DECODER_THREW)
  );
}

/** Text as it may arrive: any string, any JSON document, any bytes read as UTF-8. */
const bodies = fc.oneof(
  fc.string(),
  fc.json(),
  fc.string({ unit: 'binary' }),
  fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes).toString('utf8')),
);

const fixtures = fixtureNames().map(loadFixture);
const fixture = fc.constantFrom(...fixtures);

describe.each(DECODERS)('decoder %s', (_name, decoder) => {
  it('reports on any JSON value, never throws', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => wellFormed(decodeWith(decoder, value))),
      LIMIT,
    );
  });

  it('reports on any text or bytes, never throws', () => {
    fc.assert(
      fc.property(bodies, (text) => wellFormed(decodeBody(decoder, text))),
      LIMIT,
    );
  });
});

describe('gateway dispatch data', () => {
  const names: GatewayDispatchName[] = [
    'MESSAGE_CREATE',
    'MESSAGE_UPDATE',
    'MESSAGE_DELETE',
    'INTERACTION_CREATE',
    'INTERACTION_SUCCESS',
    'INTERACTION_FAILURE',
  ];
  it('any JSON under any known dispatch name is checked, never throws', () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.jsonValue(), (name, data) =>
        wellFormed(decodeDispatchData(name, data)),
      ),
      LIMIT,
    );
  });

  it('a recorded message with any field replaced, as a MESSAGE_UPDATE, never throws', () => {
    fc.assert(
      fc.property(fixture, fc.string(), fc.jsonValue(), (message, key, value) =>
        wellFormed(decodeDispatchData('MESSAGE_UPDATE', { ...message, [key]: value })),
      ),
      LIMIT,
    );
  });
});

describe('message decoding against real shapes', () => {
  it('a recorded message list cut anywhere is refused, never half-used', () => {
    fc.assert(
      fc.property(fixture, fc.double({ min: 0, max: 1, noNaN: true }), (message, at) => {
        const whole = JSON.stringify([message]);
        const cut = Math.floor(at * (whole.length - 1));
        return !decodeBody(RESPONSE_DECODERS.messages, whole.slice(0, cut)).ok;
      }),
      LIMIT,
    );
  });

  it('unknown components and embeds never fail a message, and it still parses', () => {
    fc.assert(
      fc.property(
        fixture,
        fc.array(fc.jsonValue(), { maxLength: 5 }),
        fc.array(fc.jsonValue(), { maxLength: 5 }),
        (message, components, embeds) => {
          const decoded = decodeWith(decodeMessage, { ...message, components, embeds });
          if (!decoded.ok) return false;
          parseMessage(decoded.value);
          return true;
        },
      ),
      LIMIT,
    );
  });

  it('any value in any field either decodes or is a reported problem', () => {
    const keys = Object.keys(fixtures[0]!);
    fc.assert(
      fc.property(fixture, fc.constantFrom(...keys), fc.jsonValue(), (message, key, value) => {
        const decoded = decodeWith(decodeMessage, { ...message, [key]: value });
        if (decoded.ok) parseMessage(decoded.value);
        return wellFormed(decoded);
      }),
      LIMIT,
    );
  });
});

describe('RestClient with arbitrary 200 bodies', () => {
  let setup: MockSetup | undefined;
  afterEach(async () => {
    await setup?.close();
    setup = undefined;
  });

  it('getMessages resolves a checked list or rejects with DiscordProtocolError, nothing else', async () => {
    setup = mockClient({ retries: 0 });
    const pool = setup.pool;
    const client = setup.client;
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        pool
          .intercept({ path: `${BASE}/channels/${CHANNEL_1}/messages`, method: 'GET' })
          .reply(200, body, json);
        try {
          const messages = await client.getMessages(CHANNEL_1);
          expect(Array.isArray(messages)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(DiscordProtocolError);
        }
      }),
      { numRuns: 100, interruptAfterTimeLimit: 2_000 },
    );
  });
});
