/**
 * Checks the data of the dispatches the worker acts on before they are emitted typed, with the
 * same decoders as the REST answers (../decode). A dispatch that fails is not emitted as
 * `dispatch` (it still goes out as `rawDispatch`); the client reports it as an `error`.
 * MESSAGE_UPDATE is partial: only `id` and `channel_id` are required, and each field present is
 * checked as in a whole message.
 * https://discord.com/developers/docs/events/gateway-events#message-create
 */
import { type Decoded, type Decoder, decodeMessage, decodeWith } from '../decode/index.js';
import { child, record, snowflake, string } from '../decode/primitives.js';
import type { APIMessage } from '../types.js';
import type {
  GatewayDispatchMap,
  InteractionEventData,
  MessageDeleteData,
  ModalCreateData,
} from './protocol.js';

type MessageUpdate = GatewayDispatchMap['MESSAGE_UPDATE'];

const decodeMessageUpdate: Decoder<MessageUpdate> = (value, path) => {
  const raw = record(value, path);
  const id = snowflake(raw.id, child(path, 'id'));
  const channelId = snowflake(raw.channel_id, child(path, 'channel_id'));
  // Decode as a whole message (a stand-in author when none was sent), then keep what was sent.
  const whole: APIMessage = decodeMessage(
    { author: { id: '0' }, ...raw, ...(raw.author === undefined ? { author: { id: '0' } } : {}) },
    path,
  );
  const update: Record<string, unknown> = { id, channel_id: channelId };
  for (const key of Object.keys(raw)) {
    if (key in whole) update[key] = (whole as unknown as Record<string, unknown>)[key];
  }
  return update as MessageUpdate;
};

const decodeMessageDelete: Decoder<MessageDeleteData> = (value, path) => {
  const raw = record(value, path);
  return {
    ...raw,
    id: snowflake(raw.id, child(path, 'id')),
    channel_id: snowflake(raw.channel_id, child(path, 'channel_id')),
  };
};

const decodeInteractionEvent: Decoder<InteractionEventData & { reason?: string }> = (value, path) => {
  const raw = record(value, path);
  const event: InteractionEventData & { reason?: string } = {
    ...raw,
    id: snowflake(raw.id, child(path, 'id')),
    nonce: string(raw.nonce, child(path, 'nonce')),
  };
  if (typeof raw.reason !== 'string') delete event.reason;
  return event;
};

const decodeModalCreate: Decoder<ModalCreateData> = (value, path) => {
  const raw = record(value, path);
  return {
    ...raw,
    id: snowflake(raw.id, child(path, 'id')),
    nonce: string(raw.nonce, child(path, 'nonce')),
    custom_id: string(raw.custom_id, child(path, 'custom_id')),
  } as ModalCreateData;
};

const DECODERS: { [K in keyof GatewayDispatchMap]?: Decoder<GatewayDispatchMap[K]> } = {
  MESSAGE_CREATE: decodeMessage,
  MESSAGE_UPDATE: decodeMessageUpdate,
  MESSAGE_DELETE: decodeMessageDelete,
  INTERACTION_CREATE: decodeInteractionEvent,
  INTERACTION_SUCCESS: decodeInteractionEvent,
  INTERACTION_FAILURE: decodeInteractionEvent,
  INTERACTION_MODAL_CREATE: decodeModalCreate,
  INTERACTION_IFRAME_MODAL_CREATE: decodeModalCreate,
};

/** The dispatch's data checked and typed; READY and RESUMED are checked by the client itself. */
export function decodeDispatchData<K extends keyof GatewayDispatchMap>(
  name: K,
  data: unknown,
): Decoded<GatewayDispatchMap[K]> {
  const decoder = DECODERS[name] as Decoder<GatewayDispatchMap[K]> | undefined;
  if (decoder === undefined) return { ok: true, value: data as GatewayDispatchMap[K] };
  return decodeWith(decoder, data);
}
