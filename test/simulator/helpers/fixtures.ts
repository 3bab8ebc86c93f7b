/** Interaction payloads as a user client builds them. */
import type { Simulator } from '../../../src/simulator/index.js';
import type { SimBot } from '../../../src/simulator/world.js';

let counter = 0;

export function nonce(): string {
  counter += 1;
  return `13000000000000${String(counter).padStart(5, '0')}`;
}

export function imaginePayload(
  sim: Simulator<SimBot>,
  prompt: string,
  overrides: Record<string, unknown> = {},
  /** Whose `/imagine`: the Midjourney bot's unless another application is named. */
  applicationId?: string,
) {
  const imagine = sim.commands.get('imagine', applicationId);
  if (imagine === undefined) throw new Error('no imagine command');
  return {
    type: 2,
    application_id: imagine.application_id,
    guild_id: sim.guildId,
    channel_id: sim.channelId,
    session_id: '0123456789abcdef0123456789abcdef',
    nonce: nonce(),
    data: {
      version: imagine.version,
      id: imagine.id,
      name: 'imagine',
      type: 1,
      options: [{ type: 3, name: 'prompt', value: prompt }],
      application_command: imagine,
      attachments: [],
    },
    ...overrides,
  };
}

export function buttonPayload(
  sim: Simulator<SimBot>,
  messageId: string,
  customId: string,
  overrides: Record<string, unknown> = {},
) {
  return {
    type: 3,
    application_id: '936929561302675456',
    guild_id: sim.guildId,
    channel_id: sim.channelId,
    message_id: messageId,
    message_flags: 0,
    session_id: '0123456789abcdef0123456789abcdef',
    nonce: nonce(),
    data: { component_type: 2, custom_id: customId },
    ...overrides,
  };
}
