/** The `midjourney-worker/simulator` entry point: what it exports and the types it promises. */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { MidjourneyBot, SimBot, SimJobRecord, Simulator, SimWorld } from '../../src/simulator/index.js';
import * as simulator from '../../src/simulator/index.js';

describe('simulator exports', () => {
  it('exports the runtime API by name', () => {
    expect(Object.keys(simulator).sort()).toEqual(
      [
        'ACKNOWLEDGE_DEADLINE_MS',
        'DEFAULT_SIMULATED_TIME_SCALE',
        'DEFAULT_EVIDENCE',
        'DEFAULT_RATE_LIMITS',
        'DEFAULT_SIMULATOR_OPTIONS',
        'DEFAULT_USER',
        'DiscordWorld',
        'HELPER_APPLICATION_ID',
        'MAX_SIM_ACCOUNTS',
        'MIDJOURNEY_IMAGINE_ID',
        'MIDJOURNEY_IMAGINE_VERSION',
        'NIJI_APPLICATION_ID',
        'NIJI_IMAGINE_ID',
        'NIJI_IMAGINE_VERSION',
        'SimulatorOptionsError',
        'SimulatorUnknownChannelError',
        'bucketHash',
        'createMidjourneyBot',
        'discordTimestamp',
        'isSimulatorOptionsError',
        'openSimulatedClient',
        'resolveSimulatorOptions',
        'seedOf',
        'simAccounts',
        'simAccountsFile',
        'startSimulator',
      ].sort(),
    );
  });

  it('types the simulator by its bot', () => {
    const standard = () => simulator.startSimulator({ timeScale: 10 });
    expectTypeOf(standard).returns.resolves.toEqualTypeOf<Simulator<MidjourneyBot>>();
    class Tiny implements SimBot {
      handleInteraction(): void {}
      stop(): void {}
    }
    const custom = () => simulator.startSimulator({ createBot: (_world: SimWorld) => new Tiny() });
    expectTypeOf(custom).returns.resolves.toEqualTypeOf<Simulator<Tiny>>();
    expectTypeOf<Simulator['jobs']>().toEqualTypeOf<SimJobRecord[]>();
    expectTypeOf<Simulator['apiBaseUrl']>().toBeString();
  });
});
