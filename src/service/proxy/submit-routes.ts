/**
 * midjourney-proxy's submit routes: /mj/submit/imagine, /change, /simple-change, /action and /modal, with
 * its body fields (`prompt`, `taskId`, `action` + `index`, `content`, `customId`, `notifyHook`,
 * `state`) and its result codes (1 submitted, 21 existing, 22 queued, 23 queue full, 4 invalid).
 * Each honours an Idempotency-Key as the /v1 routes do (../http/idempotency.ts): a retry gets the
 * first submit result again.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isImageInputError } from '../../images/errors.js';
import { needsMask, opensModal } from '../../midjourney/modals.js';
import { imageBodyLimit } from '../commands/request-images.js';
import { loadRequestMask } from '../commands/request-mask.js';
import { chargeSubmission, type ServiceContext } from '../context.js';
import { ServiceBusyError, UnknownJobError, WebhookTargetError } from '../errors.js';
import { IDEMPOTENT_REPLAYED_HEADER, idempotent } from '../http/idempotency.js';
import { ownedJob } from '../http/routes-v1.js';
import type { IdempotencyReservation } from '../jobs/idempotency-record.js';
import type { JobRecord } from '../jobs/job.js';
import { actionForCustomId, kindForAction, resolveAction } from '../runner/actions.js';
import { proxyRoute } from './answer-schemas.js';
import { PROXY_BOT_PROBLEM, PROXY_BOTS } from './bot-names.js';
import { hostImagePrompts, imagePromptsOf } from './image-prompts.js';
import { ModalTickets } from './modal-tickets.js';
import { invalidBody, ProxyCode, result, type SubmitResult } from './submit-result.js';
import { toProxyTask } from './task-view.js';

const hook = { type: 'string', maxLength: 2_048 } as const;
const state = { type: 'string', maxLength: 4_096 } as const;

const imagineSchema = {
  type: 'object',
  properties: {
    prompt: { type: 'string', maxLength: 6_000 },
    base64: { type: 'string' },
    base64Array: { type: 'array', items: { type: 'string' } },
    botType: {
      type: 'string',
      description: 'MID_JOURNEY (default) or NIJI_JOURNEY: the bot, as midjourney-proxy names them',
    },
    notifyHook: hook,
    state,
  },
} as const;

const changeSchema = {
  type: 'object',
  properties: {
    taskId: { type: 'string', maxLength: 32 },
    action: { type: 'string', maxLength: 32 },
    index: { type: 'integer', minimum: 1, maximum: 4 },
    notifyHook: hook,
    state,
  },
} as const;

const simpleChangeSchema = {
  type: 'object',
  properties: { content: { type: 'string', maxLength: 64 }, notifyHook: hook, state },
} as const;

const formPrompt = { type: 'string', maxLength: 6_000 } as const;

const actionSchema = {
  type: 'object',
  properties: {
    taskId: { type: 'string', maxLength: 32 },
    customId: { type: 'string', maxLength: 256 },
    prompt: formPrompt,
    maskBase64: {
      type: 'string',
      description: 'Vary (Region): the mask PNG (data: URL or base64), at most 1 MiB',
    },
    notifyHook: hook,
    state,
  },
} as const;

const modalSchema = {
  type: 'object',
  properties: {
    taskId: { type: 'string', maxLength: 32 },
    prompt: formPrompt,
    maskBase64: {
      type: 'string',
      description: 'Vary (Region): the mask PNG (data: URL or base64), at most 1 MiB',
    },
    notifyHook: hook,
    state,
  },
} as const;

const MASK_ONLY_FOR_REGION = 'maskBase64 is only for Vary (Region) (an MJ::Inpaint:: button)';

interface CommonBody {
  notifyHook?: string;
  state?: string;
}

export async function registerProxySubmitRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  const tickets = new ModalTickets(() => Date.now());
  /** The notify hook of a submit (its own, else MJW_NOTIFY_HOOK), checked; a SubmitResult when refused. */
  const notifyHookOf = async (body: CommonBody): Promise<string | null | SubmitResult> => {
    const url = body.notifyHook?.trim() || ctx.config.notifyHook;
    if (!url) return null;
    try {
      return await ctx.policy.check(url);
    } catch (error) {
      if (error instanceof WebhookTargetError) return result(ProxyCode.ValidationError, error.message);
      throw error;
    }
  };

  /** `maskBase64` checked (a PNG, size-capped) as base64, or the 400 answer (code 4) refusing it. */
  const maskOf = async (
    request: FastifyRequest,
    reply: FastifyReply,
    text: string,
  ): Promise<string | SubmitResult> => {
    try {
      return await loadRequestMask(text, 'maskBase64');
    } catch (error) {
      if (!isImageInputError(error)) throw error;
      request.refusalCode = 'VALIDATION_FAILED';
      void reply.code(400);
      return result(ProxyCode.ValidationError, error.message, null, { code: error.code });
    }
  };

  const accepted = (job: JobRecord, waitingAhead: number): SubmitResult =>
    waitingAhead > 0
      ? result(ProxyCode.InQueue, `Waiting in queue, ${waitingAhead} task(s) ahead`, job.id, {
          numberOfQueues: waitingAhead,
        })
      : result(ProxyCode.Success, 'Submit success', job.id, {});

  const submit = async (
    request: FastifyRequest,
    reservation: IdempotencyReservation | undefined,
    input: Parameters<ServiceContext['runner']['submit']>[0],
    source?: Parameters<ServiceContext['runner']['submit']>[1],
  ): Promise<SubmitResult> => {
    const waitingAhead = ctx.runner.waitingCount;
    try {
      const job = await chargeSubmission(ctx, request.clientId, () =>
        ctx.runner.submit(input, source, reservation === undefined ? {} : { reservation }),
      );
      ctx.metrics.jobsSubmitted.inc({ kind: input.kind });
      return accepted(job, waitingAhead);
    } catch (error) {
      if (error instanceof ServiceBusyError)
        return result(ProxyCode.QueueRejected, 'Queue is full, please try later');
      throw error;
    }
  };

  /**
   * Runs a submit under the caller's Idempotency-Key, if any, and sends its result. A result that
   * names a new task (1 submitted, 22 queued) is kept for retries; any other frees the key.
   */
  const idempotentSubmit = async (
    request: FastifyRequest,
    reply: FastifyReply,
    handle: (reservation: IdempotencyReservation | undefined) => Promise<SubmitResult>,
  ): Promise<FastifyReply> => {
    const { answer, replayed } = await idempotent(
      { store: ctx.store, ttlMs: ctx.config.idempotencyTtlMs, logger: request.log },
      request,
      async (reservation) => {
        const body = await handle(reservation);
        const created = body.code === ProxyCode.Success || body.code === ProxyCode.InQueue;
        return { answer: { status: reply.statusCode, body }, jobId: created ? body.result : null };
      },
      async (jobId) => ({ status: 200, body: result(ProxyCode.Success, 'Submit success', jobId, {}) }),
    );
    if (replayed) void reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
    return reply.code(answer.status).send(answer.body);
  };

  app.post<{
    Body: CommonBody & { prompt?: string; base64?: string; base64Array?: string[]; botType?: string };
  }>(
    '/mj/submit/imagine',
    {
      schema: {
        ...proxyRoute('Submit a prompt (Idempotency-Key honoured)'),
        body: {
          ...imagineSchema,
          examples: [
            { prompt: 'a lighthouse at dusk', state: 'order-42' },
            { prompt: 'a fox spirit in the snow', botType: 'NIJI_JOURNEY' },
          ],
        },
      },
    },
    async (request, reply) =>
      idempotentSubmit(request, reply, async (reservation) => {
        const body = request.body ?? {};
        const prompt = body.prompt?.trim() ?? '';
        if (prompt === '') return invalidBody(request, 'prompt is required');
        const botType = body.botType === undefined ? undefined : PROXY_BOTS[body.botType];
        if (body.botType !== undefined && botType === undefined) {
          return invalidBody(request, PROXY_BOT_PROBLEM);
        }
        const notify = await notifyHookOf(body);
        if (notify !== null && typeof notify !== 'string') return notify;
        // Image prompts: checked, uploaded and shown in the channel; their CDN URLs lead the prompt.
        const images = imagePromptsOf(body);
        let full = prompt;
        if (images.length > 0) {
          const hosted = await hostImagePrompts(ctx, images);
          if (typeof hosted !== 'string') return hosted;
          full = `${hosted} ${prompt}`;
        }
        return submit(request, reservation, {
          clientId: request.clientId,
          kind: 'imagine',
          prompt: full,
          ...(botType !== undefined ? { botType } : {}),
          webhookUrl: notify,
          webhookFormat: 'midjourney-proxy',
          metadata: body.state === undefined ? null : { state: body.state },
        });
      }),
  );

  /** Presses `action` on task `taskId`: the shared path of change, simple-change and action. */
  const submitChild = async (
    request: FastifyRequest,
    reply: FastifyReply,
    reservation: IdempotencyReservation | undefined,
    taskId: string,
    pick: (actions: Record<string, string>) => string | undefined,
    body: CommonBody,
    /** A form's prompt (Remix, Custom Zoom): the job's prompt, and never merged with an existing task. */
    prompt?: string,
    /** Vary (Region): the checked mask as base64; stored with the job. */
    mask?: string,
  ): Promise<SubmitResult> => {
    let parent: JobRecord;
    try {
      parent = await ownedJob(ctx, request, taskId);
    } catch (error) {
      if (!(error instanceof UnknownJobError)) throw error;
      void reply.code(404);
      return result(ProxyCode.NotFound, 'Task not found or expired');
    }
    if (parent.status !== 'succeeded' || parent.result === null) {
      return result(ProxyCode.ValidationError, `Task ${taskId} is not SUCCESS (it is ${parent.status})`);
    }
    const action = pick(parent.result.actions);
    if (action === undefined) {
      return result(
        ProxyCode.ValidationError,
        `This action is not available on task ${taskId}; available: ${Object.keys(parent.result.actions).join(', ')}`,
      );
    }
    const existing =
      prompt === undefined && mask === undefined ? await ctx.store.findChild(parent.id, action) : undefined;
    if (existing !== undefined && existing.clientId === request.clientId) {
      const task = toProxyTask(ctx.runner.fresh(existing));
      return result(ProxyCode.Existed, 'Task already exists', existing.id, {
        status: task.status,
        imageUrl: task.imageUrl,
      });
    }
    const notify = await notifyHookOf(body);
    if (notify !== null && typeof notify !== 'string') return notify;
    return submit(
      request,
      reservation,
      {
        clientId: request.clientId,
        kind: kindForAction(action),
        action,
        parentId: parent.id,
        // The parent's bot: its buttons answer only to the application that posted them.
        ...(parent.botType !== undefined ? { botType: parent.botType } : {}),
        prompt: prompt ?? parent.prompt,
        webhookUrl: notify,
        webhookFormat: 'midjourney-proxy',
        metadata: body.state === undefined ? null : { state: body.state },
        ...(mask === undefined ? {} : { mask }),
      },
      parent.result,
    );
  };

  /** UPSCALE/VARIATION + index, or REROLL, as an action name. */
  const changeAction = (action: string | undefined, index: number | undefined): string | undefined => {
    switch (action?.toUpperCase()) {
      case 'UPSCALE':
        return index === undefined ? undefined : `U${index}`;
      case 'VARIATION':
        return index === undefined ? undefined : `V${index}`;
      case 'REROLL':
        return 'reroll';
      default:
        return undefined;
    }
  };

  app.post<{ Body: CommonBody & { taskId?: string; action?: string; index?: number } }>(
    '/mj/submit/change',
    {
      schema: {
        ...proxyRoute('UPSCALE / VARIATION with index 1-4, or REROLL, on a SUCCESS task'),
        body: { ...changeSchema, examples: [{ taskId: '1750000000000000', action: 'UPSCALE', index: 1 }] },
      },
    },
    async (request, reply) =>
      idempotentSubmit(request, reply, async (reservation) => {
        const body = request.body ?? {};
        if (!body.taskId) return invalidBody(request, 'taskId is required');
        const wanted = changeAction(body.action, body.index);
        if (wanted === undefined) {
          return invalidBody(request, 'action must be UPSCALE or VARIATION with index 1-4, or REROLL');
        }
        return submitChild(
          request,
          reply,
          reservation,
          body.taskId,
          (actions) => resolveAction(actions, wanted),
          body,
        );
      }),
  );

  app.post<{ Body: CommonBody & { content?: string } }>(
    '/mj/submit/simple-change',
    {
      schema: {
        ...proxyRoute('The same as change, as "<taskId> U1-U4 | V1-V4 | R"'),
        body: { ...simpleChangeSchema, examples: [{ content: '1750000000000000 U1' }] },
      },
    },
    async (request, reply) =>
      idempotentSubmit(request, reply, async (reservation) => {
        const body = request.body ?? {};
        const match = /^\s*(\d+)\s+(?:([UV])([1-4])|(R))\s*$/i.exec(body.content ?? '');
        if (!match?.[1]) return invalidBody(request, 'content must be "<taskId> U1-U4 | V1-V4 | R"');
        const wanted = match[4] ? 'reroll' : `${match[2]!.toUpperCase()}${match[3]}`;
        return submitChild(
          request,
          reply,
          reservation,
          match[1],
          (actions) => resolveAction(actions, wanted),
          body,
        );
      }),
  );

  app.post<{
    Body: CommonBody & { taskId?: string; customId?: string; prompt?: string; maskBase64?: string };
  }>(
    '/mj/submit/action',
    {
      schema: {
        ...proxyRoute("Press one of a task's buttons by its customId (a form's prompt in `prompt`)"),
        body: {
          ...actionSchema,
          examples: [{ taskId: '1750000000000000', customId: 'MJ::JOB::upsample::1::0b0b0b0b' }],
        },
      },
      bodyLimit: imageBodyLimit(ctx),
    },
    async (request, reply) =>
      idempotentSubmit(request, reply, async (reservation) => {
        const body = request.body ?? {};
        if (!body.taskId || !body.customId) return invalidBody(request, 'taskId and customId are required');
        const customId = body.customId;
        if (body.maskBase64 !== undefined && !needsMask(customId))
          return invalidBody(request, MASK_ONLY_FOR_REGION);
        const mask =
          body.maskBase64 === undefined ? undefined : await maskOf(request, reply, body.maskBase64);
        if (typeof mask === 'object') return mask;
        const prompt = body.prompt?.trim() || undefined;
        // Vary (Region) without its mask, or a form without its prompt: midjourney-proxy's two
        // steps, the mask and prompt come with /mj/submit/modal.
        if ((prompt === undefined && opensModal(customId)) || (mask === undefined && needsMask(customId))) {
          const parent = await ownedJob(ctx, request, body.taskId).catch(() => undefined);
          if (parent?.result && actionForCustomId(parent.result.actions, customId) !== undefined) {
            const ticket = tickets.issue({ clientId: request.clientId, parentId: parent.id, customId });
            return result(ProxyCode.Existed, 'Waiting for window confirm', ticket, {
              finalPrompt: parent.prompt,
              customId,
            });
          }
        }
        return submitChild(
          request,
          reply,
          reservation,
          body.taskId,
          (actions) => actionForCustomId(actions, customId),
          body,
          prompt,
          mask,
        );
      }),
  );

  app.post<{ Body: CommonBody & { taskId?: string; prompt?: string; maskBase64?: string } }>(
    '/mj/submit/modal',
    {
      schema: {
        ...proxyRoute('Complete the form a button opened (the second step of /mj/submit/action)'),
        body: {
          ...modalSchema,
          examples: [{ taskId: '1750000000000001', prompt: 'a lighthouse, stormy sea' }],
        },
      },
      bodyLimit: imageBodyLimit(ctx),
    },
    async (request, reply) =>
      idempotentSubmit(request, reply, async (reservation) => {
        const body = request.body ?? {};
        if (!body.taskId) return invalidBody(request, 'taskId is required');
        // The mask is checked before the ticket is used, so a bad one can be sent again.
        const mask =
          body.maskBase64 === undefined ? undefined : await maskOf(request, reply, body.maskBase64);
        if (typeof mask === 'object') return mask;
        const ticket = tickets.take(body.taskId, request.clientId);
        if (ticket === undefined) {
          void reply.code(404);
          return result(ProxyCode.NotFound, 'Modal task not found or expired');
        }
        if (mask !== undefined && !needsMask(ticket.customId))
          return invalidBody(request, MASK_ONLY_FOR_REGION);
        if (mask === undefined && needsMask(ticket.customId))
          return invalidBody(request, 'maskBase64 is required for Vary (Region)');
        return submitChild(
          request,
          reply,
          reservation,
          ticket.parentId,
          (actions) => actionForCustomId(actions, ticket.customId),
          body,
          body.prompt?.trim() || undefined,
          mask,
        );
      }),
  );
}
