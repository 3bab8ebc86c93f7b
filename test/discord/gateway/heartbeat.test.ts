import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Heartbeat } from '../../../src/discord/gateway/heartbeat.js';
import { backgroundClock } from '../../../src/util/clock.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

function setup(random = 0.25) {
  const log: string[] = [];
  const latencies: number[] = [];
  const heartbeat = new Heartbeat(backgroundClock, () => random, {
    beat: () => log.push(`beat@${Date.now() - start}`),
    zombie: () => log.push(`zombie@${Date.now() - start}`),
    acked: (ms) => latencies.push(ms),
  });
  const start = Date.now();
  return { heartbeat, log, latencies };
}

describe('Heartbeat', () => {
  it('waits interval * random before the first beat, then beats every interval while acknowledged', async () => {
    const { heartbeat, log } = setup(0.25);
    heartbeat.start(1_000);
    await vi.advanceTimersByTimeAsync(249);
    expect(log).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual(['beat@250']);
    heartbeat.ack();
    await vi.advanceTimersByTimeAsync(1_000);
    heartbeat.ack();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log).toEqual(['beat@250', 'beat@1250', 'beat@2250']);
    heartbeat.stop();
  });

  it('declares a zombie when a beat is due and the previous one was never acknowledged', async () => {
    const { heartbeat, log } = setup(0.5);
    heartbeat.start(100);
    await vi.advanceTimersByTimeAsync(50);
    expect(log).toEqual(['beat@50']);
    await vi.advanceTimersByTimeAsync(100);
    expect(log).toEqual(['beat@50', 'zombie@150']);
    // The loop has ended: no more beats, no timer left behind.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reports the latency between the beat and its ACK', async () => {
    const { heartbeat, latencies } = setup(0);
    heartbeat.start(1_000);
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(37);
    heartbeat.ack();
    expect(latencies).toEqual([37]);
    // An ACK without an outstanding beat measures nothing.
    heartbeat.ack();
    expect(latencies).toEqual([37]);
    heartbeat.stop();
  });

  it('beats out of schedule on request, and that beat needs its ACK too', async () => {
    const { heartbeat, log } = setup(0.5);
    heartbeat.start(100);
    await vi.advanceTimersByTimeAsync(50);
    heartbeat.ack();
    await vi.advanceTimersByTimeAsync(20);
    heartbeat.beatNow();
    expect(log).toEqual(['beat@50', 'beat@70']);
    await vi.advanceTimersByTimeAsync(80);
    expect(log).toEqual(['beat@50', 'beat@70', 'zombie@150']);
  });

  it('stop() cancels the pending wait', async () => {
    const { heartbeat, log } = setup(0.5);
    heartbeat.start(100);
    expect(vi.getTimerCount()).toBe(1);
    heartbeat.stop();
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(500);
    expect(log).toEqual([]);
  });
});
