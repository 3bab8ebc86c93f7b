/**
 * A preValidation hook bounding the free-form JSON fields of a body (depth, then bytes of JSON),
 * so an over-deep or oversized `metadata` is refused with FIELD_LIMIT_EXCEEDED before the
 * schema, the handler or the store ever walk it.
 */
import type { FastifyRequest } from 'fastify';
import { FieldLimitError } from '../errors.js';
import { checkJsonLimits, type JsonLimits } from '../jobs/json-limits.js';

export function limitJsonFields(
  fields: Readonly<Record<string, JsonLimits>>,
): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const body = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
    for (const [field, limits] of Object.entries(fields)) {
      if (!Object.hasOwn(body, field)) continue;
      const breach = checkJsonLimits((body as Record<string, unknown>)[field], limits);
      if (breach === undefined) continue;
      // A value JSON cannot write never came from a JSON body; refuse it as too large.
      if (breach.limit === 'serialisable')
        throw new FieldLimitError(`body.${field}`, 'bytes', limits.maxBytes);
      throw new FieldLimitError(`body.${field}`, breach.limit, breach.max);
    }
  };
}
