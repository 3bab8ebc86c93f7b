/**
 * Fuzzing the Midjourney message parser and classifier: any value, any content, any component or
 * embed shape. Both are total (a ParsedMessage and a Classification come back, nothing throws).
 * Each property is bounded in runs and time (about 2 s).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { APIMessage } from '../../src/discord/types.js';
import { classify } from '../../src/midjourney/classifier.js';
import { MIDJOURNEY_BOT_IDS } from '../../src/midjourney/constants.js';
import { parseMessage } from '../../src/midjourney/parser.js';
import { fixtureNames, loadFixture } from './fixtures.js';

const LIMIT = { numRuns: 300, interruptAfterTimeLimit: 2_000 } as const;
const fixture = fc.constantFrom(...fixtureNames().map(loadFixture));

function parseAndClassify(message: unknown): void {
  const parsed = parseMessage(message as APIMessage);
  expect(typeof parsed.state).toBe('string');
  const classification = classify({ type: 'message', message: message as APIMessage, parsed });
  expect(typeof classification.outcome).toBe('string');
  classify({ type: 'message', message: message as APIMessage });
  classify({ type: 'deleted', messageId: parsed.messageId, lastSeen: parsed });
}

/** Content shaped like Midjourney's grammar, with arbitrary pieces. */
const jobContent = fc
  .tuple(
    fc.string(),
    fc.constantFrom(
      '',
      'Image #2 ',
      'Variations (Strong) by ',
      'Zoom Out by ',
      fc.sample(fc.string(), 1)[0]!,
    ),
    fc.oneof(fc.constant('<@300000000000000001>'), fc.string()),
    fc.array(
      fc.oneof(
        fc.constantFrom('fast', 'relaxed, stealth', '42%', 'Waiting to start', 'Stopped'),
        fc.string(),
      ),
      {
        maxLength: 3,
      },
    ),
    fc.string(),
  )
  .map(
    ([prompt, detail, mention, statuses, tail]) =>
      `**${prompt}** - ${detail}${mention} ${statuses.map((s) => `(${s})`).join(' ')}${tail}`,
  );

describe('parseMessage and classify', () => {
  it('take any value at all', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => parseAndClassify(value)),
      LIMIT,
    );
  });

  it('take any JSON object', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => parseAndClassify(value)),
      LIMIT,
    );
  });

  it('take a recorded message with any one field replaced', () => {
    fc.assert(
      fc.property(fixture, fc.string(), fc.jsonValue(), (message, key, value) => {
        const keys = Object.keys(message);
        const field = keys[key.length % keys.length]!;
        parseAndClassify({ ...message, [field]: value });
      }),
      LIMIT,
    );
  });

  it('take any content, grammar-shaped or not, from the bot', () => {
    fc.assert(
      fc.property(
        fixture,
        fc.oneof(jobContent, fc.string(), fc.string({ unit: 'binary' })),
        (message, content) => {
          parseAndClassify({ ...message, author: { ...message.author, id: MIDJOURNEY_BOT_IDS[0] }, content });
        },
      ),
      LIMIT,
    );
  });

  it('take arbitrary components, embeds and attachments', () => {
    const loose = fc.array(fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue())), {
      maxLength: 4,
    });
    fc.assert(
      fc.property(fixture, loose, loose, loose, (message, components, embeds, attachments) => {
        parseAndClassify({ ...message, components, embeds, attachments });
      }),
      LIMIT,
    );
  });
});
