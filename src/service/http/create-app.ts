/**
 * The Fastify instance with the service's HTTP conventions: pino logging without per-request
 * lines, a body limit, ajv reporting every problem, JSON only, and every error answer in the
 * documented envelope, Fastify's and Node's own included (bad URL, too long a parameter, headers
 * over the limit, a broken request, a request during shutdown). No error answer repeats the
 * request's path or body.
 */
import type { Socket } from 'node:net';
import Fastify, { LogController } from 'fastify';
import type { Logger } from 'pino';
import {
  BadRequestError,
  FieldLimitError,
  HeadersTooLargeError,
  RequestTimeoutError,
  type ServiceError,
} from '../errors.js';
import { BODY_MAX_DEPTH, exceedsDepth } from '../jobs/json-limits.js';
import { sendV1Error } from './errors-reply.js';
import type { ServiceApp } from './service-app.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The API key name the request authenticated as. */
    clientId: string;
    /** The error code the request was refused with, '' when it was not (refund-policy.ts). */
    refusalCode: string;
  }
}

/** The service error for a connection-level problem Node reports before Fastify sees a request. */
export function clientErrorOf(error: NodeJS.ErrnoException): ServiceError {
  if (error.code === 'HPE_HEADER_OVERFLOW') return new HeadersTooLargeError();
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return new RequestTimeoutError();
  return new BadRequestError('The request is malformed');
}

/** Node's `clientError` answer, written straight to the socket, in the envelope. */
function onClientError(logger: Logger, error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset or destroyed socket has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const e = clientErrorOf(error);
  logger.debug({ code: error.code, status: e.status }, 'client error');
  const body = JSON.stringify({ error: e.toJSON() });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${e.status} ${e.name}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
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
    // Requests during shutdown get SERVICE_CLOSING from the request hooks, in the envelope.
    return503OnClosing: false,
    forceCloseConnections: true,
    // Bad percent-encoding, too long a path parameter: Fastify's answer quotes the path.
    frameworkErrors: (error, request, reply) => sendV1Error(error, request, reply, options.bodyLimitBytes),
    clientErrorHandler: (error: NodeJS.ErrnoException, socket: Socket) =>
      onClientError(options.logger, error, socket),
  });
  // Response schemas describe the answers for the OpenAPI document (answer-schemas.ts); they do
  // not serialize them: fast-json-stringify would silently drop a field a schema does not list.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.decorateRequest('clientId', '');
  app.decorateRequest('refusalCode', '');
  // JSON only: a text/plain body would otherwise reach the schema as a string.
  app.removeContentTypeParser('text/plain');
  // Before the schema and any handler walk it: no body may nest deeper than BODY_MAX_DEPTH.
  // A callback hook: it runs for every request, and a promise each time would cost for nothing.
  app.addHook('preValidation', (request, _reply, done) => {
    if (typeof request.body === 'object' && exceedsDepth(request.body, BODY_MAX_DEPTH)) {
      done(new FieldLimitError('body', 'depth', BODY_MAX_DEPTH));
      return;
    }
    done();
  });
  app.setErrorHandler((error, request, reply) => sendV1Error(error, request, reply, options.bodyLimitBytes));
  app.setNotFoundHandler((request, reply) => {
    request.refusalCode = 'ROUTE_NOT_FOUND';
    return reply.code(404).send({
      error: {
        name: 'NotFound',
        code: 'ROUTE_NOT_FOUND',
        // The method is one Node's parser accepted; the path is the client's and is not repeated.
        message: `No route for ${request.method} at this path`,
      },
    });
  });
  return app;
}
