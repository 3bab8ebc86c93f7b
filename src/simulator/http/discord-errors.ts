/**
 * Discord's JSON error bodies, built the way Discord builds them: a numeric `code`, a `message`,
 * and for 50035 Invalid Form Body a nested `errors` tree whose leaves are `_errors` arrays.
 * https://discord.com/developers/docs/reference#error-messages
 */
import type { APIErrorBody, APIErrorTree } from '../../discord/types.js';

/** What a handler answers; the pipeline adds the common headers, faults and rate-limit headers. */
export interface SimResponse {
  status: number;
  /** JSON-serialised; omitted for 204. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Runs once the response has been handed to the socket (or the socket was reset after processing). */
  after?: () => void;
}

export function jsonResponse(status: number, body: unknown): SimResponse {
  return { status, body };
}

function error(status: number, code: number, message: string): SimResponse {
  return { status, body: { message, code } satisfies APIErrorBody };
}

export const DiscordErrors = {
  unauthorized: () => error(401, 0, '401: Unauthorized'),
  notFound: () => error(404, 0, '404: Not Found'),
  methodNotAllowed: () => error(405, 0, '405: Method Not Allowed'),
  internal: () => error(500, 0, '500: Internal Server Error'),
  unknownApplication: () => error(404, 10002, 'Unknown Application'),
  unknownChannel: () => error(404, 10003, 'Unknown Channel'),
  unknownGuild: () => error(404, 10004, 'Unknown Guild'),
  unknownMessage: () => error(404, 10008, 'Unknown Message'),
  unknownCommand: () => error(404, 10063, 'Unknown application command'),
  unknownInteraction: () => error(404, 10062, 'Unknown interaction'),
  tooLarge: () => error(413, 40005, 'Request entity too large'),
  invalidJson: () => error(400, 50109, 'The request body contains invalid JSON.'),
} as const;

/** Collects field errors into Discord's nested tree. */
export class FormErrors {
  private readonly tree: APIErrorTree = {};
  private count = 0;

  get empty(): boolean {
    return this.count === 0;
  }

  /** Adds an error at `path` (`['data', 'options', 0, 'value']`); an empty path is the body itself. */
  add(path: readonly (string | number)[], [code, message]: FieldErrorEntry): this {
    let node = this.tree;
    for (const key of path) {
      const name = String(key);
      const child = (node[name] as APIErrorTree | undefined) ?? {};
      node[name] = child;
      node = child;
    }
    const list = node._errors ?? [];
    list.push({ code, message });
    node._errors = list;
    this.count += 1;
    return this;
  }

  /** The 400 response, or undefined when nothing was added. */
  response(): SimResponse | undefined {
    if (this.empty) return undefined;
    return invalidFormBody(this.tree);
  }
}

export function invalidFormBody(errors: APIErrorTree): SimResponse {
  return { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors } satisfies APIErrorBody };
}

/** One `_errors` entry: Discord's error code and message. */
export type FieldErrorEntry = readonly [code: string, message: string];

const entry = (code: string, message: string): FieldErrorEntry => [code, message];

/** Field-level messages in Discord's wording. */
export const FieldError = {
  required: entry('BASE_TYPE_REQUIRED', 'This field is required'),
  notSnowflake: (value: unknown) => entry('NUMBER_TYPE_COERCE', `Value "${String(value)}" is not snowflake.`),
  notInt: (value: unknown) => entry('NUMBER_TYPE_COERCE', `Value "${String(value)}" is not int.`),
  notString: entry('BASE_TYPE_STRING', 'Must be a string.'),
  notObject: entry('DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType'),
  notArray: entry('LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType'),
  choices: (choices: readonly number[]) =>
    entry('BASE_TYPE_CHOICES', `Value must be one of (${choices.join(', ')}).`),
  min: (min: number) => entry('NUMBER_TYPE_MIN', `int value should be greater than or equal to ${min}.`),
  max: (max: number) => entry('NUMBER_TYPE_MAX', `int value should be less than or equal to ${max}.`),
  maxLength: (max: number) => entry('BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`),
  tooShort: (min: number) => entry('BASE_TYPE_MIN_LENGTH', `Must be ${min} or more in length.`),
} as const;
