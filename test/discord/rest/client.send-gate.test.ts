import { afterEach, describe, expect, it } from 'vitest';
import type { SendGate } from '../../../src/discord/rest/send-gate.js';
import { BASE, json, type MockSetup, mockClient } from './client-helpers.js';

let setup: MockSetup | undefined;
afterEach(async () => {
  await setup?.close();
  setup = undefined;
});

const USER = {
  id: '300000000000000001',
  username: 'me',
  global_name: null,
  discriminator: '0',
  avatar: null,
};

class RecordingGate implements SendGate {
  passes = 0;
  refuse: Error | undefined;
  async pass(): Promise<void> {
    this.passes += 1;
    if (this.refuse) throw this.refuse;
  }
}

describe('RestClient send gate', () => {
  it('asks the gate before every request, and sends once it passes', async () => {
    const gate = new RecordingGate();
    setup = mockClient({ sendGate: gate });
    setup.pool
      .intercept({ path: `${BASE}/users/@me`, method: 'GET' })
      .reply(200, USER, json)
      .times(2);
    await setup.client.getCurrentUser();
    await setup.client.getCurrentUser();
    expect(gate.passes).toBe(2);
    setup.agent.assertNoPendingInterceptors();
  });

  it('sends nothing when the gate refuses, frees the permit, and surfaces the gate error', async () => {
    const gate = new RecordingGate();
    gate.refuse = new Error('lease lost');
    setup = mockClient({ sendGate: gate });
    setup.pool.intercept({ path: `${BASE}/users/@me`, method: 'GET' }).reply(200, USER, json);
    await expect(setup.client.getCurrentUser()).rejects.toThrow('lease lost');
    expect(setup.agent.pendingInterceptors()).toHaveLength(1);
    expect(setup.client.limiter.stats().inFlight).toBe(0);

    gate.refuse = undefined; // the permit was freed: the next call goes out
    await expect(setup.client.getCurrentUser()).resolves.toEqual(USER);
    setup.agent.assertNoPendingInterceptors();
  });
});
