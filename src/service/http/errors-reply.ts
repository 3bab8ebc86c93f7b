/**
 * Turns whatever a route threw into the JSON error body and status: schema failures into one
 * 400 listing every problem, an oversized body into 413, service errors into their status (with
 * `Retry-After` when they say when), anything else into a logged 500 that reveals nothing.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  BadRequestError,
  BodyTooLargeError,
  HeadersTooLargeError,
  RequestTimeoutError,
  RequestValidationError,
  ServiceError,
  UnsupportedMediaTypeError,
  UriTooLongError,
} from '../errors.js';

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** One `where: what` line per ajv issue, e.g. `body.prompt: must be string`. */
export function describeValidation(context: string, issues: readonly AjvIssue[]): string[] {
  return issues.map((issue) => {
    const path = `${context}${issue.instancePath.replace(/\//g, '.')}`;
    if (issue.keyword === 'required') return `${path}.${String(issue.params.missingProperty)}: is required`;
    if (issue.keyword === 'additionalProperties') {
      return `${path}.${String(issue.params.additionalProperty)}: is not an accepted field`;
    }
    if (issue.keyword === 'pattern' && path.endsWith('.prompt')) return `${path}: must not be blank`;
    return `${path}: ${issue.message ?? issue.keyword}`;
  });
}

/** Fastify's own 4xx errors with a status that has its own service error. */
const BY_STATUS: Record<number, (contentType?: string) => ServiceError> = {
  408: () => new RequestTimeoutError(),
  414: () => new UriTooLongError(),
  431: () => new HeadersTooLargeError(),
};

/**
 * Maps Fastify's own errors (validation, body limit, bad JSON, bad URL, too long a parameter,
 * ...) to service errors, so every answer uses the documented envelope. Their messages can quote
 * the request (a path, a JSON fragment): they are replaced by fixed text, never passed on.
 */
export function normaliseError(error: unknown, bodyLimit: number, contentType?: string): unknown {
  if (error instanceof ServiceError) return error;
  const e = error as FastifyError & { validation?: AjvIssue[]; validationContext?: string };
  if (Array.isArray(e.validation)) {
    return new RequestValidationError(describeValidation(e.validationContext ?? 'body', e.validation));
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new BodyTooLargeError(bodyLimit);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new RequestValidationError([`body: ${e.message}`]);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new UnsupportedMediaTypeError(contentType);
    case 'FST_ERR_BAD_URL':
      return new BadRequestError('The request path is not valid percent-encoding');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new BadRequestError('Content-Length does not match the body');
    default:
      break;
  }
  if (e instanceof SyntaxError || (e.statusCode === 400 && e.code === undefined)) {
    return new RequestValidationError(['body: is not valid JSON']);
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 0;
  if (status >= 400 && status < 500) {
    if (status === 413) return new BodyTooLargeError(bodyLimit);
    if (status === 415) return new UnsupportedMediaTypeError(contentType);
    return BY_STATUS[status]?.(contentType) ?? new BadRequestError('The request is malformed');
  }
  return error;
}

export function retryAfterSeconds(error: unknown): number | undefined {
  const retryAfter = (error as { retryAfter?: unknown }).retryAfter;
  return typeof retryAfter === 'number' && Number.isFinite(retryAfter)
    ? Math.max(1, Math.ceil(retryAfter / 1000))
    : undefined;
}

/** The /v1 error handler: `{ error: { name, code, message, ...facts } }`. */
export function sendV1Error(error: unknown, request: FastifyRequest, reply: FastifyReply, bodyLimit: number) {
  const e = normaliseError(error, bodyLimit, request.headers['content-type']);
  if (e instanceof ServiceError) {
    request.refusalCode = e.code;
    const retryAfter = retryAfterSeconds(e);
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
    return reply.code(e.status).send({ error: e.toJSON() });
  }
  request.log.error({ err: e }, 'unhandled error');
  return reply.code(500).send({
    error: { name: 'InternalError', code: 'INTERNAL_ERROR', message: 'Internal server error' },
  });
}
