import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

export const REDACTED = '[REDACTED]';

/** Replaces every occurrence of each secret in `text`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 8) out = out.replaceAll(secret, REDACTED);
  return out;
}

/** Header names whose values are credentials. */
export const SECRET_HEADER_PATTERN = /^(authorization|x-api-key|cookie|set-cookie|x-signature.*)$/i;

export interface CreateLoggerOptions {
  level?: string;
  /** Secrets to scrub from every line written, wherever they appear (the Discord token). */
  secrets?: readonly string[];
  /** Where lines go; stderr by default so stdout stays clean for `--json`. */
  destination?: DestinationStream;
  name?: string;
}

/**
 * A pino logger that cannot print the token: known secret-bearing paths are censored, and as a
 * second line of defence every serialized line is scrubbed of the secrets' text.
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length > 0);
  return pino(
    {
      name: options.name ?? 'mjw',
      level: options.level ?? 'info',
      redact: {
        paths: [
          'token',
          '*.token',
          'authorization',
          'headers.authorization',
          'headers.Authorization',
          '*.headers.authorization',
          '*.headers.Authorization',
          'config.credentials.token',
          'credentials.token',
        ],
        censor: REDACTED,
      },
      hooks: secrets.length > 0 ? { streamWrite: (line: string) => redactSecrets(line, secrets) } : {},
    },
    options.destination ?? pino.destination({ fd: 2, sync: false }),
  );
}

/** A logger that writes nothing, for library defaults. */
export const silentLogger: Logger = pino({ level: 'silent' });
