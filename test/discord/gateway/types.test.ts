import { describe, expectTypeOf, it } from 'vitest';
import type {
  APIMessage,
  GatewayClient,
  GatewayDispatch,
  GatewayState,
  InteractionEventData,
  MessageDeleteData,
  ReadyData,
} from './public-api.js';

describe('public gateway types', () => {
  it('narrow a dispatch by name', () => {
    const handle = (event: GatewayDispatch): void => {
      if (event.name === 'MESSAGE_CREATE') expectTypeOf(event.data).toEqualTypeOf<APIMessage>();
      if (event.name === 'MESSAGE_DELETE') expectTypeOf(event.data).toEqualTypeOf<MessageDeleteData>();
      if (event.name === 'INTERACTION_SUCCESS')
        expectTypeOf(event.data).toEqualTypeOf<InteractionEventData>();
      if (event.name === 'INTERACTION_FAILURE')
        expectTypeOf(event.data.reason).toEqualTypeOf<string | undefined>();
      if (event.name === 'READY') expectTypeOf(event.data).toEqualTypeOf<ReadyData>();
      expectTypeOf(event.seq).toBeNumber();
    };
    expectTypeOf(handle).toBeFunction();
  });

  it('type the client surface', () => {
    expectTypeOf<GatewayClient['connect']>().toEqualTypeOf<(signal?: AbortSignal) => Promise<ReadyData>>();
    expectTypeOf<GatewayClient['close']>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<GatewayClient['sessionId']>().toEqualTypeOf<string | null>();
    expectTypeOf<GatewayClient['state']>().toEqualTypeOf<GatewayState>();
    expectTypeOf<GatewayClient['stats']>()
      .returns.toHaveProperty('lastLatencyMs')
      .toEqualTypeOf<number | null>();
  });

  it('type event listeners', () => {
    const on = (client: GatewayClient): void => {
      client.on('ready', (data) => expectTypeOf(data).toEqualTypeOf<ReadyData>());
      client.on('rawDispatch', (name, data, seq) => {
        expectTypeOf(name).toBeString();
        expectTypeOf(data).toBeUnknown();
        expectTypeOf(seq).toBeNumber();
      });
      client.on('state', (state, previous) => {
        expectTypeOf(state).toEqualTypeOf<GatewayState>();
        expectTypeOf(previous).toEqualTypeOf<GatewayState>();
      });
      client.on('fatal', (error) => expectTypeOf(error.code).toBeString());
    };
    expectTypeOf(on).toBeFunction();
  });
});
