/**
 * /v1/describe, /v1/blend and /v1/shorten: the commands that answer within seconds, run while the
 * request waits (no job record; the answer is the body). Images are checked before anything is
 * sent (../commands/request-images.ts). An account pool runs each on one account
 * (src/accounts/pool-commands.ts); a generator without these commands answers 501.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ValidationError } from '../../errors.js';
import type { BlendDimensions, CommandGenerator, SettingsChange } from '../../generation/commands/types.js';
import type { BotType } from '../../midjourney/constants.js';
import { commandFailure } from '../commands/error-body.js';
import { imageBodyLimit, loadRequestImages } from '../commands/request-images.js';
import { type ServiceContext, takeSubmission } from '../context.js';
import { JobStateError } from '../errors.js';
import { resultOfBot } from '../jobs/job.js';
import { commonErrors, errorAnswer, objectAnswer, V1_TAG } from './answer-schemas.js';
import { ownedJob } from './routes-v1.js';
import { jobIdParams } from './schemas.js';

const image = { type: 'string', minLength: 1, maxLength: 20_000_000 } as const;

/** The bot a describe or blend goes to, as on POST /v1/imagine. */
const botType = {
  type: 'string',
  enum: ['midjourney', 'niji'],
  description:
    "The bot: Midjourney (default) or niji・journey (its own command); the answer's buttons follow it",
} as const;

const describeBody = {
  type: 'object',
  required: ['image'],
  additionalProperties: false,
  properties: { image, botType },
} as const;

const blendBody = {
  type: 'object',
  required: ['images'],
  additionalProperties: false,
  properties: {
    images: { type: 'array', minItems: 2, maxItems: 5, items: image },
    dimensions: { type: 'string', enum: ['portrait', 'square', 'landscape'] },
    botType,
  },
} as const;

const shortenBody = {
  type: 'object',
  required: ['prompt'],
  additionalProperties: false,
  properties: { prompt: { type: 'string', minLength: 1, maxLength: 6_000, pattern: '\\S' } },
} as const;

const IMAGE_URL = 'https://cdn.discordapp.com/attachments/1/2/image.png';
const BASE = {
  messageId: '1250000000000000010',
  channelId: '1250000000000000001',
  messageFlags: 0,
  submittedAt: 1_750_000_000_000,
  completedAt: 1_750_000_009_000,
};

/** The failures a command may answer besides the common ones. */
const commandErrors = {
  ...commonErrors,
  422: { description: 'Midjourney refused it (PRE_MODERATION, INVALID_REQUEST, ...)', ...errorAnswer },
  501: { description: 'COMMAND_UNSUPPORTED: the service runs an account pool', ...errorAnswer },
  503: { description: 'The service is busy or its circuit is open', ...errorAnswer },
} as const;

/** Route schema parts of one command. */
const command = (summary: string, answer: ReturnType<typeof objectAnswer>) => ({
  summary,
  tags: [V1_TAG],
  response: { 200: answer, ...commandErrors },
});

const settingsBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    version: { type: 'string', pattern: '^\\d+(\\.\\d+)?$' },
    stylize: { type: 'integer', minimum: 0, maximum: 1_000 },
    speed: { type: 'string', enum: ['fast', 'relax', 'turbo'] },
    remix: { type: 'boolean' },
    privacy: { type: 'string', enum: ['public', 'stealth'] },
  },
} as const;

