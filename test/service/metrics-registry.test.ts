/**
 * A series taken once for a hot path (`Counter.series`, `Histogram.series`) counts into the same
 * output as the labelled calls, and appears only once something was counted.
 */
import { describe, expect, it } from 'vitest';
import { Counter, Histogram } from '../../src/service/metrics/registry.js';

describe('metric series', () => {
  it('a counter series adds to the same line as inc(labels), shown from its first inc', () => {
    const counter = new Counter('c_total', 'help');
    const series = counter.series({ route: '/a', status: 200 });
    expect(counter.render()).toEqual(['# HELP c_total help', '# TYPE c_total counter']);
    series.inc();
    series.inc(2);
    counter.inc({ status: 200, route: '/a' });
    expect(counter.get({ route: '/a', status: 200 })).toBe(4);
    expect(counter.render().at(-1)).toBe('c_total{route="/a",status="200"} 4');
  });

  it('a histogram series observes into the same buckets as observe(value, labels)', () => {
    const direct = new Histogram('h_seconds', 'help', [0.01, 0.1, 1]);
    const viaSeries = new Histogram('h_seconds', 'help', [0.01, 0.1, 1]);
    const series = viaSeries.series({ route: '/a' });
    expect(viaSeries.render()).toEqual(direct.render());
    for (const value of [0.005, 0.05, 0.5, 5, 0.1]) {
      direct.observe(value, { route: '/a' });
      series.observe(value);
    }
    expect(viaSeries.render()).toEqual(direct.render());
    expect(direct.render()).toContain('h_seconds_bucket{le="0.1",route="/a"} 3');
    expect(direct.render()).toContain('h_seconds_count{route="/a"} 5');
  });
});
