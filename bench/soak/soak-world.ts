/**
 * The simulator a soak target runs against, in the soak's own process (never killed), with what
 * the comparison needs recorded as requests complete: the invalid requests with their times, the
 * `/imagine` interactions Discord processed per correlation token, and the faults injected. A
 * scheduler keeps arming faults (5xx bursts, resets before / after POST, slow responses, malformed
 * JSON, gateway drops) for as long as the target is under test; shared 429s come from a shared
 * limit on `POST /interactions`.
 */
import { randomBytes } from 'node:crypto';
import {
  DEFAULT_USER,
  type RequestLogEntry,
  type SimFault,
  type Simulator,
  startSimulator,
} from '../../src/simulator/index.js';
import type { Random } from '../../src/util/clock.js';
import { scriptRules, tokensIn } from './prompts.js';

/** The client's per-call timeout in the children (real ms); the slow fault outlasts it. */
export const CLIENT_REQUEST_TIMEOUT_MS = 2_000;

export interface SoakRecord {
  /** Real epoch ms of every 401/403/429 Discord counts toward its ban (shared-scope 429s excepted). */
  invalidTimes: number[];
  /** `/imagine` interactions Discord processed (the bot received them), per token. */
  interactions: Map<string, number>;
  /** Every `/imagine` POST whose body was read, per token: `204`, `0/reset`, `200/malformed-json`... */
  trails: Map<string, string[]>;
  /** Faults injected, by kind (`gateway-drop` counted when armed). */
  faults: Record<string, number>;
  /** 429s answered by scope. */
  rateLimited: Record<string, number>;
  requests: number;
}

export interface SoakWorld {
  sim: Simulator;
  record: SoakRecord;
  /** Starts arming one fault every ~`everyRequests` requests (uniform 0.5x..1.5x); returns the stop function. */
  startFaults(everyRequests: number, random: Random, gateway: boolean): () => void;
  close(): Promise<void>;
}

function recordEntry(record: SoakRecord, entry: RequestLogEntry): void {
  record.requests += 1;
  if (entry.fault) record.faults[entry.fault] = (record.faults[entry.fault] ?? 0) + 1;
  if (entry.rateLimitScope) {
    record.rateLimited[entry.rateLimitScope] = (record.rateLimited[entry.rateLimitScope] ?? 0) + 1;
  }
  const counted =
    entry.status === 401 ||
    entry.status === 403 ||
    (entry.status === 429 && entry.rateLimitScope !== 'shared' && entry.rateLimitScope !== 'cloudflare');
  if (counted) record.invalidTimes.push(entry.time);
  // The body is recorded once read; a processed interaction is answered 2xx, or reset after the fact.
  if (entry.route === 'POST /interactions' && entry.body !== undefined) {
    const processed =
      (entry.status >= 200 && entry.status < 300) || (entry.status === 0 && entry.fault === 'reset');
    for (const token of new Set(tokensIn(JSON.stringify(entry.body)))) {
      const trail = record.trails.get(token) ?? [];
      trail.push(
        `${entry.status}${entry.fault ? `/${entry.fault}` : ''}${entry.durationMs ? ` ${entry.durationMs}ms` : ''}`,
      );
      record.trails.set(token, trail);
      if (processed) record.interactions.set(token, (record.interactions.get(token) ?? 0) + 1);
    }
  }
}

/** A fresh token per run, shaped like Discord's, so a leak of it is unambiguous. */
function runToken(): string {
  const tail = randomBytes(24).toString('base64url');
  return `${DEFAULT_USER.token.split('.')[0]}.${randomBytes(4).toString('base64url')}.${tail}`;
}

export async function startSoakWorld(options: {
  seed: number;
  timeScale: number;
  slots: number;
  jobs: number;
}): Promise<SoakWorld> {
  let scheduler: (() => void) | undefined;
  const record: SoakRecord = {
    invalidTimes: [],
    interactions: new Map(),
    trails: new Map(),
    faults: {},
    rateLimited: {},
    requests: 0,
  };
  const sim = await startSimulator({
    timeScale: options.timeScale,
    seed: options.seed,
    users: [{ ...DEFAULT_USER, token: runToken() }],
    bot: { seed: options.seed, fastSlots: options.slots, relaxedSlots: options.slots },
    // The record is kept here (onRequest), not in the bounded log.
    requestLogLimit: 0,
    // A whole run's messages stay in the channel, as on Discord: a resume must be able to find them.
    messageRetention: Math.max(5_000, options.jobs * 8),
    // Shared (per-resource) 429s: Discord answers them to every user and does not count them.
    rateLimits: { shared: { 'POST /interactions': { limit: 3, windowMs: 5_000 } } },
    onRequest: (entry) => {
      recordEntry(record, entry);
      scheduler?.();
    },
  });
  for (const rule of scriptRules()) sim.bot.script(rule);

  const httpFault = (random: Random): SimFault => {
    const pick = random();
    const routes = ['*', 'POST /interactions', 'GET /channels/{channel_id}/messages'];
    const route = routes[Math.floor(random() * routes.length)] ?? '*';
    if (pick < 0.3) {
      const statuses = [500, 502, 503, 504] as const;
      const status = statuses[Math.floor(random() * statuses.length)] ?? 500;
      return { kind: 'status', status, route, count: 1 + Math.floor(random() * 4) };
    }
    if (pick < 0.45) return { kind: 'reset', when: 'before-request', route: 'POST /interactions' };
    if (pick < 0.6) return { kind: 'reset', when: 'after-request', route: 'POST /interactions' };
    if (pick < 0.7)
      return { kind: 'reset', when: random() < 0.5 ? 'before-request' : 'after-request', route };
    if (pick < 0.85) {
      // Slow: either past the client's timeout or merely slow.
      const past = random() < 0.5;
      return { kind: 'delay', delayMs: past ? CLIENT_REQUEST_TIMEOUT_MS + 500 : 300, route };
    }
    return { kind: 'malformed-json', route };
  };

  return {
    sim,
    record,
    startFaults(everyRequests, random, gateway) {
      const arm = (): void => {
        if (gateway && random() < 0.05) {
          sim.faults.add({ kind: 'gateway-drop', resumable: random() < 0.7 });
          record.faults['gateway-drop'] = (record.faults['gateway-drop'] ?? 0) + 1;
        } else {
          sim.faults.add(httpFault(random));
        }
      };
      // Paced by traffic, not by the clock: a client that backs off is not buried under faults.
      let next = record.requests + everyRequests * (0.5 + random());
      scheduler = () => {
        if (record.requests < next) return;
        next = record.requests + everyRequests * (0.5 + random());
        arm();
      };
      return () => {
        scheduler = undefined;
        sim.faults.clear();
      };
    },
    close: () => sim.close(),
  };
}
