import type { RawData } from 'ws';
import { GatewayError } from './errors.js';
import type { GatewayPayload } from './protocol.js';

function toText(data: RawData): string {
  if (typeof data === 'string') return data;
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

/**
 * Parses one frame into a gateway payload. The client asks for plain JSON (no `compress`
 * parameter), so every frame is a whole JSON document, text or binary.
 * https://discord.com/developers/docs/events/gateway#payload-structure
 */
export function decodePayload(data: RawData): GatewayPayload {
  let value: unknown;
  try {
    value = JSON.parse(toText(data));
  } catch (error) {
    throw new GatewayError('GATEWAY_DECODE_FAILED', 'a frame is not valid JSON', { cause: error });
  }
  if (typeof value !== 'object' || value === null) {
    throw new GatewayError('GATEWAY_DECODE_FAILED', 'a frame is not a JSON object');
  }
  const { op, d, s, t } = value as Record<string, unknown>;
  if (typeof op !== 'number' || !Number.isInteger(op)) {
    throw new GatewayError('GATEWAY_DECODE_FAILED', `a payload has no integer op (got ${typeof op})`);
  }
  const seq = typeof s === 'number' && Number.isInteger(s) ? s : null;
  const name = typeof t === 'string' ? t : null;
  return { op, d: d ?? null, s: seq, t: name };
}
