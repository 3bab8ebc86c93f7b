import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from '../../src/service/webhooks/signature.js';

const secret = 'whsec-0123456789abcdef';
const body = '{"event":"completed","job":{"id":"1"}}';

describe('webhook signatures', () => {
  it('signs t=<seconds>,v1=<HMAC-SHA256 of "t.body">', () => {
    const header = signWebhook(secret, body, 1_750_000_000_500);
    const expected = createHmac('sha256', secret).update(`1750000000.${body}`).digest('hex');
    expect(header).toBe(`t=1750000000,v1=${expected}`);
  });

  it('verifies its own signatures and refuses tampering, other secrets and old timestamps', () => {
    const now = 1_750_000_000_000;
    const header = signWebhook(secret, body, now);
    expect(verifyWebhookSignature(secret, header, body, { now })).toBe(true);
    expect(verifyWebhookSignature(secret, header, `${body} `, { now })).toBe(false);
    expect(verifyWebhookSignature('another-secret-0123456', header, body, { now })).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, { now: now + 301_000 })).toBe(false);
    expect(verifyWebhookSignature(secret, undefined, body, { now })).toBe(false);
    expect(verifyWebhookSignature(secret, 't=abc,v1=00', body, { now })).toBe(false);
  });
});
