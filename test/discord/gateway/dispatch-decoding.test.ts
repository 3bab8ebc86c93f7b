/** Dispatches the worker acts on are checked before they are emitted typed. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayClient } from '../../../src/discord/gateway/client.js';
import { decodeDispatchData } from '../../../src/discord/gateway/dispatch-decoders.js';
import type { GatewayError } from '../../../src/discord/gateway/errors.js';
import type { GatewayDispatch } from '../../../src/discord/gateway/events.js';
import { FakeGateway } from './fake-gateway.js';
import { makeClient } from './helpers.js';

let gateway: FakeGateway;
let client: GatewayClient | undefined;
beforeEach(async () => {
  gateway = await FakeGateway.start();
});
afterEach(async () => {
  await client?.close();
  client = undefined;
  await gateway.close();
});

const MESSAGE = { id: '11', channel_id: '42', author: { id: '7' }, content: 'hi' };

describe('GatewayClient dispatch checks', () => {
  it('skips a malformed MESSAGE_CREATE with an error event; rawDispatch still has it; later ones flow', async () => {
    client = makeClient(gateway);
    const typed: GatewayDispatch[] = [];
    const raw: string[] = [];
    const errors: GatewayError[] = [];
    client.on('dispatch', (d) => typed.push(d));
    client.on('rawDispatch', (name) => raw.push(name));
    client.on('error', (e) => errors.push(e));
    await client.connect();
    gateway.dispatch('MESSAGE_CREATE', { ...MESSAGE, attachments: 'oops' });
    gateway.dispatch('MESSAGE_CREATE', { ...MESSAGE, components: [{ type: 17, items: 'v2' }] });
    await gateway.until(() => raw.length === 3);
    expect(typed.map((d) => d.name)).toEqual(['READY', 'MESSAGE_CREATE']);
    expect(raw).toEqual(['READY', 'MESSAGE_CREATE', 'MESSAGE_CREATE']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'GATEWAY_DECODE_FAILED' });
    expect(errors[0]?.message).toContain('MESSAGE_CREATE skipped: attachments: expected an array');
  });
});

describe('decodeDispatchData', () => {
  it('a MESSAGE_UPDATE keeps only the fields sent, each checked', () => {
    expect(decodeDispatchData('MESSAGE_UPDATE', { id: '11', channel_id: '42', content: 'edited' })).toEqual({
      ok: true,
      value: { id: '11', channel_id: '42', content: 'edited' },
    });
    const withParts = decodeDispatchData('MESSAGE_UPDATE', {
      id: '11',
      channel_id: '42',
      embeds: [3, { title: 'Job queued' }],
      author: { id: '7' },
    });
    expect(withParts).toEqual({
      ok: true,
      value: {
        id: '11',
        channel_id: '42',
        embeds: [{ title: 'Job queued' }],
        author: expect.objectContaining({ id: '7' }),
      },
    });
    expect(decodeDispatchData('MESSAGE_UPDATE', { id: '11', channel_id: '42', attachments: {} }).ok).toBe(
      false,
    );
    expect(decodeDispatchData('MESSAGE_UPDATE', { id: 11, channel_id: '42' }).ok).toBe(false);
  });

  it('deletions and interaction events need their ids', () => {
    expect(decodeDispatchData('MESSAGE_DELETE', { id: '11', channel_id: '42' }).ok).toBe(true);
    expect(decodeDispatchData('MESSAGE_DELETE', { id: '11' }).ok).toBe(false);
    expect(decodeDispatchData('INTERACTION_FAILURE', { id: '5', nonce: '6', reason: 3 })).toEqual({
      ok: true,
      value: { id: '5', nonce: '6' },
    });
    expect(decodeDispatchData('INTERACTION_CREATE', { id: '5' }).ok).toBe(false);
    expect(decodeDispatchData('INTERACTION_SUCCESS', null).ok).toBe(false);
  });
});
