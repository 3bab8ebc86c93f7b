/**
 * `npm run bench -- peer [--quick]`: this project beside the most used TypeScript client, the
 * `midjourney` npm package (pinned devDependency), on the same simulator with the same settings:
 * its REST mode against our poll mode, its gateway mode against ours.
 *
 * Real Discord timings (rate limits, 350 ms floors, poll intervals, heartbeats) and no time scale:
 * scaling time distorts clients with fixed timers (the peer sleeps 2 s between polls whatever the
 * clock says). Jobs are short instead: the bot answers in 1.5 s, waits 1 s and runs 4 s, 3 slots
 * and a queue of 10, as a Basic plan. Every run gets a fresh simulator with the same seed.
 *
 * Scenarios: N = 1, 3, 10 different prompts at once, and three identical prompts at once.
 * `--quick` runs N = 1 and 3 and the identical prompts (about a minute and a half).
 *
 * Printed per client and scenario: jobs that returned the right image (the result message of a job
 * of that prompt, no job twice), HTTP calls of the token per successful job (every call: lookups,
 * snapshots, sends, polls), 429s received, the shortest gap between two calls of the token, wall
 * time, and the overhead (bot's final message -> call settled) p50/p90/max; then ours/peer ratios.
 * When the package cannot be loaded the peer is skipped with a printed line.
 */
import { type Simulator, startSimulator } from '../src/simulator/index.js';
import { type ClientName, createClient, loadPeer } from './peer/clients.js';
import { measure, percentile, type RunFigures } from './peer/measure.js';

const quick = process.argv.includes('--quick');

const SIM_BOT = { answerDelayMs: 1_500, waitingMs: 1_000, jobDurationMs: 4_000 } as const;

interface Scenario {
  label: string;
  prompts: string[];
}

const distinct = (n: number): Scenario => ({
  label: `N=${n}`,
  prompts: Array.from({ length: n }, (_, i) => `a lighthouse in the fog, study ${i + 1}`),
});
const scenarios: Scenario[] = [
  distinct(1),
  distinct(3),
  ...(quick ? [] : [distinct(10)]),
  { label: '3 same', prompts: Array.from({ length: 3 }, () => 'a red fox in fresh snow') },
];

const pairs: { mode: string; ours: ClientName; peer: ClientName }[] = [
  { mode: 'REST', ours: 'ours-poll', peer: 'peer-rest' },
  { mode: 'gateway', ours: 'ours-gateway', peer: 'peer-gateway' },
];

async function runOnce(name: ClientName, scenario: Scenario): Promise<RunFigures> {
  const sim: Simulator = await startSimulator({ bot: SIM_BOT });
  // The peer prints its command lookups, "ws ready" and every 4xx with its config: keep the table
  // readable (its 429s are counted from the simulator's log).
  const { log, error, warn, info } = console;
  if (name.startsWith('peer')) {
    console.log = () => undefined;
    console.error = () => undefined;
    console.warn = () => undefined;
    console.info = () => undefined;
  }
  try {
    const client = await createClient(name, sim);
    try {
      const startedAt = Date.now();
      const outcomes = await client.run(scenario.prompts);
      return measure(sim, startedAt, outcomes);
    } finally {
      await client.close();
    }
  } finally {
    console.log = log;
    console.error = error;
    console.warn = warn;
    console.info = info;
    await sim.close();
  }
}

const ms = (x: number): string => (Number.isFinite(x) ? `${Math.round(x)}` : '-');
const s = (x: number): string => (Number.isFinite(x) ? (x / 1_000).toFixed(1) : '-');
const ratio = (a: number, b: number): string =>
  Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}x` : '-';

function row(mode: string, client: string, label: string, f: RunFigures): string[] {
  return [
    mode,
    client,
    label,
    `${f.ok}/${f.jobs}`,
    f.callsPerJob.toFixed(2),
    String(f.limited),
    ms(f.minGapMs),
    s(f.wallMs),
    `${ms(percentile(f.overheadMs, 50))} / ${ms(percentile(f.overheadMs, 90))} / ${ms(Math.max(...f.overheadMs))}`,
    f.detectMs.length === 0 ? '-' : `${ms(percentile(f.detectMs, 50))} / ${ms(Math.max(...f.detectMs))}`,
    mode === 'REST' && client === 'ours'
      ? `${(f.calls / f.floorCalls).toFixed(2)}x / ${(f.calls / f.bareFloorCalls).toFixed(2)}x`
      : '-',
  ];
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

const peer = await loadPeer();
if (!peer) {
  console.log('peer: the midjourney package cannot be loaded (npm install): running ours only, no ratios');
}

const rows: string[][] = [];
const ratios: string[][] = [];
const errors: string[] = [];
for (const { mode, ours, peer: peerName } of pairs) {
  for (const scenario of scenarios) {
    const a = await runOnce(ours, scenario);
    rows.push(row(mode, 'ours', scenario.label, a));
    for (const e of a.errors) errors.push(`${ours} ${scenario.label}: ${e}`);
    if (mode === 'gateway') {
      // The physical limit of the gateway: no confirmation window (settles at first sight, and so,
      // like the peer, cannot tell a result that ephemeral moderation takes down a moment later).
      const now = await runOnce('ours-gateway-now', scenario);
      rows.push(row(mode, 'ours, window 0', scenario.label, now));
      for (const e of now.errors) errors.push(`ours-gateway-now ${scenario.label}: ${e}`);
    }
    if (!peer) continue;
    const b = await runOnce(peerName, scenario);
    rows.push(row(mode, 'peer', scenario.label, b));
    for (const e of b.errors) errors.push(`${peerName} ${scenario.label}: ${e}`);
    ratios.push([
      mode,
      scenario.label,
      `${a.ok} vs ${b.ok}`,
      ratio(a.callsPerJob, b.callsPerJob),
      `${a.limited} vs ${b.limited}`,
      ratio(a.wallMs, b.wallMs),
      ratio(percentile(a.overheadMs, 50), percentile(b.overheadMs, 50)),
    ]);
  }
}

console.log(
  `\nPeer comparison at real Discord timings (bot: answer ${SIM_BOT.answerDelayMs} ms, wait ${SIM_BOT.waitingMs} ms, job ${SIM_BOT.jobDurationMs} ms; 3 slots)`,
);
table(
  [
    'mode',
    'client',
    'jobs',
    'right image',
    'calls/job',
    '429s',
    'min gap ms',
    'wall s',
    'overhead ms p50 / p90 / max',
    'seen ms p50 / max',
    'calls vs floor / bare floor',
  ],
  rows,
);
if (ratios.length > 0) {
  console.log('\nOurs / peer');
  table(['mode', 'jobs', 'right image', 'calls/job', '429s', 'wall', 'overhead p50'], ratios);
}
if (errors.length > 0) {
  console.log('\nFailures');
  for (const e of [...new Set(errors)].slice(0, 20)) console.log(`- ${e}`);
}
console.log(
  [
    '',
    'calls/job: every HTTP call of the token per successful job.',
    'overhead: bot final message -> call settled; seen: bot final message -> result seen (ours; the',
    '  confirmation window against ephemeral moderation, MJ_CONFIRM_WINDOW_MS, runs from there, and the',
    "  resultSeen event gives the result then). 'ours, window 0': confirmWindowMs 0, settled at first sight.",
    'calls vs floor (ours, polling): calls against lookups + one POST per job + one snapshot per job +',
    '  one poll per 4 s (the mean poll interval) while jobs were in flight; bare floor: the same with one',
    '  snapshot in all (later snapshots ride on polls brought forward).',
  ].join('\n'),
);
process.exit(0);
