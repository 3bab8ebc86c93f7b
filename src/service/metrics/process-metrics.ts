/**
 * The process's own health in /metrics, under the names prom-client's default metrics use, so
 * existing dashboards work, without the dependency: CPU seconds (process.cpuUsage), resident memory
 * and heap (process.memoryUsage), event-loop lag (perf_hooks.monitorEventLoopDelay, reset after each
 * scrape as prom-client does) and garbage-collection pauses by kind (a PerformanceObserver on `gc`).
 */
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { CollectedCounter, Gauge, Histogram, type MetricsRegistry } from './registry.js';

export const GC_DURATION_BUCKETS_S = [0.001, 0.01, 0.1, 1, 2, 5] as const;

const GC_KINDS: Readonly<Record<number, string>> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** Registers the process metrics; the returned function stops the monitors (at service close). */
export function registerProcessMetrics(registry: MetricsRegistry): () => void {
  const startSeconds = Math.round((Date.now() - process.uptime() * 1000) / 1000);
  registry.register(
    new CollectedCounter('process_cpu_user_seconds_total', 'User CPU time spent, in seconds.', (set) =>
      set(process.cpuUsage().user / 1e6),
    ),
  );
  registry.register(
    new CollectedCounter('process_cpu_system_seconds_total', 'System CPU time spent, in seconds.', (set) =>
      set(process.cpuUsage().system / 1e6),
    ),
  );
  registry.register(
    new CollectedCounter(
      'process_cpu_seconds_total',
      'User and system CPU time spent, in seconds.',
      (set) => {
        const cpu = process.cpuUsage();
        set((cpu.user + cpu.system) / 1e6);
      },
    ),
  );
  registry.register(
    new Gauge(
      'process_start_time_seconds',
      'Start time of the process since the Unix epoch, in seconds.',
      (set) => set(startSeconds),
    ),
  );
  registry.register(
    new Gauge('process_resident_memory_bytes', 'Resident memory size, in bytes.', (set) =>
      set(process.memoryUsage.rss()),
    ),
  );
  registry.register(
    new Gauge('nodejs_heap_size_total_bytes', 'V8 heap size, in bytes.', (set) =>
      set(process.memoryUsage().heapTotal),
    ),
  );
  registry.register(
    new Gauge('nodejs_heap_size_used_bytes', 'V8 heap used, in bytes.', (set) =>
      set(process.memoryUsage().heapUsed),
    ),
  );
  registry.register(
    new Gauge('nodejs_external_memory_bytes', 'Memory of C++ objects bound to JavaScript, in bytes.', (set) =>
      set(process.memoryUsage().external),
    ),
  );

  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const seconds = (ns: number): number => (Number.isFinite(ns) ? ns / 1e9 : 0);
  registry.register(
    new Gauge(
      'nodejs_eventloop_lag_seconds',
      'Event-loop delay since the previous scrape, in seconds: mean, p50, p99 and max.',
      (set) => {
        set(seconds(lag.mean), { stat: 'mean' });
        set(seconds(lag.percentile(50)), { stat: 'p50' });
        set(seconds(lag.percentile(99)), { stat: 'p99' });
        set(seconds(lag.max), { stat: 'max' });
        lag.reset();
      },
    ),
  );

  const gc = registry.register(
    new Histogram(
      'nodejs_gc_duration_seconds',
      'Garbage-collection pauses, by kind, in seconds.',
      GC_DURATION_BUCKETS_S,
    ),
  );
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = (entry as { detail?: { kind?: number } }).detail;
      const kind = GC_KINDS[detail?.kind ?? -1] ?? 'other';
      gc.observe(entry.duration / 1000, { kind });
    }
  });
  observer.observe({ entryTypes: ['gc'] });

  return () => {
    lag.disable();
    observer.disconnect();
  };
}
