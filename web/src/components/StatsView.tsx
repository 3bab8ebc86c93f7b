/** Plots of the jobs this page holds: throughput and outcomes per minute, and job durations. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { outcomeOf } from '../format.js';
import { durationHistogram, throughput } from '../series.js';
import type { JobView } from '../types.js';
import { Plot } from './Plot.js';

const BUCKET_MS = 60_000;
const BUCKETS = 60;

export function StatsView({ jobs }: { jobs: JobView[] }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 10_000);
    return () => clearInterval(timer);
  }, []);
  const series = useMemo(() => throughput(jobs, Math.max(now, Date.now()), BUCKET_MS, BUCKETS), [jobs, now]);
  const histogram = useMemo(() => durationHistogram(jobs), [jobs]);
  const outcomes = useMemo(() => {
    const counts = new Map<string, number>();
    for (const job of jobs) {
      const o = outcomeOf(job);
      if (o !== '') counts.set(o, (counts.get(o) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1]);
  }, [jobs]);
  const bars = uPlot.paths.bars?.({ size: [0.7, 60] });
  return (
    <section>
      <h2>Finished per minute, by outcome (last hour)</h2>
      <Plot
        testId="plot-throughput"
        data={[series.x, series.succeeded, series.failed, series.cancelled]}
        options={{
          height: 220,
          scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
          series: [
            {},
            { label: 'succeeded', stroke: '#2f9e44', width: 2 },
            { label: 'failed', stroke: '#e03131', width: 2 },
            { label: 'cancelled', stroke: '#868e96', width: 2 },
          ],
        }}
      />
      <h2>Job durations (accepted to outcome)</h2>
      <Plot
        testId="plot-durations"
        data={[histogram.counts.map((_, i) => i), histogram.counts]}
        options={{
          height: 220,
          scales: {
            x: { time: false, range: () => [-0.5, histogram.counts.length - 0.5] },
            y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
          },
          axes: [{ values: (_u, ticks) => ticks.map((t) => histogram.labels[t] ?? '') }, {}],
          series: [
            {},
            { label: 'jobs', stroke: '#1971c2', fill: '#1971c255', ...(bars ? { paths: bars } : {}) },
          ],
        }}
      />
      <h2>Outcomes</h2>
      <ul class="outcomes">
        {outcomes.map(([name, n]) => (
          <li key={name}>
            <strong>{n}</strong> {name}
          </li>
        ))}
      </ul>
    </section>
  );
}
