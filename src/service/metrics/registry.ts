/**
 * A minimal Prometheus registry: counters, gauges (set or collected at scrape time) and
 * histograms, rendered in the text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/). About 100 lines, so the service
 * carries no metrics dependency.
 */

export type Labels = Readonly<Record<string, string | number>>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabel(String(labels[k]))}"`).join(',')}}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

interface Metric {
  render(): string[];
}

abstract class Family implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: string,
  ) {}
  protected header(): string[] {
    return [`# HELP ${this.name} ${this.help.replace(/\n/g, ' ')}`, `# TYPE ${this.name} ${this.type}`];
  }
  abstract render(): string[];
}

/** One labelled series of a counter, for a hot path that counts without building labels. */
export interface CounterSeries {
  inc(by?: number): void;
}

/** One labelled series of a histogram, for a hot path that observes without building labels. */
export interface HistogramSeries {
  observe(value: number): void;
}

export class Counter extends Family {
  private readonly values = new Map<string, number>();
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }
  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  /** The series of `labels`; it appears in the output from its first `inc`, as with `inc(labels)`. */
  series(labels: Labels): CounterSeries {
    const key = labelKey(labels);
    return { inc: (by = 1) => this.values.set(key, (this.values.get(key) ?? 0) + by) };
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(): string[] {
    return [...this.header(), ...[...this.values].map(([k, v]) => `${this.name}${k} ${formatValue(v)}`)];
  }
}

export class Gauge extends Family {
  private readonly values = new Map<string, number>();
  /** When set, called at each scrape to fill the values. */
  constructor(
    name: string,
    help: string,
    private readonly collect?: (set: (value: number, labels?: Labels) => void) => void,
  ) {
    super(name, help, 'gauge');
  }
  set(value: number, labels: Labels = {}): void {
    this.values.set(labelKey(labels), value);
  }
  render(): string[] {
    if (this.collect) {
      this.values.clear();
      this.collect((value, labels = {}) => this.set(value, labels));
    }
    return [...this.header(), ...[...this.values].map(([k, v]) => `${this.name}${k} ${formatValue(v)}`)];
  }
}

/** A counter whose value is read at scrape time (CPU seconds, from the process). */
export class CollectedCounter extends Family {
  constructor(
    name: string,
    help: string,
    private readonly collect: (set: (value: number, labels?: Labels) => void) => void,
  ) {
    super(name, help, 'counter');
  }
  render(): string[] {
    const lines = this.header();
    this.collect((value, labels = {}) => lines.push(`${this.name}${labelKey(labels)} ${formatValue(value)}`));
    return lines;
  }
}

interface HistogramValues extends HistogramSeries {
  labels: Labels;
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Family {
  private readonly values = new Map<string, HistogramValues>();
  constructor(
    name: string,
    help: string,
    readonly buckets: readonly number[],
  ) {
    super(name, help, 'histogram');
  }
  observe(value: number, labels: Labels = {}): void {
    this.seriesOf(labelKey(labels), labels).observe(value);
  }
  /** The series of `labels`; it appears in the output from its first `observe`, as with `observe(v, labels)`. */
  series(labels: Labels): HistogramSeries {
    const key = labelKey(labels);
    let values: HistogramValues | undefined;
    return {
      observe: (value) => {
        values ??= this.seriesOf(key, labels);
        values.observe(value);
      },
    };
  }
  private seriesOf(key: string, labels: Labels): HistogramValues {
    let s = this.values.get(key);
    if (s === undefined) {
      const counts = this.buckets.map(() => 0);
      const buckets = this.buckets;
      const series: HistogramValues = {
        labels,
        counts,
        sum: 0,
        count: 0,
        observe(value: number): void {
          for (let i = 0; i < buckets.length; i += 1)
            if (value <= (buckets[i] ?? 0)) counts[i] = (counts[i] ?? 0) + 1;
          series.sum += value;
          series.count += 1;
        },
      };
      s = series;
      this.values.set(key, s);
    }
    return s;
  }
  render(): string[] {
    const lines = this.header();
    for (const s of this.values.values()) {
      this.buckets.forEach((le, i) => {
        lines.push(
          `${this.name}_bucket${labelKey({ ...s.labels, le: formatValue(le) })} ${s.counts[i] ?? 0}`,
        );
      });
      lines.push(`${this.name}_bucket${labelKey({ ...s.labels, le: '+Inf' })} ${s.count}`);
      lines.push(`${this.name}_sum${labelKey(s.labels)} ${formatValue(s.sum)}`);
      lines.push(`${this.name}_count${labelKey(s.labels)} ${s.count}`);
    }
    return lines;
  }
}

export class MetricsRegistry {
  private readonly metrics: Family[] = [];
  register<M extends Family>(metric: M): M {
    if (this.metrics.some((m) => m.name === metric.name))
      throw new Error(`metric ${metric.name} registered twice`);
    this.metrics.push(metric);
    return metric;
  }
  /** The text exposition, ending with a newline as the format requires. */
  render(): string {
    return `${this.metrics.flatMap((m) => m.render()).join('\n')}\n`;
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
