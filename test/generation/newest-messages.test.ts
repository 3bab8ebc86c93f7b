import { type AddressInfo, createServer } from 'node:net';
/**
 * Snapshots over a live gateway: the newest message id of a channel comes from READY and
 * MESSAGE_CREATE, and a REST read is made only when continuity is not proven.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ReadyData } from '../../src/discord/gateway/index.js';
import type { Midjourney } from '../../src/generation/index.js';
import { NewestMessages } from '../../src/generation/newest-messages.js';
import type { Simulator } from '../../src/simulator/index.js';
import { clientFor, imagineEachOwn, startFastSimulator } from './helpers/simulator.js';

const CHANNEL = '1100000000000000200';

function ready(lastMessageId: string | null): ReadyData {
  return {
    v: 10,
    user: { id: '1', username: 'u', discriminator: '0', global_name: null, avatar: null },
    session_id: 's',
    resume_gateway_url: 'ws://127.0.0.1',
    guilds: [{ id: '2', channels: [{ id: CHANNEL, last_message_id: lastMessageId }] }],
  } as ReadyData;
}

describe('NewestMessages', () => {
  it('knows a channel from READY and raises it with every MESSAGE_CREATE, without reading', async () => {
    const newest = new NewestMessages(() => true);
    newest.ready(ready('1200000000000000000'));
    newest.created(CHANNEL, '1200000000000000005');
    newest.created(CHANNEL, '1200000000000000003');
    const read = async (): Promise<string> => {
      throw new Error('no REST read expected');
    };
    await expect(newest.get(CHANNEL, read)).resolves.toBe('1200000000000000005');
  });

  it('reads once for a channel READY did not list, then keeps it from dispatches', async () => {
    const newest = new NewestMessages(() => true);
    let reads = 0;
    const read = async (): Promise<string> => {
      reads += 1;
      // A message dispatched while the read is in flight is newer than what the read saw.
      newest.created('9', '1200000000000000009');
      return '1200000000000000001';
    };
    await expect(newest.get('9', read)).resolves.toBe('1200000000000000009');
    newest.created('9', '1200000000000000010');
    await expect(newest.get('9', read)).resolves.toBe('1200000000000000010');
    expect(reads).toBe(1);
  });

  it('reads every time while the gateway is not live, and forgets everything on a state change', async () => {
    let live = false;
    const newest = new NewestMessages(() => live);
    let reads = 0;
    const read = async (): Promise<string> => {
      reads += 1;
      return '1200000000000000001';
    };
    await newest.get(CHANNEL, read);
    await newest.get(CHANNEL, read);
    expect(reads).toBe(2);
    live = true;
    newest.ready(ready('1200000000000000000'));
    expect(newest.known(CHANNEL)).toBe('1200000000000000000');
    newest.reset();
    expect(newest.known(CHANNEL)).toBeUndefined();
  });

  it('does not trust a read that straddled a state change', async () => {
    const newest = new NewestMessages(() => true);
    const read = async (): Promise<string> => {
      newest.reset();
      return '1200000000000000001';
    };
    await expect(newest.get('9', read)).resolves.toBe('1200000000000000001');
    expect(newest.known('9')).toBeUndefined();
  });
});

describe('gateway snapshots against the simulator', () => {
  let sim: Simulator | undefined;
  let mj: Midjourney | undefined;
  afterEach(async () => {
    await mj?.close();
    await sim?.close();
  });

  it('sends one POST per job and no snapshot read while the gateway is live', async () => {
    sim = await startFastSimulator();
    mj = clientFor(sim, 'gateway');
    await imagineEachOwn(sim, mj, ['a quiet pier, one', 'a quiet pier, two', 'a quiet pier, three']);
    const channelReads = sim.requests.filter((r) => r.route === 'GET /channels/{channel_id}/messages');
    expect(channelReads).toEqual([]);
    expect(sim.requests.filter((r) => r.route === 'POST /interactions')).toHaveLength(3);
  });

  it('while the gateway is down, snapshots ride on the fallback polls: one plain read in all', async () => {
    sim = await startFastSimulator();
    // Nothing listens there: the gateway never comes up, the channel is polled instead.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    mj = clientFor(sim, 'gateway', { gatewayUrl: `ws://127.0.0.1:${port}` });
    await imagineEachOwn(sim, mj, ['a dark pier, one', 'a dark pier, two', 'a dark pier, three']);
    const reads = sim.requests.filter((r) => r.route === 'GET /channels/{channel_id}/messages');
    expect(reads.filter((r) => !r.path.includes('after='))).toHaveLength(1);
    expect(reads.some((r) => r.path.includes('after='))).toBe(true);
  });
});
