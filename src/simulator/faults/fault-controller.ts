/**
 * Holds the faults still to inject and hands them out one request (or dispatch) at a time. The
 * HTTP pipeline asks at two points: on arrival (reset before, 5xx, Cloudflare 429) and once the
 * request has been processed (reset after, delay, malformed JSON). The gateway asks on each
 * dispatch and each heartbeat.
 */
import { SimulatorOptionsError } from '../errors.js';
import type {
  CloudflareFault,
  DelayFault,
  GatewayDropFault,
  GatewayReconnectFault,
  MalformedJsonFault,
  ResetFault,
  SimFault,
  StatusFault,
} from './types.js';

interface Armed {
  fault: SimFault;
  /** Requests (or heartbeats) it still hits; dispatches still to wait for gateway actions. */
  remaining: number;
}

const STATUSES = new Set([500, 502, 503, 504]);
const KINDS = new Set([
  'reset',
  'status',
  'delay',
  'malformed-json',
  'cloudflare-429',
  'gateway-drop',
  'gateway-reconnect',
  'gateway-no-ack',
]);

/** Throws a SimulatorOptionsError naming the fault and the problem. */
export function validateFault(fault: SimFault, where = 'fault'): void {
  const f = fault as unknown as Record<string, unknown>;
  if (typeof f !== 'object' || f === null || !KINDS.has(f.kind as string)) {
    throw new SimulatorOptionsError(
      where,
      `unknown kind ${JSON.stringify(f?.kind)}; expected one of ${[...KINDS].join(', ')}`,
    );
  }
  if (f.route !== undefined && (typeof f.route !== 'string' || f.route === '')) {
    throw new SimulatorOptionsError(
      `${where}.route`,
      "expected a route template like 'GET /channels/{channel_id}/messages' or '*'",
    );
  }
  const count = f.count;
  if (
    count !== undefined &&
    !(typeof count === 'number' && count >= 1 && (Number.isInteger(count) || count === Infinity))
  ) {
    throw new SimulatorOptionsError(
      `${where}.count`,
      `expected an integer >= 1 or Infinity, got ${String(count)}`,
    );
  }
  if (fault.kind === 'status' && !STATUSES.has(fault.status)) {
    throw new SimulatorOptionsError(
      `${where}.status`,
      `expected 500, 502, 503 or 504, got ${String(fault.status)}`,
    );
  }
  if (fault.kind === 'delay' && !(Number.isFinite(fault.delayMs) && fault.delayMs >= 0)) {
    throw new SimulatorOptionsError(
      `${where}.delayMs`,
      `expected a finite number >= 0, got ${String(fault.delayMs)}`,
    );
  }
  if (
    fault.kind === 'reset' &&
    fault.when !== undefined &&
    fault.when !== 'before-request' &&
    fault.when !== 'after-request'
  ) {
    throw new SimulatorOptionsError(`${where}.when`, "expected 'before-request' or 'after-request'");
  }
  if (
    (fault.kind === 'gateway-drop' || fault.kind === 'gateway-reconnect') &&
    fault.afterDispatches !== undefined
  ) {
    if (!(Number.isInteger(fault.afterDispatches) && fault.afterDispatches >= 0)) {
      throw new SimulatorOptionsError(
        `${where}.afterDispatches`,
        `expected an integer >= 0, got ${String(fault.afterDispatches)}`,
      );
    }
  }
}

function arm(fault: SimFault): Armed {
  if (fault.kind === 'gateway-drop' || fault.kind === 'gateway-reconnect') {
    return { fault, remaining: fault.afterDispatches ?? 0 };
  }
  return { fault, remaining: fault.count ?? 1 };
}

function routeMatches(fault: SimFault, route: string): boolean {
  const wanted = 'route' in fault ? (fault.route ?? '*') : '*';
  return wanted === '*' || wanted === route;
}

export class FaultController {
  private armed: Armed[] = [];

  constructor(initial: readonly SimFault[] = []) {
    this.set(initial);
  }

  /** Replaces every pending fault. */
  set(faults: readonly SimFault[]): void {
    for (const [i, fault] of faults.entries()) validateFault(fault, `faults[${i}]`);
    this.armed = faults.map(arm);
  }

  add(fault: SimFault): void {
    validateFault(fault);
    this.armed.push(arm(fault));
  }

  clear(): void {
    this.armed = [];
  }

  /** The faults not used up yet, with `count` (or `afterDispatches`) showing what is left. */
  pending(): SimFault[] {
    return this.armed.map(({ fault, remaining }) =>
      fault.kind === 'gateway-drop' || fault.kind === 'gateway-reconnect'
        ? { ...fault, afterDispatches: remaining }
        : { ...fault, count: remaining },
    );
  }

  /** Faults that answer a request instead of processing it. */
  takeOnArrival(route: string): ResetFault | StatusFault | CloudflareFault | undefined {
    return this.take(
      route,
      (f): f is ResetFault | StatusFault | CloudflareFault =>
        (f.kind === 'reset' && (f.when ?? 'before-request') === 'before-request') ||
        f.kind === 'status' ||
        f.kind === 'cloudflare-429',
    );
  }

  /** Faults applied to the response of a request that was processed. */
  takeOnResponse(route: string): ResetFault | DelayFault | MalformedJsonFault | undefined {
    return this.take(
      route,
      (f): f is ResetFault | DelayFault | MalformedJsonFault =>
        (f.kind === 'reset' && f.when === 'after-request') ||
        f.kind === 'delay' ||
        f.kind === 'malformed-json',
    );
  }

  /** True when this heartbeat's ACK must be swallowed. */
  takeNoAck(): boolean {
    return this.take('*', (f) => f.kind === 'gateway-no-ack') !== undefined;
  }

  /** Called once per gateway dispatch: returns the drop/reconnect due now, counting the others down. */
  onDispatch(): GatewayDropFault | GatewayReconnectFault | undefined {
    let due: GatewayDropFault | GatewayReconnectFault | undefined;
    for (const entry of [...this.armed]) {
      const { fault } = entry;
      if (fault.kind !== 'gateway-drop' && fault.kind !== 'gateway-reconnect') continue;
      if (entry.remaining === 0 && due === undefined) {
        due = fault;
        this.armed.splice(this.armed.indexOf(entry), 1);
      } else if (entry.remaining > 0) {
        entry.remaining -= 1;
      }
    }
    return due;
  }

  private take<T extends SimFault>(route: string, accept: (f: SimFault) => f is T): T | undefined;
  private take(route: string, accept: (f: SimFault) => boolean): SimFault | undefined;
  private take(route: string, accept: (f: SimFault) => boolean): SimFault | undefined {
    const index = this.armed.findIndex(({ fault }) => accept(fault) && routeMatches(fault, route));
    const entry = this.armed[index];
    if (entry === undefined) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.armed.splice(index, 1);
    return entry.fault;
  }
}
