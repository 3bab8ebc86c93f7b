/** The plots' data: finished jobs counted per time bucket and per duration bin. Pure. */
import { jobDurationMs, outcomeOf } from './format.js';
import type { JobView } from './types.js';

export interface ThroughputSeries {
  /** Bucket starts, in seconds since the epoch (uPlot's x scale). */
  x: number[];
  succeeded: number[];
  failed: number[];
  cancelled: number[];
}

/** Jobs finished in each of the `count` buckets of `bucketMs` ending at `now`, by outcome. */
export function throughput(
  jobs: readonly JobView[],
  now: number,
  bucketMs: number,
  count: number,
): ThroughputSeries {
  const start = Math.floor(now / bucketMs) * bucketMs - (count - 1) * bucketMs;
  const series: ThroughputSeries = {
    x: Array.from({ length: count }, (_, i) => (start + i * bucketMs) / 1_000),
    succeeded: new Array<number>(count).fill(0),
    failed: new Array<number>(count).fill(0),
    cancelled: new Array<number>(count).fill(0),
  };
  for (const job of jobs) {
    if (job.finishedAt === null) continue;
    const i = Math.floor((Date.parse(job.finishedAt) - start) / bucketMs);
    if (i < 0 || i >= count) continue;
    const outcome = outcomeOf(job);
    const row =
      outcome === 'succeeded' ? series.succeeded : outcome === 'cancelled' ? series.cancelled : series.failed;
    row[i] = (row[i] ?? 0) + 1;
  }
  return series;
}

/** Bin edges in seconds (the service's own job duration histogram, metrics/service-metrics.ts). */
export const DURATION_EDGES_S = [5, 15, 30, 60, 120, 300, 600, 1_200] as const;

/** Finished jobs per duration bin: `counts[i]` is (edges[i-1], edges[i]]; the last bin is above all. */
export function durationHistogram(
  jobs: readonly JobView[],
  edges: readonly number[] = DURATION_EDGES_S,
): { labels: string[]; counts: number[] } {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const job of jobs) {
    if (job.finishedAt === null) continue;
    const s = jobDurationMs(job, 0) / 1_000;
    let i = edges.findIndex((edge) => s <= edge);
    if (i < 0) i = edges.length;
    counts[i] = (counts[i] ?? 0) + 1;
  }
  const labels = edges.map((edge, i) => `${i === 0 ? 0 : edges[i - 1]}–${edge} s`);
  labels.push(`> ${edges[edges.length - 1]} s`);
  return { labels, counts };
}

/** Calls per second between two readings of a growing total (0 when the total was reset). */
export function ratePerSecond(
  previous: { at: number; total: number } | null,
  at: number,
  total: number,
): number {
  if (previous === null || at <= previous.at || total < previous.total) return 0;
  return ((total - previous.total) * 1_000) / (at - previous.at);
}
