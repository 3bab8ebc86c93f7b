import { describe, expect, it } from 'vitest';
import { SubmissionGate } from '../../src/batch/submission-gate.js';
import { ManualClock, settle } from './support/manual-clock.js';

describe('SubmissionGate', () => {
  it('lets submissions through when neither paused nor held', async () => {
    const gate = new SubmissionGate(new ManualClock(), new AbortController().signal);
    expect(await gate.pass()).toBe(true);
    expect(gate.waiting).toBe(0);
  });

  it('keeps everyone waiting until the longest pause ends', async () => {
    const clock = new ManualClock();
    const gate = new SubmissionGate(clock, new AbortController().signal);
    gate.pauseFor(5_000);
    gate.pauseFor(1_000); // never shortens a pause
    const passed: boolean[] = [];
    void gate.pass().then((ok) => passed.push(ok));
    void gate.pass().then((ok) => passed.push(ok));
    await settle();
    expect(gate.waiting).toBe(2);
    clock.advance(4_999);
    await settle();
    expect(passed).toEqual([]);
    clock.advance(1);
    await settle();
    expect(passed).toEqual([true, true]);
    expect(gate.waiting).toBe(0);
  });

  it('holds while a queued job waits, and releases when it runs', async () => {
    const gate = new SubmissionGate(new ManualClock(), new AbortController().signal);
    expect(gate.hold('a')).toBe(true);
    expect(gate.hold('a')).toBe(false);
    gate.hold('b');
    let passed = false;
    void gate.pass().then(() => {
      passed = true;
    });
    gate.release('a');
    await settle();
    expect(passed).toBe(false);
    gate.release('b');
    await settle();
    expect(passed).toBe(true);
  });

  it('answers false to every waiter when the batch stops', async () => {
    const clock = new ManualClock();
    const stop = new AbortController();
    const gate = new SubmissionGate(clock, stop.signal);
    gate.pauseFor(60_000);
    gate.hold('x');
    const paused = gate.pass();
    stop.abort();
    expect(await paused).toBe(false);
    expect(await gate.pass()).toBe(false);
    expect(await gate.sleep(10)).toBe(false);
  });
});
