/**
 * Midjourney message shapes for the generation unit tests, as the bot sends them (see
 * /work/shared/MIDJOURNEY.md): content grammar, grid filenames carrying the job UUID, buttons
 * with Midjourney's custom_ids, notices with the `/imagine <prompt>` footer.
 */
import type { APIEmbed, APIMessage } from '../../src/discord/types.js';
import type { CorrelationJob } from '../../src/generation/correlation.js';
import { type ParsedMessage, parseMessage } from '../../src/midjourney/parser.js';

export const MJ_ID = '936929561302675456';
export const USER_ID = '1100000000000000300';
export const OTHER_USER_ID = '1100000000000000301';
export const CHANNEL_ID = '1100000000000000200';

/** A snowflake that sorts by `n` (all ids in a test come from here). */
export function sf(n: number): string {
  return (1_300_000_000_000_000_000n + BigInt(n)).toString();
}

export function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;
}

export function message(id: string, fields: Partial<APIMessage> = {}): APIMessage {
  return {
    id,
    channel_id: CHANNEL_ID,
    type: 0,
    author: {
      id: MJ_ID,
      username: 'Midjourney Bot',
      global_name: null,
      discriminator: '9282',
      avatar: null,
      bot: true,
    },
    content: '',
    timestamp: '2025-01-01T00:00:00.000Z',
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    components: [],
    flags: 0,
    pinned: false,
    ...fields,
  };
}

export function waiting(id: string, prompt: string, user = USER_ID): APIMessage {
  return message(id, { content: `**${prompt}** - <@${user}> (Waiting to start)` });
}

export function progress(id: string, prompt: string, percent: number, edit = 1): APIMessage {
  return message(id, {
    content: `**${prompt}** - <@${USER_ID}> (${percent}%) (fast)`,
    edited_timestamp: `2025-01-01T00:00:${String(edit).padStart(2, '0')}.000Z`,
    attachments: [
      {
        id: sf(900_000 + edit),
        filename: 'grid_0.png',
        size: 10,
        url: 'http://cdn/grid_0.png',
        proxy_url: 'http://cdn/grid_0.png',
      },
    ],
  });
}

function gridButtons(jobId: string): APIMessage['components'] {
  const button = (custom_id: string) => ({ type: 2 as const, style: 2, custom_id });
  return [
    { type: 1, components: [1, 2, 3, 4].map((i) => button(`MJ::JOB::upsample::${i}::${jobId}`)) },
    { type: 1, components: [1, 2, 3, 4].map((i) => button(`MJ::JOB::variation::${i}::${jobId}`)) },
    { type: 1, components: [button(`MJ::JOB::reroll::0::${jobId}::SOLO`)] },
  ];
}

export function done(
  id: string,
  prompt: string,
  jobId: string,
  fields: Partial<APIMessage> = {},
): APIMessage {
  const filename = `sim_user_${prompt.replace(/\W+/g, '_').slice(0, 20)}_${jobId}.png`;
  return message(id, {
    content: `**${prompt}** - <@${USER_ID}> (fast)`,
    attachments: [
      {
        id: sf(800_000),
        filename,
        size: 10,
        url: `http://cdn/${filename}`,
        proxy_url: `http://cdn/${filename}`,
      },
    ],
    components: gridButtons(jobId),
    ...fields,
  });
}

export function upscaled(
  id: string,
  prompt: string,
  index: number,
  jobId: string,
  fields: Partial<APIMessage> = {},
): APIMessage {
  const filename = `sim_user_${jobId}.png`;
  return message(id, {
    content: `**${prompt}** - Image #${index} <@${USER_ID}>`,
    attachments: [
      {
        id: sf(700_000),
        filename,
        size: 10,
        url: `http://cdn/${filename}`,
        proxy_url: `http://cdn/${filename}`,
      },
    ],
    ...fields,
  });
}

export function variations(id: string, prompt: string, jobId: string): APIMessage {
  return done(id, prompt, jobId, { content: `**${prompt}** - Variations (Strong) by <@${USER_ID}> (fast)` });
}

export function notice(
  id: string,
  title: string,
  prompt: string,
  fields: Partial<APIMessage> = {},
): APIMessage {
  const embed: APIEmbed = {
    type: 'rich',
    title,
    description: `${title}.`,
    color: 16_711_680,
    footer: { text: `/imagine ${prompt}` },
  };
  return message(id, {
    embeds: [embed],
    mentions: [{ id: USER_ID, username: 'sim-user', global_name: null, discriminator: '0', avatar: null }],
    ...fields,
  });
}

export function parsed(m: APIMessage): ParsedMessage {
  return parseMessage(m);
}

export function job(fields: Partial<CorrelationJob> & { id: string; prompt: string }): CorrelationJob {
  return {
    seq: 0,
    kind: 'imagine',
    nonce: sf(500_000 + Number(fields.id.replace(/\D/g, '') || 0)),
    afterMessageId: sf(0),
    started: false,
    replaced: false,
    hasResult: false,
    ...fields,
  };
}