export async function registerCommandRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  /** Runs one command for the caller, or answers the failure. */
  const run = async (
    reply: FastifyReply,
    clientId: string,
    work: (commands: CommandGenerator) => Promise<unknown>,
  ): Promise<FastifyReply> => {
    const commands = ctx.commands;
    if (commands === undefined) {
      return reply.code(501).send({
        error: {
          name: 'NotImplemented',
          code: 'COMMAND_UNSUPPORTED',
          message: 'This service runs on a generator without describe / blend / shorten',
        },
      });
    }
    const refund = await takeSubmission(ctx, clientId);
    try {
      return reply.code(200).send(await work(commands));
    } catch (error) {
      const failure = commandFailure(error);
      // A request refused before anything reached Discord (a bad image) is not charged.
      if (failure === undefined || failure.status === 400) await refund();
      if (failure === undefined) throw error;
      return reply.code(failure.status).send(failure.body);
    }
  };

  app.post<{ Body: { image: string; botType?: BotType } }>(
    '/v1/describe',
    {
      schema: {
        ...command(
          'Describe an image: four prompts for it',
          objectAnswer('The four prompts and the buttons that imagine them', {
            kind: 'describe',
            prompts: ['a lighthouse at dusk', 'a tower by the sea', 'a beacon at sunset', 'a coastal light'],
            imageUrl: IMAGE_URL,
            buttons: { '1': 'MJ::Job::PicReader::1', all: 'MJ::Job::PicReader::all' },
            botType: 'midjourney',
            ...BASE,
          }),
        ),
        body: { ...describeBody, examples: [{ image: IMAGE_URL }, { image: IMAGE_URL, botType: 'niji' }] },
      },
      bodyLimit: imageBodyLimit(ctx),
    },
    (request, reply) =>
      run(reply, request.clientId, async (commands) => {
        const [loaded] = await loadRequestImages(ctx, [request.body.image], 'image');
        const bot = request.body.botType !== undefined ? { botType: request.body.botType } : {};
        return commands.describe(loaded!, { signal: ctx.shutdown, ...bot });
      }),
  );

  app.post<{ Body: { images: string[]; dimensions?: BlendDimensions; botType?: BotType } }>(
    '/v1/blend',
    {
      schema: {
        ...command(
          'Blend 2 to 5 images into a grid',
          objectAnswer('The grid, as a job result', {
            kind: 'blend',
            jobId: '0b0b0b0b-0000-4000-8000-000000000000',
            imageUrl: IMAGE_URL,
            actions: { U1: 'MJ::JOB::upsample::1::0b0b0b0b-0000-4000-8000-000000000000' },
            botType: 'niji',
            ...BASE,
          }),
        ),
        body: {
          ...blendBody,
          examples: [
            { images: [IMAGE_URL, IMAGE_URL], dimensions: 'square' },
            { images: [IMAGE_URL, IMAGE_URL], botType: 'niji' },
          ],
        },
      },
      bodyLimit: imageBodyLimit(ctx),
    },
    (request, reply) =>
      run(reply, request.clientId, async (commands) => {
        const loaded = await loadRequestImages(ctx, request.body.images, 'images');
        return commands.blend(loaded, {
          signal: ctx.shutdown,
          ...(request.body.dimensions ? { dimensions: request.body.dimensions } : {}),
          ...(request.body.botType !== undefined ? { botType: request.body.botType } : {}),
        });
      }),
  );

  // The seed of a succeeded job of the caller: ✉️ on its result, then the DM of its bot.
  app.post<{ Params: { id: string } }>(
    '/v1/jobs/:id/seed',
    {
      schema: {
        ...command(
          "A succeeded job's seed (reacts ✉️ and reads the DM of the job's bot: Midjourney or niji・journey)",
          objectAnswer('The seed', {
            id: '1750000000000000',
            jobId: '0b0b0b0b-0000-4000-8000-000000000000',
            seed: '1234567890',
            messageId: '1250000000000000020',
            dmChannelId: '1250000000000000030',
          }),
        ),
        params: jobIdParams,
      },
    },
    async (request, reply) => {
      const job = await ownedJob(ctx, request, request.params.id);
      if (job.status !== 'succeeded' || job.result === null) {
        throw new JobStateError(job.id, job.status, 'only a succeeded job has a seed');
      }
      const result = resultOfBot(job, job.result);
      return run(reply, request.clientId, async (commands) => ({
        id: job.id,
        ...(await commands.seed(result, { signal: ctx.shutdown })),
      }));
    },
  );

  // /info of the service's account (answered privately: the service must watch over the gateway).
  app.get(
    '/v1/info',
    {
      schema: command(
        "The account's /info (needs MJ_WATCH=gateway)",
        objectAnswer('What /info shows', {
          jobMode: 'fast',
          fastTimeRemaining: { hours: 12.5, totalHours: 15, percent: 83 },
        }),
      ),
    },
    async (request, reply) =>
      run(reply, request.clientId, async (commands) => {
        if (commands.info === undefined)
          throw new ValidationError('Cannot read /info', ['generator: no info()']);
        return commands.info({ signal: ctx.shutdown });
      }),
  );

  app.post<{ Body: { prompt: string } }>(
    '/v1/shorten',
    {
      schema: {
        ...command(
          'Shorten a prompt: its important words and five shorter prompts',
          objectAnswer('The weighted tokens and the shortened prompts', {
            kind: 'shorten',
            prompt: 'a very detailed lighthouse at dusk',
            tokens: [{ text: 'lighthouse', weight: 'important' }],
            prompts: ['lighthouse at dusk'],
            buttons: { '1': 'MJ::Job::PromptAnalyzer::1' },
            ...BASE,
          }),
        ),
        body: { ...shortenBody, examples: [{ prompt: 'a very detailed lighthouse at dusk' }] },
      },
    },
    (request, reply) =>
      run(reply, request.clientId, (commands) =>
        commands.shorten(request.body.prompt, { signal: ctx.shutdown }),
      ),
  );

  // /settings of the service's account: read, and changed on its panel (answered privately: the
  // service must watch over the gateway).
  const SETTINGS_EXAMPLE = { version: '7', stylize: 100, speed: 'fast', remix: false, privacy: 'public' };
  app.get(
    '/v1/settings',
    {
      schema: command(
        "Read the account's /settings (version, stylize, speed, remix, privacy)",
        objectAnswer('The settings as the panel shows them', SETTINGS_EXAMPLE),
      ),
    },
    async (request, reply) =>
      run(reply, request.clientId, async (commands) => {
        if (commands.getSettings === undefined)
          throw new ValidationError('Cannot read /settings', ['generator: no getSettings()']);
        return commands.getSettings({ signal: ctx.shutdown });
      }),
  );

  app.patch<{ Body: SettingsChange }>(
    '/v1/settings',
    {
      schema: {
        ...command(
          "Change the account's /settings (only the controls that differ are pressed)",
          objectAnswer('The settings after the change', { ...SETTINGS_EXAMPLE, remix: true }),
        ),
        body: { ...settingsBody, examples: [{ remix: true }] },
      },
    },
    async (request, reply) =>
      run(reply, request.clientId, async (commands) => {
        if (commands.changeSettings === undefined)
          throw new ValidationError('Cannot change /settings', ['generator: no changeSettings()']);
        return commands.changeSettings(request.body, { signal: ctx.shutdown });
      }),
  );
}
