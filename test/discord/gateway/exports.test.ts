import { describe, expect, it } from 'vitest';
import * as gateway from '../../../src/discord/gateway/index.js';

describe('src/discord/gateway/index.ts', () => {
  it('exports exactly the public runtime API', () => {
    expect(Object.keys(gateway).sort()).toEqual(
      [
        'DEFAULT_GATEWAY_CLIENT_OPTIONS',
        'DEFAULT_IDENTIFY_OPTIONS',
        'DEFAULT_RECONNECT_POLICY',
        'FATAL_CLOSE_CODES',
        'GatewayClient',
        'GatewayCloseCode',
        'GatewayError',
        'GatewayOpcode',
        'RESUMABLE_CLIENT_CLOSE_CODE',
        'buildResumeUrl',
        'closeAction',
        'describeCloseCode',
        'isGatewayError',
        'reconnectDelay',
        'resolveGatewayClientOptions',
      ].sort(),
    );
  });

  it('builds a client without touching the network', () => {
    const client = new gateway.GatewayClient({ token: 't0k3n' });
    expect(client.state).toBe('idle');
    expect(client.sessionId).toBeNull();
    expect(client.stats()).toMatchObject({ connects: 0, lastLatencyMs: null });
  });
});
