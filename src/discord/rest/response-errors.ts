/**
 * Turning a failed response or a transport failure into the typed errors of errors.ts. Pure
 * functions; the token is scrubbed here, where the error is built.
 * https://discord.com/developers/docs/reference#error-messages
 */
import { redactSecrets } from '../../util/logger.js';
import {
  DiscordAPIError,
  DiscordHTTPError,
  DiscordNetworkError,
  type FieldIssue,
  type RequestContext,
} from './errors.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIssueLeaf(value: unknown): value is { code: string; message: string } {
  return isObject(value) && typeof value.message === 'string' && typeof value.code === 'string';
}

/**
 * Flattens Discord's nested `errors` tree:
 * `{data: {options: {"0": {value: {_errors: [{code, message}]}}}}}` becomes
 * `{field: "data.options[0].value", code, message}`.
 */
export function flattenErrorTree(tree: unknown, path = ''): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!isObject(tree)) return issues;
  for (const [key, value] of Object.entries(tree)) {
    if (key === '_errors' && Array.isArray(value)) {
      for (const leaf of value) {
        if (isIssueLeaf(leaf))
          issues.push({ field: path || '(body)', code: leaf.code, message: leaf.message });
      }
      continue;
    }
    const child = /^\d+$/.test(key) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    // Older answers put {code, message} directly under the field.
    if (isIssueLeaf(value)) issues.push({ field: child, code: value.code, message: value.message });
    else issues.push(...flattenErrorTree(value, child));
  }
  return issues;
}

/**
 * The error for a non-2xx, non-429, non-401 response. `ambiguous` marks a non-idempotent request
 * that reached Discord and failed with a 5xx: it may have taken effect.
 */
export function errorFromResponse(
  context: RequestContext,
  status: number,
  body: unknown,
  ambiguous: boolean,
  secrets: readonly string[],
): DiscordAPIError | DiscordHTTPError {
  if (isObject(body) && typeof body.code === 'number' && typeof body.message === 'string') {
    const issues = flattenErrorTree(body.errors).map((issue) => ({
      ...issue,
      message: redactSecrets(issue.message, secrets),
    }));
    return new DiscordAPIError(
      context,
      status,
      body.code,
      redactSecrets(body.message, secrets),
      issues,
      ambiguous && status >= 500,
    );
  }
  const text = typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body);
  return new DiscordHTTPError(
    context,
    status,
    redactSecrets(text.slice(0, 200), secrets),
    ambiguous && status >= 500,
  );
}

/** Errors raised before anything was written to the socket: safe to retry even for a POST. */
export const CONNECT_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function errorCode(error: unknown): string | undefined {
  if (!isObject(error) && !(error instanceof Error)) return undefined;
  const record = error as { code?: unknown; cause?: unknown };
  if (typeof record.code === 'string') return record.code;
  return errorCode(record.cause);
}

/**
 * Wraps a transport failure. A connect error means nothing was sent; anything else may have
 * reached Discord, which makes a non-idempotent request ambiguous (not retried).
 */
export function networkError(
  context: RequestContext,
  error: unknown,
  idempotent: boolean,
  secrets: readonly string[],
): DiscordNetworkError {
  const code = errorCode(error);
  const sent = code === undefined || !CONNECT_ERROR_CODES.has(code);
  const rawMessage = error instanceof Error ? error.message : String(error);
  const message = redactSecrets(rawMessage, secrets);
  return new DiscordNetworkError(
    context,
    code,
    sent,
    sent && !idempotent,
    sanitizeCause(error, secrets),
    code !== undefined && !message.includes(code) ? `${message} (${code})` : message,
  );
}

/** The original error, or a redacted copy when its text mentions a secret (undici mocks echo headers). */
function sanitizeCause(error: unknown, secrets: readonly string[]): unknown {
  if (!(error instanceof Error)) return typeof error === 'string' ? redactSecrets(error, secrets) : error;
  const text = `${error.message}\n${error.stack ?? ''}`;
  if (redactSecrets(text, secrets) === text) return error;
  const copy = new Error(redactSecrets(error.message, secrets));
  copy.name = error.name;
  copy.stack = redactSecrets(error.stack ?? '', secrets);
  const code = errorCode(error);
  if (code !== undefined) Object.assign(copy, { code });
  return copy;
}
