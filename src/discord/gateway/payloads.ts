import type { IdentifyOptions } from './options.js';
import { GatewayOpcode, type GatewayPayload, type IdentifyData, type ResumeData } from './protocol.js';

/**
 * IDENTIFY for a user account: no intents or shard (user sessions have neither), the client's
 * capabilities and properties, and `compress: false` since frames are read as plain JSON.
 * https://discord.com/developers/docs/events/gateway-events#identify
 */
export function identifyPayload(token: string, identify: IdentifyOptions): GatewayPayload<IdentifyData> {
  const d: IdentifyData = {
    token,
    capabilities: identify.capabilities,
    properties: { ...identify.properties },
    compress: false,
  };
  if (identify.presence) d.presence = identify.presence;
  return { op: GatewayOpcode.Identify, d, s: null, t: null };
}

/** https://discord.com/developers/docs/events/gateway-events#resume */
export function resumePayload(token: string, sessionId: string, seq: number): GatewayPayload<ResumeData> {
  return { op: GatewayOpcode.Resume, d: { token, session_id: sessionId, seq }, s: null, t: null };
}
