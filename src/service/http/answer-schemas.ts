/**
 * JSON schemas of what the /v1 and ops routes answer, with examples: the OpenAPI document
 * (openapi.ts) is generated from them. They describe; they do not serialize: the app keeps
 * JSON.stringify (create-app.ts), so a field missing from a schema is never silently dropped.
 * test/service/openapi.test.ts checks every example against its schema and real answers too.
 */

const nullable = <T extends string>(type: T) => ({ type: [type, 'null'] }) as const;
const isoTime = { type: 'string', format: 'date-time' } as const;
const nullableIsoTime = { type: ['string', 'null'], format: 'date-time' } as const;

const JOB_ID = '1750000000000000';

/** `{error: {name, code, message, ...facts}}`, every error answer of the /v1 and ops routes. */
export const errorAnswer = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['name', 'code', 'message'],
      additionalProperties: true,
      properties: {
        name: { type: 'string', description: 'The error class name.' },
        code: { type: 'string', description: 'A stable code to switch on.' },
        message: { type: 'string' },
      },
    },
  },
  examples: [
    {
      error: {
        name: 'UnknownJobError',
        code: 'UNKNOWN_JOB',
        message: `No job with id "${JOB_ID}"`,
        jobId: JOB_ID,
      },
    },
  ],
} as const;

const jobError = {
  ...nullable('object'),
  description: "A failed or cancelled job's outcome: the library's error name and code.",
  required: ['name', 'code', 'message', 'retryable'],
  properties: {
    name: { type: 'string' },
    code: { type: 'string' },
    message: { type: 'string' },
    retryable: { type: 'boolean' },
    retryAfter: { type: 'number', description: 'ms, when the error says when to try again.' },
    details: { type: 'object' },
  },
} as const;

const jobResult = {
  ...nullable('object'),
  required: ['jobId', 'messageId', 'imageUrl', 'imageUrls', 'echoedPrompt', 'actions', 'mode', 'durationMs'],
  properties: {
    jobId: { type: 'string', description: "Midjourney's job id." },
    messageId: { type: 'string' },
    imageUrl: { type: 'string' },
    imageUrls: { type: 'array', items: { type: 'string' } },
    echoedPrompt: { type: 'string' },
    actions: {
      type: 'array',
      items: { type: 'string' },
      description: 'Buttons `POST /v1/jobs/{id}/actions` accepts.',
    },
    mode: nullable('string'),
    durationMs: { type: 'number' },
  },
} as const;

export const JOB_EXAMPLE = {
  id: JOB_ID,
  kind: 'imagine',
  action: null,
  parentId: null,
  status: 'succeeded',
  prompt: 'a lighthouse at dusk --ar 3:2',
  botType: 'midjourney',
  progress: 100,
  previewUrl: null,
  notice: null,
  result: {
    jobId: '0b0b0b0b-0000-4000-8000-000000000000',
    messageId: '1250000000000000010',
    imageUrl: 'https://cdn.discordapp.com/attachments/1/2/grid.png',
    imageUrls: ['https://cdn.discordapp.com/attachments/1/2/grid.png'],
    echoedPrompt: 'a lighthouse at dusk --ar 3:2',
    actions: ['U1', 'U2', 'U3', 'U4', 'reroll', 'V1', 'V2', 'V3', 'V4'],
    mode: 'fast',
    durationMs: 41_250,
  },
  error: null,
  webhookUrl: null,
  metadata: { order: 42 },
  createdAt: '2025-06-15T10:00:00.000Z',
  updatedAt: '2025-06-15T10:00:42.000Z',
  submittedAt: '2025-06-15T10:00:00.350Z',
  startedAt: '2025-06-15T10:00:02.000Z',
  finishedAt: '2025-06-15T10:00:42.000Z',
  accountId: null,
} as const;

