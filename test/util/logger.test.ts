import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactSecrets } from '../../src/util/logger.js';

const TOKEN = 'MTA5.fake-user-token.abcdefghijklmnop';

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

describe('createLogger', () => {
  it('censors token-bearing paths and scrubs the token from any text', () => {
    const out = capture();
    const logger = createLogger({ secrets: [TOKEN], destination: out.stream, level: 'debug' });
    logger.info({ headers: { authorization: TOKEN }, token: TOKEN }, 'request');
    logger.warn(`failed with header ${TOKEN} in a message`);
    logger.error({ err: new Error(`boom ${TOKEN}`) }, 'error with the token in its text');
    expect(out.text()).toContain('[REDACTED]');
    expect(out.text()).not.toContain(TOKEN);
    expect(out.text().split('\n').filter(Boolean)).toHaveLength(3);
  });
});

describe('redactSecrets', () => {
  it('replaces every occurrence', () => {
    expect(redactSecrets(`a ${TOKEN} b ${TOKEN}`, [TOKEN])).toBe('a [REDACTED] b [REDACTED]');
  });
});
