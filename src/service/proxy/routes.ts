/**
 * midjourney-proxy compatible routes under /mj, so apps written for novicezk/midjourney-proxy or
 * the trueai-org fork work unchanged: same paths, field names, result codes and `notifyHook`
 * callback. The mapping is documented in docs/midjourney-proxy.md.
 */
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';
import { registerProxyAccountRoutes } from './account-routes.js';
import { registerProxyCommandRoutes } from './command-routes.js';
import { CommandTaskTable } from './command-tasks.js';
import { sendProxyError } from './submit-result.js';
import { registerProxySubmitRoutes } from './submit-routes.js';
import { registerProxyTaskRoutes } from './task-routes.js';

export async function registerProxyRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  // Errors in the proxy's own shape, for the routes of this scope only.
  app.setErrorHandler((error, request, reply) =>
    sendProxyError(error, request, reply, ctx.config.bodyLimitBytes),
  );
  // Settled DESCRIBE / BLEND / SHORTEN tasks are kept in the job store, answered after a restart.
  const commandTasks = new CommandTaskTable(ctx.store, (error, id) =>
    app.log.warn({ err: error, taskId: id }, 'could not store a command task'),
  );
  await registerProxySubmitRoutes(app, ctx);
  await registerProxyCommandRoutes(app, ctx, commandTasks);
  await registerProxyTaskRoutes(app, ctx, commandTasks);
  await registerProxyAccountRoutes(app, ctx);
}
