/**
 * What happened to a job, read after the fact: `GET /v1/jobs/:id/deliveries` (its webhook
 * deliveries and their attempts) and `GET /v1/jobs/:id/history` (its stored events). Scoped like
 * `GET /v1/jobs/:id`: another key's job answers 404. Also `GET /v1/whoami`: the name of the
 * caller's key, the label its jobs carry (never the key).
 */
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';
import { DELIVERY_LIST_LIMIT, toDeliveryView, toHistoryEventView } from './job-records-view.js';
import { ownedJob } from './routes-v1.js';
import { jobIdParams } from './schemas.js';

export async function registerJobRecordRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  app.get<{ Params: { id: string } }>(
    '/v1/jobs/:id/deliveries',
    { schema: { params: jobIdParams } },
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

  app.get<{ Params: { id: string } }>(
    '/v1/jobs/:id/history',
    { schema: { params: jobIdParams } },
    async (request) => {
      const job = await ownedJob(ctx, request, request.params.id);
      return { events: (await ctx.store.listJobEvents(job.id)).map(toHistoryEventView) };
    },
  );

  app.get('/v1/whoami', async (request) => ({ apiKey: request.clientId }));
}
