/**
 * /v1/describe, /v1/blend and /v1/shorten: the commands that answer within seconds, run while the
 * request waits (no job record; the answer is the body). Images are checked before anything is
 * sent (../commands/request-images.ts). An account pool runs each on one account
 * (src/accounts/pool-commands.ts); a generator without these commands answers 501.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ValidationError } from '../../errors.js';
import type { BlendDimensions, CommandGenerator, SettingsChange } from '../../generation/commands/types.js';
import { commandFailure } from '../commands/error-body.js';
import { imageBodyLimit, loadRequestImages } from '../commands/request-images.js';
import { type ServiceContext, takeSubmission } from '../context.js';
import { JobStateError } from '../errors.js';
import { ownedJob } from './routes-v1.js';
import { jobIdParams } from './schemas.js';

const image = { type: 'string', minLength: 1, maxLength: 20_000_000 } as const;

const describeBody = {
  type: 'object',
  required: ['image'],
  additionalProperties: false,
  properties: { image },
} as const;

const blendBody = {
  type: 'object',
  required: ['images'],
  additionalProperties: false,
  properties: {
    images: { type: 'array', minItems: 2, maxItems: 5, items: image },
    dimensions: { type: 'string', enum: ['portrait', 'square', 'landscape'] },
  },
} as const;

const shortenBody = {
  type: 'object',
  required: ['prompt'],
  additionalProperties: false,
  properties: { prompt: { type: 'string', minLength: 1, maxLength: 6_000, pattern: '\\S' } },
} as const;

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
    const refund = takeSubmission(ctx, clientId);
    try {
      return reply.code(200).send(await work(commands));
    } catch (error) {
      const failure = commandFailure(error);
      // A request refused before anything reached Discord (a bad image) is not charged.
      if (failure === undefined || failure.status === 400) refund();
      if (failure === undefined) throw error;
      return reply.code(failure.status).send(failure.body);
    }
  };

  app.post<{ Body: { image: string } }>(
    '/v1/describe',
    { schema: { body: describeBody }, bodyLimit: imageBodyLimit(ctx) },
    (request, reply) =>
      run(reply, request.clientId, async (commands) => {
        const [loaded] = await loadRequestImages(ctx, [request.body.image], 'image');
        return commands.describe(loaded!, { signal: ctx.shutdown });
      }),
  );

  app.post<{ Body: { images: string[]; dimensions?: BlendDimensions } }>(
    '/v1/blend',
    { schema: { body: blendBody }, bodyLimit: imageBodyLimit(ctx) },
    (request, reply) =>
      run(reply, request.clientId, async (commands) => {
        const loaded = await loadRequestImages(ctx, request.body.images, 'images');
        return commands.blend(loaded, {
          signal: ctx.shutdown,
          ...(request.body.dimensions ? { dimensions: request.body.dimensions } : {}),
        });
      }),
  );

  // The seed of a succeeded job of the caller: ✉️ on its result, then Midjourney's DM.
  app.post<{ Params: { id: string } }>(
    '/v1/jobs/:id/seed',
    { schema: { params: jobIdParams } },
    async (request, reply) => {
      const job = await ownedJob(ctx, request, request.params.id);
      if (job.status !== 'succeeded' || job.result === null) {
        throw new JobStateError(job.id, job.status, 'only a succeeded job has a seed');
      }
      const result = job.result;
      return run(reply, request.clientId, async (commands) => ({
        id: job.id,
        ...(await commands.seed(result, { signal: ctx.shutdown })),
      }));
    },
  );

  // /info of the service's account (answered privately: the service must watch over the gateway).
  app.get('/v1/info', async (request, reply) =>
    run(reply, request.clientId, async (commands) => {
      if (commands.info === undefined)
        throw new ValidationError('Cannot read /info', ['generator: no info()']);
      return commands.info({ signal: ctx.shutdown });
    }),
  );

  // /settings of the service's account: read, and changed on its panel (answered privately: the
  // service must watch over the gateway).
  app.get('/v1/settings', async (request, reply) =>
    run(reply, request.clientId, async (commands) => {
      if (commands.getSettings === undefined)
        throw new ValidationError('Cannot read /settings', ['generator: no getSettings()']);
      return commands.getSettings({ signal: ctx.shutdown });
    }),
  );

  app.patch<{ Body: SettingsChange }>(
    '/v1/settings',
    { schema: { body: settingsBody } },
    async (request, reply) =>
      run(reply, request.clientId, async (commands) => {
        if (commands.changeSettings === undefined)
          throw new ValidationError('Cannot change /settings', ['generator: no changeSettings()']);
        return commands.changeSettings(request.body, { signal: ctx.shutdown });
      }),
  );

  app.post<{ Body: { prompt: string } }>('/v1/shorten', { schema: { body: shortenBody } }, (request, reply) =>
    run(reply, request.clientId, (commands) =>
      commands.shorten(request.body.prompt, { signal: ctx.shutdown }),
    ),
  );
}
