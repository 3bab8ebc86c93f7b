/**
 * The /v1 API: submit, read, list, stream, act on and cancel jobs. Every route is scoped to the
 * caller's API key: another key's job answers 404. The two routes that create jobs honour an
 * Idempotency-Key (idempotency.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { needsMask } from '../../midjourney/modals.js';
import { withImagePrompts } from '../commands/image-prompts.js';
import { imageBodyLimit } from '../commands/request-images.js';
import { loadRequestMask } from '../commands/request-mask.js';
import { chargeSubmission, type ServiceContext } from '../context.js';
import { ActionUnavailableError, JobStateError, RequestValidationError, UnknownJobError } from '../errors.js';
import type { IdempotentAnswer } from '../jobs/idempotency-record.js';
import { JOB_STATUSES, type JobRecord, type JobStatus } from '../jobs/job.js';
import type { JobViewPage } from '../jobs/job-store.js';
import { METADATA_LIMITS } from '../jobs/json-limits.js';
import { kindForAction, resolveAction } from '../runner/actions.js';
import {
  acceptedAnswer as acceptedSchema,
  commonErrors,
  errorAnswer,
  JOB_EXAMPLE,
  jobAnswer,
  jobListAnswer,
  V1_TAG,
} from './answer-schemas.js';
import { IDEMPOTENT_REPLAYED_HEADER, type IdempotentOutcome, idempotent } from './idempotency.js';
import { toJobView } from './job-view.js';
import { limitJsonFields } from './json-fields.js';
import {
  type ActionBody,
  actionBody,
  type ImagineBody,
  imagineBody,
  jobIdParams,
  type ListQuery,
  listQuery,
} from './schemas.js';
import { streamJobEvents } from './sse.js';

/** `metadata` is checked for depth and size before the schema or anything else walks it. */
const limitFreeJson = limitJsonFields({ metadata: METADATA_LIMITS });

