/**
 * The two clients under comparison, behind one shape: run N prompts at once against a simulator
 * and say, per prompt, which message came back and when the call settled.
 *
 * - ours: `Midjourney` from src/generation with its defaults (poll 3–5 s, 3 jobs in flight,
 *   350 ms request floor, 3 s confirmation window), `watch: 'poll'` or `'gateway'`;
 * - the peer: the `midjourney` npm package (pinned devDependency), `Ws: false` (REST) or `Ws: true`
 *   (gateway), with its defaults (350 ms between its calls, polls every 2 s in REST mode).
 *
 * Two things the peer needs and that are not patched here: in REST mode its command list must be
 * fetched (`MJApi.allCommand()`) before the first job, or it takes the first command of the index
 * as `/imagine`; and it is started with `Connect()`, not `init()`, because `init()` then sends
 * `/settings` and waits for its answer, which is not part of a generation.
 */
import { Midjourney } from '../../src/generation/index.js';
import type { Simulator } from '../../src/simulator/index.js';

/** `ours-gateway-now`: ours over the gateway with `confirmWindowMs: 0` (settles at first sight, as the peer). */
export type ClientName = 'ours-poll' | 'ours-gateway' | 'ours-gateway-now' | 'peer-rest' | 'peer-gateway';

export interface CallOutcome {
  prompt: string;
  /** The message id the client returned; undefined when it failed or returned nothing. */
  messageId: string | undefined;
  /** Real ms when the call settled. */
  settledAt: number;
  /** Ours: real ms when the result was first seen (before the confirmation window). */
  seenAt?: number;
  error?: string;
}

export interface BenchClient {
  run(prompts: readonly string[]): Promise<CallOutcome[]>;
  close(): Promise<void>;
}

/** What the peer's module exports, as far as the bench uses it (it ships its own types). */
interface PeerModule {
  Midjourney: new (
    config: Record<string, unknown>,
  ) => {
    Connect(): Promise<unknown>;
    Imagine(prompt: string): Promise<{ id?: string } | null>;
    Close?(): void;
    MJApi: { allCommand(): Promise<void> };
  };
}

let peerModule: PeerModule | null | undefined;

/** The peer package, or null when it is not installed (the bench then skips it). */
export async function loadPeer(): Promise<PeerModule | null> {
  if (peerModule !== undefined) return peerModule;
  try {
    const mod = (await import('midjourney')) as unknown as PeerModule & { default?: PeerModule };
    peerModule = typeof mod.Midjourney === 'function' ? mod : (mod.default ?? null);
  } catch {
    peerModule = null;
  }
  return peerModule;
}

async function settleAll(
  prompts: readonly string[],
  call: (prompt: string) => Promise<string | undefined | { messageId: string; seenAt: number }>,
): Promise<CallOutcome[]> {
  return Promise.all(
    prompts.map(async (prompt) => {
      try {
        const answer = await call(prompt);
        const settledAt = Date.now();
        if (typeof answer === 'object') return { prompt, ...answer, settledAt };
        return { prompt, messageId: answer, settledAt };
      } catch (error) {
        return {
          prompt,
          messageId: undefined,
          settledAt: Date.now(),
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        };
      }
    }),
  );
}

export async function createClient(name: ClientName, sim: Simulator): Promise<BenchClient> {
  if (name === 'ours-poll' || name === 'ours-gateway' || name === 'ours-gateway-now') {
    const mj = new Midjourney({
      token: sim.token,
      apiBaseUrl: sim.apiBaseUrl,
      gatewayUrl: sim.gatewayUrl,
      guildId: sim.guildId,
      channelId: sim.channelId,
      watch: name === 'ours-poll' ? 'poll' : 'gateway',
      ...(name === 'ours-gateway-now' ? { confirmWindowMs: 0 } : {}),
    });
    return {
      run: (prompts) =>
        settleAll(prompts, async (prompt) => {
          const result = await mj.imagine(prompt);
          return { messageId: result.messageId, seenAt: result.timings.completedAt };
        }),
      close: () => mj.close(),
    };
  }
  const peer = await loadPeer();
  if (!peer) throw new Error('the midjourney package is not installed');
  const origin = new URL(sim.apiBaseUrl).origin;
  const client = new peer.Midjourney({
    SalaiToken: sim.token,
    ServerId: sim.guildId,
    ChannelId: sim.channelId,
    DiscordBaseUrl: origin,
    WsBaseUrl: sim.gatewayUrl,
    Ws: name === 'peer-gateway',
    Debug: false,
  });
  // See the file comment: Connect() (not init(), which waits on /settings), and in REST mode the
  // command list fetched by hand, since Connect() returns at once without the gateway.
  await client.Connect();
  if (name === 'peer-rest') await client.MJApi.allCommand();
  return {
    run: (prompts) =>
      settleAll(prompts, async (prompt) => {
        const message = await client.Imagine(prompt);
        return message?.id;
      }),
    close: async () => client.Close?.(),
  };
}
