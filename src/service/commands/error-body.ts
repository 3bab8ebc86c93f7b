/**
 * How the command routes answer a failure: a refused image or request 400, a Midjourney refusal
 * (moderation, invalid parameter, account) 422 with its code, anything else is left to the
 * route's error handler.
 */
import { isWorkerError, ValidationError } from '../../errors.js';
import { isImageInputError } from '../../images/errors.js';

export interface CommandFailure {
  status: number;
  body: { error: Record<string, unknown> };
}

export function commandFailure(error: unknown): CommandFailure | undefined {
  if (isImageInputError(error) || error instanceof ValidationError) {
    return { status: 400, body: { error: error.toJSON() } };
  }
  if (isWorkerError(error) && error.name !== 'AbortError') {
    return { status: 422, body: { error: error.toJSON() } };
  }
  return undefined;
}