const unknownJob = { description: "No such job (or another key's)", ...errorAnswer } as const;
const busy = {
  description: 'The service is busy or its circuit is open (Retry-After)',
  ...errorAnswer,
} as const;
const idempotencyHeaders = {
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      description:
        'Up to 255 printable ASCII characters; a retry with the same key gets the first answer again',
    },
  },
} as const;

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export function encodeCursor(id: string): string {
  return Buffer.from(`j:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): string | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^j:(\d{16})$/.exec(text);
  return match?.[1];
}

/** The caller's job, or UnknownJobError (also for another key's job: its existence is not revealed). */
export async function ownedJob(ctx: ServiceContext, request: FastifyRequest, id: string): Promise<JobRecord> {
  const job = await ctx.runner.get(id);
  if (job === undefined || job.clientId !== request.clientId) throw new UnknownJobError(id);
  return job;
}

/** The 202 answer of a job-creating route. */
const acceptedAnswer = (job: Pick<JobRecord, 'id' | 'status'>): IdempotentAnswer => ({
  status: 202,
  body: { id: job.id, status: job.status },
});

/** Runs a job-creating route under the caller's Idempotency-Key, if any, and sends its answer. */
async function sendIdempotent(
  ctx: ServiceContext,
  request: FastifyRequest,
  reply: FastifyReply,
  run: Parameters<typeof idempotent>[2],
): Promise<FastifyReply> {
  const { answer, replayed } = await idempotent(
    { store: ctx.store, ttlMs: ctx.config.idempotencyTtlMs, logger: request.log },
    request,
    run,
    async (jobId) => {
      const job = await ctx.runner.get(jobId);
      return job === undefined ? acceptedAnswer({ id: jobId, status: 'queued' }) : acceptedAnswer(job);
    },
  );
  const id = (answer.body as { id?: unknown }).id;
  if (typeof id === 'string') void reply.header('location', `/v1/jobs/${id}`);
  if (replayed) void reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
  return reply.code(answer.status).send(answer.body);
}

const created = (job: JobRecord): IdempotentOutcome => ({ answer: acceptedAnswer(job), jobId: job.id });

export async function registerV1Routes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  /**
   * The answers built from pages the store keeps (`kept`: it answers the same object again only
   * while the page is unchanged, JobStore.listViews): a hot page is sent without joining it again.
   */
  const bodies = new WeakMap<JobViewPage, string | Buffer>();
  /**
   * A list answer joined from the views rendered when the jobs were written: nothing parsed. An
   * answer sent again is kept as bytes, written without being encoded again; one sent once stays
   * text (a copy into bytes would cost a page read once more than it saves).
   */
  const pageBody = (page: JobViewPage): string | Buffer => {
    // Jobs in flight are fresher in the runner than in the store: such a page is joined each time.
    const live = page.items.some(({ id }) => ctx.runner.isInFlight(id));
    const kept = live ? undefined : bodies.get(page);
    if (typeof kept === 'string') {
      const bytes = Buffer.from(kept);
      bodies.set(page, bytes);
      return bytes;
    }
    if (kept !== undefined) return kept;
    const items = page.items.map(({ id, view }) => {
      const job = live ? ctx.runner.inFlight(id) : undefined;
      return job === undefined ? view : JSON.stringify(toJobView(job));
    });
    const nextCursor = page.next === null ? null : encodeCursor(page.next);
    const body = `{"jobs":[${items.join(',')}],"nextCursor":${JSON.stringify(nextCursor)}}`;
    if (!live && page.kept) bodies.set(page, body);
    return body;
  };

  app.post<{ Body: ImagineBody }>(
    '/v1/imagine',
    {
      schema: {
        summary: 'Submit a prompt (/imagine)',
        description: 'Answers at once with the new job; follow it at /v1/jobs/{id}. Honours Idempotency-Key.',
        tags: [V1_TAG],
        headers: idempotencyHeaders,
        body: {
          ...imagineBody,
          examples: [
            { prompt: 'a lighthouse at dusk --ar 3:2', metadata: { order: 42 } },
            { prompt: 'a fox spirit in the snow', botType: 'niji' },
          ],
        },
        response: { 202: { description: 'The job, queued', ...acceptedSchema }, ...commonErrors, 503: busy },
      },
      preValidation: limitFreeJson,
    },
    async (request, reply) =>
      sendIdempotent(ctx, request, reply, async (reservation) => {
        const { webhookUrl, metadata, mode, botType } = request.body;
        // A job's own speed rides on the prompt (Midjourney's parameter), as `imagine({ mode })` does.
        const prompt =
          mode !== undefined && !/(?:^|\s)--(?:fast|relax|turbo)(?=\s|$)/.test(request.body.prompt)
            ? `${request.body.prompt.trim()} --${mode}`
            : request.body.prompt;
        const job = await chargeSubmission(ctx, request.clientId, async () =>
          ctx.runner.submit(
            {
              clientId: request.clientId,
              kind: 'imagine',
              ...(botType !== undefined ? { botType } : {}),
              webhookUrl: webhookUrl === undefined ? null : await ctx.policy.check(webhookUrl),
              // Image prompts and references are uploaded now; the job's prompt carries their CDN URLs.
              prompt: await withImagePrompts(ctx, prompt.trim(), request.body),
              metadata: metadata ?? null,
            },
            undefined,
            reservation === undefined ? {} : { reservation },
          ),
        );
        ctx.metrics.jobsSubmitted.inc({ kind: 'imagine' });
        return created(job);
      }),
  );

  app.get<{ Params: { id: string } }>(
    '/v1/jobs/:id',
    {
      schema: {
        summary: 'Read a job',
        tags: [V1_TAG],
        params: jobIdParams,
        response: { 200: { description: 'The job', ...jobAnswer }, 404: unknownJob, ...commonErrors },
      },
    },
    async (request) => toJobView(await ownedJob(ctx, request, request.params.id)),
  );

  app.get<{ Querystring: ListQuery }>(
    '/v1/jobs',
    {
      schema: {
        summary: "List the caller's jobs, newest first",
        tags: [V1_TAG],
        querystring: listQuery,
        response: { 200: { description: 'One page of jobs', ...jobListAnswer }, ...commonErrors },
      },
    },
    async (request, reply) => {
      const problems: string[] = [];
      const statuses = (request.query.status?.split(',') ?? []) as JobStatus[];
      for (const s of statuses) {
        if (!JOB_STATUSES.includes(s))
          problems.push(`querystring.status: "${s}" is not one of ${JOB_STATUSES.join(', ')}`);
      }
      const limit = request.query.limit === undefined ? DEFAULT_PAGE_SIZE : Number(request.query.limit);
      if (limit < 1 || limit > MAX_PAGE_SIZE)
        problems.push(`querystring.limit: must be from 1 to ${MAX_PAGE_SIZE}`);
      const before = request.query.cursor === undefined ? undefined : decodeCursor(request.query.cursor);
      if (request.query.cursor !== undefined && before === undefined) {
        problems.push('querystring.cursor: not a cursor this API returned');
      }
      if (problems.length > 0) throw new RequestValidationError(problems);
      const query = {
        clientId: request.clientId,
        statuses,
        limit,
        ...(before === undefined ? {} : { before }),
      };
      const views = await ctx.store.listViews?.(query);
      if (views !== undefined) {
        return reply.type('application/json; charset=utf-8').send(pageBody(views));
      }
      const page = await ctx.store.list(query);
      const jobs = page.jobs.map((job) => toJobView(ctx.runner.fresh(job)));
      return { jobs, nextCursor: page.next === null ? null : encodeCursor(page.next) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/jobs/:id/events',
    {
      schema: {
        summary: "Follow a job's changes (Server-Sent Events)",
        description:
          'The current state at once (`state`), each change (`status`, `progress`, `notice`), then the ' +
          'outcome (`completed`, `failed`, `cancelled`); every `data` is the whole job.',
        tags: [V1_TAG],
        params: jobIdParams,
        produces: ['text/event-stream'],
        response: {
          200: {
            description: 'An event stream',
            content: {
              'text/event-stream': {
                schema: {
                  type: 'string',
                  examples: [`event: completed\ndata: ${JSON.stringify(JOB_EXAMPLE)}\n\n`],
                },
              },
            },
          },
          404: unknownJob,
          ...commonErrors,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      await ownedJob(ctx, request, id);
      await streamJobEvents(request, reply, id, {
        hub: ctx.hub,
        load: () => ctx.runner.get(id),
        view: toJobView,
        shutdown: ctx.shutdown,
      });
      return reply;
    },
  );

  app.post<{ Params: { id: string }; Body: ActionBody }>(
    '/v1/jobs/:id/actions',
    {
      schema: {
        summary: 'Press a button of a succeeded job (upscale, variation, reroll, ...)',
        description: 'Creates a new job. Honours Idempotency-Key.',
        tags: [V1_TAG],
        params: jobIdParams,
        headers: idempotencyHeaders,
        body: { ...actionBody, examples: [{ action: 'U1' }] },
        response: {
          202: { description: 'The new job, queued', ...acceptedSchema },
          404: unknownJob,
          409: { description: 'The job has not succeeded, or has no such button', ...errorAnswer },
          ...commonErrors,
          503: busy,
        },
      },
      preValidation: limitFreeJson,
      bodyLimit: imageBodyLimit(ctx),
    },
    async (request, reply) =>
      sendIdempotent(ctx, request, reply, async (reservation) => {
        const source = await ownedJob(ctx, request, request.params.id);
        if (source.status !== 'succeeded' || source.result === null) {
          throw new JobStateError(
            source.id,
            source.status,
            `Job ${source.id} is ${source.status}; actions need a succeeded job`,
          );
        }
        const action = resolveAction(source.result.actions, request.body.action);
        if (action === undefined) {
          throw new ActionUnavailableError(
            source.id,
            request.body.action,
            Object.keys(source.result.actions),
          );
        }
        const { webhookUrl, metadata } = request.body;
        // Vary (Region)'s mask: checked (a PNG, size-capped) before anything is stored or sent.
        let mask: string | undefined;
        if (request.body.mask !== undefined) {
          if (!needsMask(source.result.actions[action] ?? '')) {
            throw new RequestValidationError([`mask: only Vary (Region) takes a mask, not "${action}"`]);
          }
          mask = await loadRequestMask(request.body.mask, 'mask');
        }
        const kind = kindForAction(action);
        const result = source.result;
        const job = await chargeSubmission(ctx, request.clientId, async () =>
          ctx.runner.submit(
            {
              clientId: request.clientId,
              kind,
              action,
              parentId: source.id,
              // Its parent's bot: the button answers only to the application that posted it.
              ...(source.botType !== undefined ? { botType: source.botType } : {}),
              // A form's prompt (Remix, Custom Zoom) is the job's prompt; the runner passes it on.
              prompt: request.body.prompt ?? source.prompt,
              webhookUrl: webhookUrl === undefined ? null : await ctx.policy.check(webhookUrl),
              metadata: metadata ?? null,
              ...(mask === undefined ? {} : { mask }),
            },
            result,
            reservation === undefined ? {} : { reservation },
          ),
        );
        ctx.metrics.jobsSubmitted.inc({ kind });
        return created(job);
      }),
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/jobs/:id',
    {
      schema: {
        summary: 'Cancel a job in flight',
        tags: [V1_TAG],
        params: jobIdParams,
        response: {
          200: { description: 'The cancelled job', ...jobAnswer },
          404: unknownJob,
          409: { description: 'The job has already finished', ...errorAnswer },
          ...commonErrors,
        },
      },
    },
    async (request) => {
      await ownedJob(ctx, request, request.params.id);
      return toJobView(await ctx.runner.cancel(request.params.id, request.clientId));
    },
  );
}