/** A job (http/job-view.ts). */
export const jobView = {
  type: 'object',
  required: [
    'id',
    'kind',
    'action',
    'parentId',
    'status',
    'prompt',
    'progress',
    'previewUrl',
    'notice',
    'result',
    'error',
    'webhookUrl',
    'metadata',
    'createdAt',
    'updatedAt',
    'submittedAt',
    'startedAt',
    'finishedAt',
    'accountId',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: '^\\d{16}$' },
    kind: { type: 'string', enum: ['imagine', 'upscale', 'variation', 'reroll', 'blend'] },
    action: nullable('string'),
    parentId: nullable('string'),
    status: {
      type: 'string',
      enum: ['queued', 'submitting', 'submitted', 'running', 'succeeded', 'failed', 'cancelled'],
    },
    prompt: { type: 'string' },
    botType: {
      type: 'string',
      enum: ['midjourney', 'niji'],
      description: "The bot the job runs on (a button job: its parent's).",
    },
    progress: { type: 'number', minimum: 0, maximum: 100 },
    previewUrl: nullable('string'),
    notice: nullable('string'),
    result: jobResult,
    error: jobError,
    webhookUrl: nullable('string'),
    metadata: nullable('object'),
    createdAt: isoTime,
    updatedAt: isoTime,
    submittedAt: nullableIsoTime,
    startedAt: nullableIsoTime,
    finishedAt: nullableIsoTime,
    accountId: { ...nullable('string'), description: 'The account that ran it, on an account pool.' },
  },
} as const;

export const jobAnswer = { ...jobView, examples: [JOB_EXAMPLE] } as const;

/** `202 {id, status}` of a route that creates a job. */
export const acceptedAnswer = {
  type: 'object',
  required: ['id', 'status'],
  additionalProperties: false,
  properties: { id: { type: 'string', pattern: '^\\d{16}$' }, status: { type: 'string' } },
  examples: [{ id: JOB_ID, status: 'queued' }],
} as const;

export const jobListAnswer = {
  type: 'object',
  required: ['jobs', 'nextCursor'],
  additionalProperties: false,
  properties: {
    jobs: { type: 'array', items: jobView },
    nextCursor: {
      ...nullable('string'),
      description: 'Pass as `cursor` for the next page; null on the last.',
    },
  },
  examples: [{ jobs: [JOB_EXAMPLE], nextCursor: 'ajoxNzQ5OTk5OTk5OTk5OTk5' }],
} as const;

/** A free-form object answer, described in docs/service.md. */
export const objectAnswer = (description: string, example: Record<string, unknown>) =>
  ({ type: 'object', additionalProperties: true, description, examples: [example] }) as const;

/** The answers every /v1 route may give besides its own. */
export const commonErrors = {
  400: { description: 'A bad request (VALIDATION_FAILED, FIELD_LIMIT_EXCEEDED, ...)', ...errorAnswer },
  401: { description: 'No valid API key', ...errorAnswer },
  429: { description: 'Over the per-key limit (Retry-After)', ...errorAnswer },
} as const;

export const V1_TAG = 'v1';
export const ACCOUNTS_TAG = 'accounts';
export const OPS_TAG = 'ops';
export const PROXY_TAG = 'midjourney-proxy';

const ACCOUNT_EXAMPLE = {
  id: 'main',
  state: 'enabled',
  mode: 'fast',
  configuredMode: 'fast',
  disabledReason: null,
  disabledAt: null,
  disabledMessage: null,
  channelId: '1250000000000000001',
  guildId: '1250000000000000000',
  slots: { busy: 1, total: 3 },
  jobsToday: 57,
  dailyJobCap: 1_000,
  limiter: { requests: 412, retries: 0, rateLimited: 1, queueDepth: 0, inFlight: 1 },
} as const;

/** An account of the pool (accounts/types.ts AccountView); never a token. */
export const accountView = {
  type: 'object',
  required: ['id', 'state', 'mode', 'disabledReason', 'channelId', 'slots', 'jobsToday', 'dailyJobCap'],
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    state: { type: 'string', description: 'enabled, disabled, ...' },
    mode: { type: 'string' },
    configuredMode: { type: 'string' },
    disabledReason: nullable('string'),
    disabledAt: { ...nullable('number'), description: 'ms since the epoch' },
    disabledMessage: nullable('string'),
    channelId: { type: 'string' },
    guildId: nullable('string'),
    slots: {
      type: 'object',
      required: ['busy', 'total'],
      properties: { busy: { type: 'integer' }, total: { type: 'integer' } },
    },
    jobsToday: { type: 'integer' },
    dailyJobCap: { type: 'integer' },
    heldBy: { ...nullable('string'), description: 'In a cluster: the worker holding its lease' },
    limiter: nullable('object'),
  },
} as const;

export const accountAnswer = { ...accountView, examples: [ACCOUNT_EXAMPLE] } as const;

export const accountListAnswer = {
  type: 'object',
  required: ['accounts', 'waiting'],
  properties: {
    accounts: { type: 'array', items: accountView },
    waiting: { type: 'integer', description: 'Jobs waiting for a slot' },
  },
  examples: [{ accounts: [ACCOUNT_EXAMPLE], waiting: 0 }],
} as const;
