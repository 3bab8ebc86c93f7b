/**
 * Checks of the arguments callers pass to RestClient methods, so a bad id or query fails here with
 * a message naming the argument, not later as an opaque Discord 400 that costs an invalid request.
 */
import { ValidationError } from '../../errors.js';
import { isSnowflake } from '../../util/snowflake.js';
import type { GetMessagesQuery, InteractionPayload } from '../types.js';

function snowflakeProblem(name: string, value: unknown): string | undefined {
  return typeof value === 'string' && isSnowflake(value)
    ? undefined
    : `${name}: expected a Discord snowflake (17-20 digits), got ${JSON.stringify(value)}`;
}

function fail(operation: string, problems: (string | undefined)[]): void {
  const found = problems.filter((p): p is string => p !== undefined);
  if (found.length > 0) throw new ValidationError(`Invalid arguments to ${operation}`, found);
}

export function checkSnowflakeArgument(operation: string, name: string, value: unknown): void {
  fail(operation, [snowflakeProblem(name, value)]);
}

/** `GET /channels/{id}/messages`: limit 1-100; `around`, `before`, `after` are exclusive. */
export function messagesQueryString(channelId: unknown, query: GetMessagesQuery): string {
  const problems = [snowflakeProblem('channelId', channelId)];
  const params = new URLSearchParams();
  if (query.limit !== undefined) {
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 100) {
      problems.push(`limit: expected an integer from 1 to 100, got ${JSON.stringify(query.limit)}`);
    } else {
      params.set('limit', String(query.limit));
    }
  }
  const anchors = (['around', 'before', 'after'] as const).filter((k) => query[k] !== undefined);
  if (anchors.length > 1)
    problems.push(`${anchors.join(', ')}: only one of around, before, after may be given`);
  for (const key of anchors) {
    problems.push(snowflakeProblem(key, query[key]));
    params.set(key, String(query[key]));
  }
  fail('getMessages', problems);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** The fields Discord needs to route an interaction; the rest is the Midjourney layer's business. */
export function checkInteractionPayload(payload: InteractionPayload): void {
  const value = payload as unknown as Record<string, unknown> | null;
  if (typeof value !== 'object' || value === null) {
    fail('createInteraction', ['payload: expected an object']);
    return;
  }
  fail('createInteraction', [
    value.type === 2 || value.type === 3 || value.type === 5
      ? undefined
      : `type: expected 2, 3 or 5, got ${JSON.stringify(value.type)}`,
    snowflakeProblem('application_id', value.application_id),
    snowflakeProblem('channel_id', value.channel_id),
    value.guild_id === undefined ? undefined : snowflakeProblem('guild_id', value.guild_id),
    typeof value.session_id === 'string' && value.session_id.length > 0
      ? undefined
      : 'session_id: expected a non-empty string',
    snowflakeProblem('nonce', value.nonce),
    typeof value.data === 'object' && value.data !== null ? undefined : 'data: expected an object',
  ]);
}
