import { describe, expect, it } from 'vitest';
import { decodePayload } from '../../../src/discord/gateway/decode.js';

describe('decodePayload', () => {
  it('reads text and binary JSON frames', () => {
    const frame = '{"op":0,"t":"MESSAGE_CREATE","s":7,"d":{"id":"1"}}';
    const expected = { op: 0, t: 'MESSAGE_CREATE', s: 7, d: { id: '1' } };
    expect(decodePayload(Buffer.from(frame))).toEqual(expected);
    expect(decodePayload([Buffer.from(frame.slice(0, 10)), Buffer.from(frame.slice(10))])).toEqual(expected);
    expect(decodePayload(new TextEncoder().encode(frame).buffer as ArrayBuffer)).toEqual(expected);
  });

  it('normalises missing fields to null', () => {
    expect(decodePayload(Buffer.from('{"op":11}'))).toEqual({ op: 11, d: null, s: null, t: null });
  });

  it.each([
    ['not json', 'not valid JSON'],
    ['[1,2]', 'no integer op'],
    ['42', 'not a JSON object'],
    ['{"op":"1"}', 'no integer op'],
  ])('refuses %s with GATEWAY_DECODE_FAILED', (frame, message) => {
    expect(() => decodePayload(Buffer.from(frame))).toThrow(
      expect.objectContaining({ code: 'GATEWAY_DECODE_FAILED', message: expect.stringContaining(message) }),
    );
  });
});
