/**
 * JSON schemas of the /v1 request bodies and queries. Validated by Fastify's ajv with
 * `allErrors`, so a bad body is answered with every problem at once; unknown fields are refused
 * rather than silently dropped.
 */

const metadata = {
  type: 'object',
  description: 'Free-form data echoed back with the job and its webhooks.',
  maxProperties: 50,
} as const;

const webhookUrl = { type: 'string', minLength: 1, maxLength: 2_048 } as const;

export const PROMPT_MAX_LENGTH = 6_000;

/** Image prompts and references: `data:` URLs, base64 or http(s) URLs (../commands/request-images.ts). */
const imageList = { type: 'array', maxItems: 5, items: { type: 'string', minLength: 1 } } as const;

export const imagineBody = {
  type: 'object',
  required: ['prompt'],
  additionalProperties: false,
  properties: {
    prompt: { type: 'string', minLength: 1, maxLength: PROMPT_MAX_LENGTH, pattern: '\\S' },
    webhookUrl,
    metadata,
    images: imageList,
    sref: imageList,
    cref: imageList,
    oref: { type: 'string', minLength: 1 },
    /** The job's speed: Midjourney's `--fast` / `--relax` / `--turbo` on the prompt. */
    mode: { type: 'string', enum: ['fast', 'relax', 'turbo'] },
    botType: {
      type: 'string',
      enum: ['midjourney', 'niji'],
      description:
        "The bot: Midjourney (default) or niji・journey (its own /imagine); the job's buttons follow it",
    },
  },
} as const;

export const actionBody = {
  type: 'object',
  required: ['action'],
  additionalProperties: false,
  properties: {
    action: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_:-]+$' },
    /** For a button answered with a form (Remix, Custom Zoom with `--zoom`): the form's prompt. */
    prompt: { type: 'string', minLength: 1, maxLength: PROMPT_MAX_LENGTH, pattern: '\\S' },
    /** Vary (Region): the mask, a PNG as a data: URL or base64 (white: the region to redraw). */
    mask: {
      type: 'string',
      minLength: 1,
      description:
        'Vary (Region) only: the mask PNG (data: URL or base64), at most 1 MiB; white marks the region to redraw',
    },
    webhookUrl,
    metadata,
  },
} as const;

export const jobIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^\\d{16}$' } },
} as const;

export const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', pattern: '^[a-z]+(,[a-z]+)*$' },
    limit: { type: 'string', pattern: '^[0-9]{1,3}$' },
    cursor: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
  },
} as const;

export interface ImagineBody {
  prompt: string;
  mode?: 'fast' | 'relax' | 'turbo';
  botType?: 'midjourney' | 'niji';
  webhookUrl?: string;
  metadata?: Record<string, unknown>;
  /** Image prompts, placed before the text. */
  images?: string[];
  /** Style references (`--sref`). */
  sref?: string[];
  /** Character references (`--cref`). */
  cref?: string[];
  /** Omni reference (`--oref`). */
  oref?: string;
}

export interface ActionBody {
  action: string;
  prompt?: string;
  /** Vary (Region): the mask PNG, a data: URL or base64. */
  mask?: string;
  webhookUrl?: string;
  metadata?: Record<string, unknown>;
}

export interface ListQuery {
  status?: string;
  limit?: string;
  cursor?: string;
}
