/** A RestClient on undici's MockAgent: no network, fast limiter, deterministic jitter. */
import { MockAgent } from 'undici';
import { RestClient } from '../../../src/discord/rest/client.js';
import type { RestClientOptions } from '../../../src/discord/rest/client-options.js';

export const TOKEN = 'MTA5ODc2NTQzMjEwOTg3NjU0.Gh7x2Q.secret-user-token-value_abcdef';
export const ORIGIN = 'https://discord.test';
export const BASE = '/api/v10';

export interface MockSetup {
  agent: MockAgent;
  pool: ReturnType<MockAgent['get']>;
  client: RestClient;
  /** `delayMs` of every `retry` event, in order. */
  delays: number[];
  close(): Promise<void>;
}

export function mockClient(overrides: Partial<RestClientOptions> = {}): MockSetup {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const client = new RestClient({
    token: TOKEN,
    baseUrl: `${ORIGIN}${BASE}`,
    dispatcher: agent,
    retryBaseMs: 8,
    random: () => 0.5,
    ...overrides,
    limiterOptions: { minSpacingMs: 0, allowUnsafeSpacing: true, ...overrides.limiterOptions },
  });
  const delays: number[] = [];
  client.limiter.on('retry', (e) => delays.push(e.delayMs));
  return {
    agent,
    pool: agent.get(ORIGIN),
    client,
    delays,
    close: async () => {
      await client.close();
      await agent.close();
    },
  };
}

export const json = { headers: { 'content-type': 'application/json', via: '1.1 google' } };

/** A MockAgent reply callback for a Discord 429. */
export function rateLimitReply(retryAfter: number, extra: Record<string, string> = {}) {
  return () => ({
    statusCode: 429,
    data: { message: 'You are being rate limited.', retry_after: retryAfter, global: false },
    responseOptions: {
      headers: {
        ...json.headers,
        'retry-after': String(Math.ceil(retryAfter)),
        'x-ratelimit-scope': 'user',
        'x-ratelimit-remaining': '0',
        ...extra,
      },
    },
  });
}
