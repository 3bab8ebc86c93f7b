/**
 * RateLimiter benchmark (`npx tsx bench/ratelimiter.bench.ts`, or `npm run bench -- ratelimiter`).
 *
 * 1. End to end: 200 requests (50 with BENCH_QUICK=1) through a RestClient and its limiter at the
 *    default 350 ms spacing to a loopback node:http server that imposes no limit. Reports the
 *    achieved rate against the ceiling (1000 / spacing per second) and the spacing between starts,
 *    both as the limiter granted them and as the server received them.
 * 2. Overhead: the limiter's own CPU time per request, measured over 100,000 acquire + complete
 *    cycles on a virtual clock (sleep advances time instantly), so no network or waiting is counted.
 *
 * Targets: >= 0.99 of the ceiling, minimum spacing >= 350 ms, overhead < 0.1 ms per request.
 * The process exits 1 when a target is missed.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RestClient } from '../src/discord/rest/client.js';
import { RateLimiter } from '../src/discord/rest/rate-limiter.js';
import { DISCORD_MIN_SPACING_MS } from '../src/discord/rest/rate-limiter-options.js';
import { routeFor } from '../src/discord/rest/routes.js';
import type { Clock } from '../src/util/clock.js';

const QUICK = process.env.BENCH_QUICK === '1';
const REQUESTS = QUICK ? 50 : 200;
const OVERHEAD_CYCLES = 100_000;
const SPACING = DISCORD_MIN_SPACING_MS;
const CHANNELS = ['100000000000000001', '100000000000000002', '100000000000000003'];

function quantiles(values: number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0] ?? 0, median: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted.at(-1) ?? 0 };
}

const gapsOf = (times: number[]): number[] => times.slice(1).map((t, i) => t - times[i]!);

async function endToEnd(): Promise<{ grants: number[]; arrivals: number[]; elapsedMs: number }> {
  const arrivals: number[] = [];
  const server = createServer((req, res) => {
    arrivals.push(performance.now());
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', via: '1.1 google' }).end('[]');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  // Default limiter options: 350 ms, as against Discord.
  const client = new RestClient({
    token: 'bench-token-not-secret',
    baseUrl: `http://127.0.0.1:${port}/api/v10`,
  });
  // One untimed request opens the keep-alive connection (and loads undici's parser), so the
  // figures describe steady state rather than a TCP handshake inside the first gap.
  await client.getCurrentUser();
  arrivals.length = 0;
  const grants: number[] = [];
  client.limiter.on('request', (e) => grants.push(e.grantedAt));
  const started = performance.now();
  await Promise.all(
    Array.from({ length: REQUESTS }, (_, i) =>
      client.getMessages(CHANNELS[i % CHANNELS.length]!, { limit: 1 }),
    ),
  );
  const elapsedMs = performance.now() - started;
  await client.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { grants, arrivals, elapsedMs };
}

/** A clock whose sleep advances virtual time at once: the limiter runs flat out with no waiting. */
function virtualClock(): Clock {
  let now = 1_700_000_000_000;
  return {
    now: () => now,
    sleep: (ms, signal) => {
      if (signal?.aborted) return Promise.reject(signal.reason);
      now += Math.max(0, ms);
      return Promise.resolve();
    },
  };
}

async function overhead(): Promise<{ perRequestMs: number; virtualRate: number }> {
  const clock = virtualClock();
  const limiter = new RateLimiter({ clock });
  const routes = Array.from({ length: 100 }, (_, i) =>
    routeFor('GET', `/channels/1000000000000${String(i).padStart(5, '0')}/messages`),
  );
  const headers = {
    via: '1.1 google',
    'x-ratelimit-bucket': 'msgs',
    'x-ratelimit-limit': '5',
    'x-ratelimit-remaining': '4',
    'x-ratelimit-reset-after': '1',
  };
  const run = async (cycles: number): Promise<void> => {
    for (let i = 0; i < cycles; i += 1) {
      const permit = await limiter.acquire(routes[i % routes.length]!);
      permit.complete({ status: 200, headers, body: undefined });
    }
  };
  await run(5_000); // warm up the JIT
  const t0 = clock.now();
  const cpu = process.cpuUsage();
  await run(OVERHEAD_CYCLES);
  const used = process.cpuUsage(cpu);
  const virtualMs = clock.now() - t0;
  return {
    perRequestMs: (used.user + used.system) / 1000 / OVERHEAD_CYCLES,
    virtualRate: (OVERHEAD_CYCLES / virtualMs) * 1000,
  };
}

const ceiling = 1000 / SPACING;
console.log(
  `RateLimiter: ${REQUESTS} requests at ${SPACING} ms spacing (~${Math.round((REQUESTS * SPACING) / 1000)} s)${QUICK ? ' [BENCH_QUICK]' : ''}`,
);
const e2e = await endToEnd();
const span = (times: number[]) => (times.at(-1) ?? 0) - (times[0] ?? 0);
const rate = ((e2e.grants.length - 1) / span(e2e.grants)) * 1000;
const granted = quantiles(gapsOf(e2e.grants));
const wire = quantiles(gapsOf(e2e.arrivals));
const cost = await overhead();

const rows: [string, string, string, boolean][] = [
  [
    'achieved rate / ceiling',
    `${rate.toFixed(4)} / ${ceiling.toFixed(4)} req/s = ${(rate / ceiling).toFixed(4)}`,
    '>= 0.99',
    rate / ceiling >= 0.99,
  ],
  [
    'spacing at grant (min/median/max)',
    `${granted.min.toFixed(2)} / ${granted.median.toFixed(2)} / ${granted.max.toFixed(2)} ms`,
    'min >= 350',
    granted.min >= SPACING,
  ],
  [
    'spacing on the wire (min/median/max)',
    `${wire.min.toFixed(2)} / ${wire.median.toFixed(2)} / ${wire.max.toFixed(2)} ms`,
    'info',
    true,
  ],
  [
    'limiter CPU per request',
    `${(cost.perRequestMs * 1000).toFixed(2)} µs (${OVERHEAD_CYCLES.toLocaleString('en')} cycles)`,
    '< 100 µs',
    cost.perRequestMs < 0.1,
  ],
  [
    'virtual-clock rate (sanity)',
    `${cost.virtualRate.toFixed(4)} req/s`,
    `= ${ceiling.toFixed(4)}`,
    Math.abs(cost.virtualRate - ceiling) < 0.01,
  ],
  ['wall time', `${(e2e.elapsedMs / 1000).toFixed(2)} s`, 'info', true],
];
const width = Math.max(...rows.map((r) => r[0].length));
const valueWidth = Math.max(...rows.map((r) => r[1].length));
for (const [name, value, target, passed] of rows) {
  console.log(
    `${name.padEnd(width)}  ${value.padEnd(valueWidth)}  ${target.padEnd(10)}  ${passed ? 'ok' : 'MISSED'}`,
  );
}
if (rows.some((r) => !r[3])) process.exitCode = 1;
