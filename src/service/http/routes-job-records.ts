/**
 * What happened to a job, read after the fact: `GET /v1/jobs/:id/deliveries` (its webhook
 * deliveries and their attempts) and `GET /v1/jobs/:id/history` (its stored events). Scoped like
 * `GET /v1/jobs/:id`: another key's job answers 404. Also `GET /v1/whoami`: the name of the
 * caller's key, the label its jobs carry (never the key).
 */
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';
import { commonErrors, errorAnswer, objectAnswer, V1_TAG } from './answer-schemas.js';
import { DELIVERY_LIST_LIMIT, toDeliveryView, toHistoryEventView } from './job-records-view.js';
import { ownedJob } from './routes-v1.js';
import { jobIdParams } from './schemas.js';

const AT = '2026-11-29T12:00:00.000Z';
const notFound = { description: "UNKNOWN_JOB (or another key's job)", ...errorAnswer } as const;

const deliveriesSchema = {
  summary: "A job's webhook deliveries and their attempts",
  description:
    'The newest 50 deliveries, oldest first, each with its newest attempts; the receiver is named by its host only.',
  tags: [V1_TAG],
  params: jobIdParams,
  response: {
    200: objectAnswer('`{ webhook, deliveries, omitted }`', {
      webhook: true,
      deliveries: [
        {
          id: '1750000000000001',
          event: 'completed',
          host: 'hooks.example.com',
          state: 'delivered',
          attempts: 2,
          lastStatus: 200,
          lastError: null,
          createdAt: AT,
          updatedAt: AT,
          deliveredAt: AT,
          nextAttemptAt: null,
          log: [
            { attempt: 1, at: AT, status: 503, error: null, nextAttemptAt: AT },
            { attempt: 2, at: AT, status: 200, error: null, nextAttemptAt: null },
          ],
        },
      ],
      omitted: 0,
    }),
    404: notFound,
    ...commonErrors,
  },
} as const;

const historySchema = {
  summary: "A job's stored events (status changes, progress milestones, notices, outcome)",
  tags: [V1_TAG],
  params: jobIdParams,
  response: {
    200: objectAnswer('`{ events }`, oldest first (at most 50)', {
      events: [
        { at: AT, type: 'status', status: 'submitting', progress: 0, notice: null, error: null },
        { at: AT, type: 'progress', status: 'running', progress: 25, notice: null, error: null },
        { at: AT, type: 'completed', status: 'succeeded', progress: 100, notice: null, error: null },
      ],
    }),
    404: notFound,
    ...commonErrors,
  },
} as const;

const whoamiSchema = {
  summary: "The name of the caller's API key (never the key)",
  tags: [V1_TAG],
  response: {
    200: objectAnswer('`{ apiKey }`: the name its jobs are labelled with', { apiKey: 'app' }),
    ...commonErrors,
  },
} as const;

export async function registerJobRecordRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  app.get<{ Params: { id: string } }>(
    '/v1/jobs/:id/deliveries',
    { schema: deliveriesSchema },
    async (request) => {
      const job = await ownedJob(ctx, request, request.params.id);
      const deliveries = await ctx.store.listDeliveries(job.id);
      return {
        webhook: job.webhookUrl !== null,
        deliveries: deliveries.slice(-DELIVERY_LIST_LIMIT).map(toDeliveryView),
        omitted: Math.max(0, deliveries.length - DELIVERY_LIST_LIMIT),
      };
    },
  );

  app.get<{ Params: { id: string } }>('/v1/jobs/:id/history', { schema: historySchema }, async (request) => {
    const job = await ownedJob(ctx, request, request.params.id);
    return { events: (await ctx.store.listJobEvents(job.id)).map(toHistoryEventView) };
  });

  app.get('/v1/whoami', { schema: whoamiSchema }, async (request) => ({ apiKey: request.clientId }));
}
