/**
 * midjourney-proxy's /mj/submit/describe, /mj/submit/blend and /mj/submit/shorten, with its body
 * fields (`base64` or trueai's `link`; `base64Array` + `dimensions` PORTRAIT / SQUARE /
 * LANDSCAPE; `prompt`; `botType` MID_JOURNEY or NIJI_JOURNEY on describe and blend, shown in the
 * task's `properties.botType`) and its result codes. Images are checked before anything is sent
 * (code 4 with the reason); the command then runs at once and its task is read at /mj/task/{id}/fetch
 * (command-tasks.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { BlendDimensions, DescribeResult, ShortenResult } from '../../generation/commands/types.js';
import type { GenerationResult } from '../../generation/types.js';
import { isImageInputError } from '../../images/errors.js';
import { imageBodyLimit, loadRequestImages } from '../commands/request-images.js';
import { type ServiceContext, takeSubmission } from '../context.js';
import { UnknownJobError, WebhookTargetError } from '../errors.js';
import { ownedJob } from '../http/routes-v1.js';
import { resultOfBot } from '../jobs/job.js';
import { proxyRoute } from './answer-schemas.js';
import { PROXY_BOT_PROBLEM, PROXY_BOTS, proxyBotName, proxyBotSchema } from './bot-names.js';
import type { CommandTaskAnswer, CommandTaskTable } from './command-tasks.js';
import { invalidBody, ProxyCode, result, type SubmitResult } from './submit-result.js';
import type { ProxyButton, ProxyTask } from './task-view.js';

const state = { type: 'string', maxLength: 4_096 } as const;
const hook = { type: 'string', maxLength: 2_048 } as const;
const image = { type: 'string', maxLength: 20_000_000 } as const;

const DIMENSIONS: Record<string, BlendDimensions> = {
  PORTRAIT: 'portrait',
  SQUARE: 'square',
  LANDSCAPE: 'landscape',
};

function buttons(ids: Record<string, string>, labelOf: (key: string) => string): ProxyButton[] {
  return Object.entries(ids).map(([key, customId]) => ({
    customId,
    emoji: key === 'retry' ? '🔄' : '',
    label: labelOf(key),
    type: 2,
    style: 2,
  }));
}

const describeAnswer = (r: DescribeResult) => {
  const prompt = r.prompts.map((p, i) => `${i + 1}️⃣ ${p}`).join('\n\n');
  return {
    prompt,
    imageUrl: r.imageUrl ?? null,
    buttons: buttons(r.buttons, (key) => (key === 'all' ? '🎉 Imagine all' : key === 'retry' ? '' : key)),
    properties: {
      finalPrompt: prompt,
      prompts: r.prompts,
      messageId: r.messageId,
      botType: proxyBotName(r.botType),
    },
  };
};

const shortenAnswer = (r: ShortenResult) => {
  const tokens = r.tokens
    .map((t) =>
      t.weight === 'important' ? `**${t.text}**` : t.weight === 'dropped' ? `~~${t.text}~~` : t.text,
    )
    .join(' ');
  const list = r.prompts.map((p, i) => `${i + 1}️⃣ ${p}`).join('\n\n');
  return {
    prompt: r.prompt,
    buttons: buttons(r.buttons, (key) => key),
    properties: {
      finalPrompt: `## Important tokens\n${tokens}\n## Shortened prompts\n${list}`,
      prompts: r.prompts,
      tokens: r.tokens,
      messageId: r.messageId,
    },
  };
};

const blendAnswer = (r: GenerationResult) => ({
  prompt: r.echoedPrompt,
  imageUrl: r.imageUrl,
  buttons: buttons(r.actions, (key) => key),
  properties: {
    finalPrompt: r.echoedPrompt,
    messageId: r.messageId,
    jobId: r.jobId,
    botType: proxyBotName(r.botType),
  },
});

export async function registerProxyCommandRoutes(
  app: FastifyInstance,
  ctx: ServiceContext,
  tasks: CommandTaskTable,
): Promise<void> {
  /** Checks, then starts the task; code 4 for a refused input, 9 when commands are unavailable. */
  const start = async (
    clientId: string,
    prepare: () => Promise<() => Promise<CommandTaskAnswer>>,
    action: 'DESCRIBE' | 'BLEND' | 'SHORTEN',
    description: string,
    taskState: string | undefined,
    notifyHook: string | undefined,
    /** The task's properties while it runs (describe and blend: the bot, as the proxy names it). */
    properties: Record<string, unknown> = {},
  ): Promise<SubmitResult> => {
    if (ctx.commands === undefined) {
      return result(ProxyCode.Failure, `${action} is not available on this service`);
    }
    // The task's notifyHook (else MJW_NOTIFY_HOOK), checked before anything is sent.
    const hookUrl = notifyHook?.trim() || ctx.config.notifyHook;
    let webhookUrl: string | null = null;
    if (hookUrl) {
      try {
        webhookUrl = await ctx.policy.check(hookUrl);
      } catch (error) {
        if (error instanceof WebhookTargetError) return result(ProxyCode.ValidationError, error.message);
        throw error;
      }
    }
    let run: () => Promise<CommandTaskAnswer>;
    try {
      run = await prepare();
    } catch (error) {
      if (isImageInputError(error))
        return result(ProxyCode.ValidationError, error.message, null, { code: error.code });
      throw error;
    }
    await takeSubmission(ctx, clientId);
    const notify =
      webhookUrl === null || ctx.webhooks === undefined
        ? undefined
        : (task: ProxyTask) => {
            const target = { id: task.id, webhookUrl, webhookFormat: 'midjourney-proxy' as const };
            const event = task.status === 'SUCCESS' ? 'completed' : 'failed';
            ctx.webhooks?.enqueue(target, event, JSON.stringify(task)).catch(() => undefined);
          };
    const id = tasks.start(clientId, action, description, taskState ?? null, run, notify, properties);
    return result(ProxyCode.Success, 'Submit success', id, {});
  };

  app.post<{
    Body: { base64?: string; link?: string; botType?: string; notifyHook?: string; state?: string };
  }>(
    '/mj/submit/describe',
    {
      bodyLimit: imageBodyLimit(ctx),
      schema: {
        ...proxyRoute('Describe an image (base64 data URL or link); read the task at /mj/task/{id}/fetch'),
        body: {
          type: 'object',
          properties: { base64: image, link: image, botType: proxyBotSchema, notifyHook: hook, state },
          examples: [
            { link: 'https://cdn.discordapp.com/attachments/1/2/image.png' },
            { link: 'https://cdn.discordapp.com/attachments/1/2/image.png', botType: 'NIJI_JOURNEY' },
          ],
        },
      },
    },
    async (request) => {
      const body = request.body ?? {};
      const source = body.base64?.trim() || body.link?.trim();
      if (!source) return result(ProxyCode.ValidationError, 'base64 or link is required');
      const botType = body.botType === undefined ? 'midjourney' : PROXY_BOTS[body.botType];
      if (botType === undefined) return invalidBody(request, PROXY_BOT_PROBLEM);
      return start(
        request.clientId,
        async () => {
          const [loaded] = await loadRequestImages(ctx, [source], body.base64 ? 'base64' : 'link');
          return async () =>
            describeAnswer(await ctx.commands!.describe(loaded!, { signal: ctx.shutdown, botType }));
        },
        'DESCRIBE',
        '/describe',
        body.state,
        body.notifyHook,
        { botType: proxyBotName(botType) },
      );
    },
  );

  app.post<{
    Body: {
      base64Array?: string[];
      dimensions?: string;
      botType?: string;
      notifyHook?: string;
      state?: string;
    };
  }>(
    '/mj/submit/blend',
    {
      bodyLimit: imageBodyLimit(ctx),
      schema: {
        body: {
          type: 'object',
          properties: {
            base64Array: { type: 'array', items: image },
            dimensions: {
              type: 'string',
              maxLength: 16,
              description: 'PORTRAIT, SQUARE (default) or LANDSCAPE',
            },
            botType: proxyBotSchema,
            notifyHook: hook,
            state,
          },
          examples: [
            { base64Array: ['data:image/png;base64,iVBORw0KGgo=', 'data:image/png;base64,iVBORw0KGgo='] },
            {
              base64Array: ['data:image/png;base64,iVBORw0KGgo=', 'data:image/png;base64,iVBORw0KGgo='],
              botType: 'NIJI_JOURNEY',
            },
          ],
        },
        ...proxyRoute('Blend 2 to 5 images'),
      },
    },
    async (request) => {
      const body = request.body ?? {};
      const images = body.base64Array ?? [];
      if (images.length < 2 || images.length > 5) {
        return result(ProxyCode.ValidationError, 'base64Array must hold 2 to 5 images');
      }
      const dimensions = DIMENSIONS[(body.dimensions ?? 'SQUARE').toUpperCase()];
      if (dimensions === undefined) {
        return result(ProxyCode.ValidationError, 'dimensions must be PORTRAIT, SQUARE or LANDSCAPE');
      }
      const botType = body.botType === undefined ? 'midjourney' : PROXY_BOTS[body.botType];
      if (botType === undefined) return invalidBody(request, PROXY_BOT_PROBLEM);
      return start(
        request.clientId,
        async () => {
          const loaded = await loadRequestImages(ctx, images, 'base64Array');
          return async () =>
            blendAnswer(await ctx.commands!.blend(loaded, { dimensions, signal: ctx.shutdown, botType }));
        },
        'BLEND',
        '/blend',
        body.state,
        body.notifyHook,
        { botType: proxyBotName(botType) },
      );
    },
  );

  // midjourney-proxy's image-seed: the seed of a SUCCESS task, in `result` (✉️ reaction + the DM
  // of the task's bot, Midjourney or niji・journey).
  const seedSchema = proxyRoute("A SUCCESS task's seed, in `result`");
  app.get<{ Params: { id: string } }>(
    '/mj/task/:id/image-seed',
    { schema: seedSchema },
    async (request, reply) => {
      let job: Awaited<ReturnType<typeof ownedJob>>;
      try {
        job = await ownedJob(ctx, request, request.params.id);
      } catch (error) {
        if (!(error instanceof UnknownJobError)) throw error;
        return reply.code(404).send(result(ProxyCode.NotFound, 'Task not found'));
      }
      if (job.status !== 'succeeded' || job.result === null) {
        return result(ProxyCode.ValidationError, 'only a SUCCESS task has a seed');
      }
      if (ctx.commands === undefined)
        return result(ProxyCode.Failure, 'image-seed is not available on this service');
      try {
        const seed = await ctx.commands.seed(resultOfBot(job, job.result), { signal: ctx.shutdown });
        return result(ProxyCode.Success, 'Success', seed.seed, { jobId: seed.jobId });
      } catch (error) {
        const e = error as { code?: unknown; message?: unknown };
        return result(
          ProxyCode.Failure,
          String(e.message ?? error),
          null,
          typeof e.code === 'string' ? { code: e.code } : {},
        );
      }
    },
  );

  app.post<{ Body: { prompt?: string; notifyHook?: string; state?: string } }>(
    '/mj/submit/shorten',
    {
      schema: {
        body: {
          type: 'object',
          properties: { prompt: { type: 'string', maxLength: 6_000 }, notifyHook: hook, state },
          examples: [{ prompt: 'a very detailed lighthouse at dusk' }],
        },
        ...proxyRoute('Shorten a prompt'),
      },
    },
    async (request) => {
      const body = request.body ?? {};
      const prompt = body.prompt?.trim() ?? '';
      if (prompt === '') return result(ProxyCode.ValidationError, 'prompt is required');
      return start(
        request.clientId,
        async () => async () => shortenAnswer(await ctx.commands!.shorten(prompt, { signal: ctx.shutdown })),
        'SHORTEN',
        `/shorten ${prompt}`,
        body.state,
        body.notifyHook,
      );
    },
  );
}
