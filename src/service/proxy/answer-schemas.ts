/**
 * JSON schemas of what the midjourney-proxy routes answer, with examples, for the OpenAPI
 * document (../http/openapi.ts): the submit result, the task, the account. Descriptive only, as
 * ../http/answer-schemas.ts explains.
 */
import { PROXY_TAG } from '../http/answer-schemas.js';

const nullable = <T extends string>(type: T) => ({ type: [type, 'null'] }) as const;

const TASK_ID = '1750000000000000';

/** `{code, description, result, properties}` with midjourney-proxy's ReturnCode values. */
export const submitResult = {
  type: 'object',
  required: ['code', 'description', 'result', 'properties'],
  additionalProperties: false,
  properties: {
    code: {
      type: 'integer',
      description:
        '1 success, 3 not found, 4 invalid, 9 failure, 21 existed, 22 in queue, 23 queue full, 24 banned',
    },
    description: { type: 'string' },
    result: { ...nullable('string'), description: 'The task id, when one was created' },
    properties: { type: 'object' },
  },
  examples: [
    { code: 1, description: 'Submit success', result: TASK_ID, properties: {} },
    {
      code: 22,
      description: 'Waiting in queue, 2 task(s) ahead',
      result: TASK_ID,
      properties: { numberOfQueues: 2 },
    },
  ],
} as const;

const TASK_EXAMPLE = {
  id: TASK_ID,
  action: 'IMAGINE',
  prompt: 'a lighthouse at dusk',
  promptEn: 'a lighthouse at dusk',
  description: '/imagine a lighthouse at dusk',
  state: null,
  submitTime: 1_750_000_000_000,
  startTime: 1_750_000_002_000,
  finishTime: 1_750_000_042_000,
  imageUrl: 'https://cdn.discordapp.com/attachments/1/2/grid.png',
  status: 'SUCCESS',
  progress: '100%',
  failReason: null,
  buttons: [{ customId: 'MJ::JOB::upsample::1::0b0b0b0b', emoji: '', label: 'U1', type: 2, style: 2 }],
  properties: { finalPrompt: 'a lighthouse at dusk --v 6', messageId: '1250000000000000010' },
} as const;

const button = {
  type: 'object',
  required: ['customId', 'emoji', 'label', 'type', 'style'],
  properties: {
    customId: { type: 'string' },
    emoji: { type: 'string' },
    label: { type: 'string' },
    type: { type: 'integer' },
    style: { type: 'integer' },
  },
} as const;

/** A task (task-view.ts ProxyTask). */
export const proxyTask = {
  type: 'object',
  required: [
    'id',
    'action',
    'prompt',
    'promptEn',
    'description',
    'state',
    'submitTime',
    'startTime',
    'finishTime',
    'imageUrl',
    'status',
    'progress',
    'failReason',
    'buttons',
    'properties',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    action: {
      type: 'string',
      enum: ['IMAGINE', 'UPSCALE', 'VARIATION', 'REROLL', 'BLEND', 'DESCRIBE', 'SHORTEN'],
    },
    prompt: { type: 'string' },
    promptEn: { type: 'string' },
    description: { type: 'string' },
    state: nullable('string'),
    submitTime: { type: 'number', description: 'ms since the epoch' },
    startTime: nullable('number'),
    finishTime: nullable('number'),
    imageUrl: nullable('string'),
    status: { type: 'string', enum: ['NOT_START', 'SUBMITTED', 'IN_PROGRESS', 'FAILURE', 'SUCCESS'] },
    progress: { type: 'string', pattern: '^\\d{1,3}%$' },
    failReason: nullable('string'),
    buttons: { type: 'array', items: button },
    properties: { type: 'object' },
  },
} as const;

export const taskAnswer = { ...proxyTask, examples: [TASK_EXAMPLE] } as const;
export const taskListAnswer = { type: 'array', items: proxyTask, examples: [[TASK_EXAMPLE]] } as const;

export const proxyAccountAnswer = {
  type: 'object',
  required: ['id', 'channelId', 'enable', 'coreSize', 'queueSize', 'properties'],
  properties: {
    id: { type: 'string' },
    guildId: nullable('string'),
    channelId: { type: 'string' },
    enable: { type: 'boolean' },
    coreSize: { type: 'integer' },
    queueSize: { type: 'integer' },
    properties: { type: 'object' },
  },
} as const;

const ACCOUNT_EXAMPLE = {
  id: 'main',
  guildId: '1250000000000000000',
  channelId: '1250000000000000001',
  enable: true,
  coreSize: 3,
  queueSize: 0,
  properties: { state: 'enabled', mode: 'fast', running: 1, jobsToday: 57, dailyJobCap: 1_000 },
} as const;

/** The route schema parts every proxy route shares: its tag, its answers (HTTP 200 unless noted). */
export const proxyRoute = (
  summary: string,
  answer: Record<string, unknown> = { description: 'A submit result', ...submitResult },
) => ({
  summary,
  tags: [PROXY_TAG],
  response: {
    200: answer,
    404: {
      description: 'Task not found (code 3)',
      ...submitResult,
      examples: [{ code: 3, description: 'Task not found', result: null, properties: {} }],
    },
    '4xx': {
      description: 'A refused request (no key, over the limit, a bad body), in the submit result shape',
      ...submitResult,
      examples: [
        {
          code: 9,
          description: 'An API key is required',
          result: null,
          properties: { errorName: 'AuthenticationError', errorCode: 'UNAUTHORIZED' },
        },
      ],
    },
  },
});

export const proxyAccountSchemas = {
  list: {
    description: 'The accounts',
    type: 'array',
    items: proxyAccountAnswer,
    examples: [[ACCOUNT_EXAMPLE]],
  },
  one: { description: 'The account', ...proxyAccountAnswer, examples: [ACCOUNT_EXAMPLE] },
} as const;
