import { describe, expect, it } from 'vitest';
import { WaitList } from '../../src/generation/wait-list.js';

describe('WaitList', () => {
  it('releases, with the value, only those waiting for a poll at or before the release time', async () => {
    const list = new WaitList<string>();
    const early = list.wait(100);
    const late = list.wait(200);
    list.release(150, 'first');
    await expect(early).resolves.toBe('first');
    expect(list.size).toBe(1);
    list.release(200, 'second');
    await expect(late).resolves.toBe('second');
    expect(list.size).toBe(0);
  });

  it('takes an aborted caller out and rejects with the reason; an aborted signal never enters', async () => {
    const list = new WaitList<void>();
    const controller = new AbortController();
    const waiting = list.wait(100, controller.signal);
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    expect(list.size).toBe(0);
    await expect(list.wait(100, controller.signal)).rejects.toThrow('gave up');
    expect(list.size).toBe(0);
  });
});
