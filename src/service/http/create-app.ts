/**
 * The Fastify instance with the service's HTTP conventions: pino logging without per-request
 * lines, a body limit, ajv reporting every problem, JSON only, and JSON errors for the /v1 API.
 */
import Fastify, { LogController } from 'fastify';
import type { Logger } from 'pino';
import { sendV1Error } from './errors-reply.js';
import type { ServiceApp } from './service-app.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The API key name the request authenticated as. */
    clientId: string;
  }
}

export function createHttpApp(options: { logger: Logger; bodyLimitBytes: number }): ServiceApp {
  const app = Fastify({
    loggerInstance: options.logger,
    // Per-request lines would dominate the log; /metrics counts requests instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes,
    // Every problem in a body at once; unknown fields reported, not stripped; no silent coercion.
    ajv: {
      customOptions: { allErrors: true, removeAdditional: false, coerceTypes: false, useDefaults: false },
    },
    return503OnClosing: true,
    forceCloseConnections: true,
  });
  app.decorateRequest('clientId', '');
  // JSON only: a text/plain body would otherwise reach the schema as a string.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((error, request, reply) => sendV1Error(error, request, reply, options.bodyLimitBytes));
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: {
        name: 'NotFound',
        code: 'ROUTE_NOT_FOUND',
        message: `No route ${request.method} ${request.url}`,
      },
    }),
  );
  return app;
}
