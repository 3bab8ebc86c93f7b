/**
 * midjourney-proxy's answer shapes: the submit result `{code, description, result, properties}`
 * with its ReturnCode values, and errors in the same shape at the HTTP status they imply.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '../errors.js';
import { normaliseError, retryAfterSeconds } from '../http/errors-reply.js';

/** midjourney-proxy's ReturnCode values. */
export const ProxyCode = {
  Success: 1,
  NotFound: 3,
  ValidationError: 4,
  Failure: 9,
  Existed: 21,
  InQueue: 22,
  QueueRejected: 23,
  BannedPrompt: 24,
} as const;

export interface SubmitResult {
  code: number;
  description: string;
  result: string | null;
  properties: Record<string, unknown>;
}

export const result = (
  code: number,
  description: string,
  id: string | null = null,
  properties: Record<string, unknown> = {},
): SubmitResult => ({ code, description, result: id, properties });

/**
 * The proxy's answer to a body that is wrong by itself (code 4, HTTP 200 as midjourney-proxy
 * answers): marked as a validation refusal, so the caller's requests token is given back.
 */
export function invalidBody(request: FastifyRequest, description: string): SubmitResult {
  request.refusalCode = 'VALIDATION_FAILED';
  return result(ProxyCode.ValidationError, description);
}

/** The proxy's error body, at the HTTP status the error implies. */
export function sendProxyError(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  bodyLimit: number,
) {
  const e = normaliseError(error, bodyLimit, request.headers['content-type']);
  if (e instanceof ServiceError) {
    request.refusalCode = e.code;
    const retryAfter = retryAfterSeconds(e);
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
    const code =
      e.status === 400 || e.status === 413 || e.status === 415 || e.status === 422
        ? ProxyCode.ValidationError
        : e.status === 404
          ? ProxyCode.NotFound
          : ProxyCode.Failure;
    const { name, code: errorCode, message, ...facts } = e.toJSON();
    return reply.code(e.status).send(result(code, e.message, null, { errorName: name, errorCode, ...facts }));
  }
  request.log.error({ err: e }, 'unhandled error');
  return reply.code(500).send(result(ProxyCode.Failure, 'Internal server error'));
}
