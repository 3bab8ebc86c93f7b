import { describe, expect, it } from 'vitest';
import { SimulatorOptionsError } from '../../src/simulator/errors.js';
import { FaultController } from '../../src/simulator/faults/fault-controller.js';
import type { SimFault } from '../../src/simulator/faults/types.js';

const MESSAGES = 'GET /channels/{channel_id}/messages';

describe('FaultController', () => {
  it('hands out a burst to the matching route only, count times', () => {
    const faults = new FaultController([{ kind: 'status', status: 502, route: MESSAGES, count: 2 }]);
    expect(faults.takeOnArrival('POST /interactions')).toBeUndefined();
    expect(faults.takeOnArrival(MESSAGES)).toMatchObject({ kind: 'status', status: 502 });
    expect(faults.pending()).toEqual([{ kind: 'status', status: 502, route: MESSAGES, count: 1 }]);
    expect(faults.takeOnArrival(MESSAGES)).toBeDefined();
    expect(faults.takeOnArrival(MESSAGES)).toBeUndefined();
  });

  it('separates faults on arrival from faults on the response', () => {
    const faults = new FaultController();
    faults.add({ kind: 'reset', when: 'after-request' });
    faults.add({ kind: 'reset' });
    expect(faults.takeOnArrival(MESSAGES)).toEqual({ kind: 'reset' });
    expect(faults.takeOnArrival(MESSAGES)).toBeUndefined();
    expect(faults.takeOnResponse(MESSAGES)).toEqual({ kind: 'reset', when: 'after-request' });
  });

  it('keeps an Infinity fault forever and clears on demand', () => {
    const faults = new FaultController([{ kind: 'malformed-json', count: Infinity }]);
    for (let i = 0; i < 5; i++) expect(faults.takeOnResponse('GET /users/@me')?.kind).toBe('malformed-json');
    faults.clear();
    expect(faults.pending()).toEqual([]);
  });

  it('fires gateway actions after the given number of dispatches', () => {
    const faults = new FaultController([
      { kind: 'gateway-drop', resumable: true, afterDispatches: 2 },
      { kind: 'gateway-reconnect' },
    ]);
    // Two dispatches go through (the first also fires the reconnect), the drop comes at the third.
    expect(faults.onDispatch()?.kind).toBe('gateway-reconnect');
    expect(faults.onDispatch()).toBeUndefined();
    expect(faults.onDispatch()).toMatchObject({ kind: 'gateway-drop' });
    expect(faults.onDispatch()).toBeUndefined();
  });

  it('swallows heartbeat ACKs count times', () => {
    const faults = new FaultController([{ kind: 'gateway-no-ack', count: 2 }]);
    expect([faults.takeNoAck(), faults.takeNoAck(), faults.takeNoAck()]).toEqual([true, true, false]);
  });

  it.each([
    [{ kind: 'explode' }, /faults\[0\]: unknown kind "explode"/],
    [{ kind: 'status', status: 418 }, /faults\[0\]\.status: expected 500, 502, 503 or 504, got 418/],
    [{ kind: 'delay', delayMs: -1 }, /faults\[0\]\.delayMs/],
    [{ kind: 'reset', count: 0 }, /faults\[0\]\.count: expected an integer >= 1/],
    [{ kind: 'reset', when: 'during' }, /faults\[0\]\.when/],
    [{ kind: 'gateway-drop', afterDispatches: 1.5 }, /faults\[0\]\.afterDispatches/],
  ])('refuses %j with an error naming the field', (fault, message) => {
    expect(() => new FaultController([fault as SimFault])).toThrow(SimulatorOptionsError);
    expect(() => new FaultController([fault as SimFault])).toThrow(message);
  });
});
