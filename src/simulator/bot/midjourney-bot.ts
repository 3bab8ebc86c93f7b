/**
 * The simulated Midjourney bot: receives interactions from the simulated Discord and plays each
 * job out over simulated time through the SimWorld seam.
 */
import type { AcceptedInteraction, SimBot, SimWorld } from '../world.js';
import { type MidjourneyBotFaults, type MidjourneyBotOptions, resolveBotOptions } from './options.js';
import type { AccountState, BotMode, ScriptRule, SimJobRecord } from './types.js';

export interface MidjourneyBot extends SimBot {
  readonly options: Readonly<MidjourneyBotOptions>;
  /** Every job so far, oldest first (copies). */
  jobs(): SimJobRecord[];
  /** One job by its UUID. */
  job(id: string): SimJobRecord | undefined;
  /** Adds a per-prompt rule; rules are tried in the order added. */
  script(rule: ScriptRule): void;
  /** Removes every scripted rule. */
  clearScripts(): void;
  setAccountState(state: AccountState): void;
  accountState(): AccountState;
  /** Switches between fast, relaxed and turbo for jobs started from now on. */
  setMode(mode: BotMode): void;
  setFaults(faults: Partial<MidjourneyBotFaults>): void;
  /** Jobs holding a slot and jobs waiting for one. */
  load(): { running: number; queued: number };
}

export function createMidjourneyBot(world: SimWorld, options?: Partial<MidjourneyBotOptions>): MidjourneyBot {
  const resolved = resolveBotOptions(options);
  const records: SimJobRecord[] = [];
  const rules: ScriptRule[] = [];
  let state = resolved.accountState;
  void world;
  return {
    options: resolved,
    handleInteraction(_interaction: AcceptedInteraction) {},
    stop() {},
    jobs: () => records.map((r) => ({ ...r, messageIds: [...r.messageIds] })),
    job: (id) => records.find((r) => r.id === id),
    script: (rule) => void rules.push(rule),
    clearScripts: () => void rules.splice(0),
    setAccountState: (s) => {
      state = s;
    },
    accountState: () => state,
    setMode: (mode) => {
      resolved.mode = mode;
    },
    setFaults: (faults) => {
      resolved.faults = { ...resolved.faults, ...faults };
    },
    load: () => ({ running: 0, queued: 0 }),
  };
}
