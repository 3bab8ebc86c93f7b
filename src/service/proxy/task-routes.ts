/**
 * midjourney-proxy's task routes: /mj/task/:id/fetch, /list-by-condition (and /list-by-ids), /list,
 * /queue and /:id/cancel, answering tasks in its field names. Only the caller's own tasks are seen.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServiceContext } from '../context.js';
import { UnknownJobError } from '../errors.js';
import { ownedJob } from '../http/routes-v1.js';
import { proxyRoute, taskAnswer, taskListAnswer } from './answer-schemas.js';
import type { CommandTaskTable } from './command-tasks.js';
import { ProxyCode, result } from './submit-result.js';
import { toProxyTask } from './task-view.js';

const listSchema = {
  type: 'object',
  properties: { ids: { type: 'array', maxItems: 1_000, items: { type: 'string', maxLength: 32 } } },
  examples: [{ ids: ['1750000000000000'] }],
} as const;

const listRoute = proxyRoute("The caller's tasks among `ids`", {
  description: 'The tasks found',
  ...taskListAnswer,
});

export async function registerProxyTaskRoutes(
  app: FastifyInstance,
  ctx: ServiceContext,
  commandTasks?: CommandTaskTable,
): Promise<void> {
  const fetchSchema = proxyRoute('Read a task', { description: 'The task', ...taskAnswer });
  app.get<{ Params: { id: string } }>(
    '/mj/task/:id/fetch',
    { schema: fetchSchema },
    async (request, reply) => {
      try {
        return toProxyTask(await ownedJob(ctx, request, request.params.id));
      } catch (error) {
        if (!(error instanceof UnknownJobError)) throw error;
        // DESCRIBE / BLEND / SHORTEN tasks are not store jobs (command-tasks.ts).
        const task = await commandTasks?.get(request.params.id, request.clientId);
        if (task !== undefined) return task;
        return reply.code(404).send(result(ProxyCode.NotFound, 'Task not found'));
      }
    },
  );

  const listByIds = async (request: FastifyRequest<{ Body: { ids?: string[] } }>) => {
    const ids = (request.body?.ids ?? []).map((id) => id.trim()).filter((id) => id !== '');
    const jobs = await ctx.store.listByIds(ids);
    const tasks = new Map(
      jobs
        .filter((job) => job.clientId === request.clientId)
        .map((job) => [job.id, toProxyTask(ctx.runner.fresh(job))] as const),
    );
    // DESCRIBE / BLEND / SHORTEN tasks (command-tasks.ts), in the order asked.
    const others = ids.filter((id) => !tasks.has(id));
    if (commandTasks !== undefined && others.length > 0) {
      for (const task of await commandTasks.list(others, request.clientId)) tasks.set(task.id, task);
    }
    return ids.flatMap((id) => {
      const task = tasks.get(id);
      return task === undefined ? [] : [task];
    });
  };
  app.post<{ Body: { ids?: string[] } }>(
    '/mj/task/list-by-condition',
    { schema: { ...listRoute, body: listSchema } },
    listByIds,
  );
  app.post<{ Body: { ids?: string[] } }>(
    '/mj/task/list-by-ids',
    { schema: { ...listRoute, summary: 'The same as list-by-condition', body: listSchema } },
    listByIds,
  );

  const recent = proxyRoute("The caller's 100 newest tasks", { description: 'The tasks', ...taskListAnswer });
  app.get('/mj/task/list', { schema: recent }, async (request) => {
    const page = await ctx.store.list({ clientId: request.clientId, limit: 100 });
    return page.jobs.map((job) => toProxyTask(ctx.runner.fresh(job)));
  });

  const queue = proxyRoute("The caller's unfinished tasks", { description: 'The tasks', ...taskListAnswer });
  app.get('/mj/task/queue', { schema: queue }, async (request) => {
    const page = await ctx.store.list({
      clientId: request.clientId,
      statuses: ['queued', 'submitting', 'submitted', 'running'],
      limit: 100,
    });
    return page.jobs.map((job) => toProxyTask(ctx.runner.fresh(job)));
  });

  const cancel = proxyRoute('Cancel a task in flight');
  app.post<{ Params: { id: string } }>('/mj/task/:id/cancel', { schema: cancel }, async (request, reply) => {
    try {
      await ownedJob(ctx, request, request.params.id);
    } catch (error) {
      if (!(error instanceof UnknownJobError)) throw error;
      return reply.code(404).send(result(ProxyCode.NotFound, 'Task not found'));
    }
    const job = await ctx.runner.cancel(request.params.id, request.clientId);
    return result(ProxyCode.Success, 'Cancelled', job.id, { status: toProxyTask(job).status });
  });
}
