/**
 * The CLI's logger: pino at LOG_LEVEL (`--verbose` makes it debug), written to the command's
 * stderr in one format per stream. A terminal gets human lines (`12:00:01 WARN  mjw-serve: msg
 * key=value`) like the rest of what the commands print there; a pipe or a file gets pino's JSON
 * lines, and a long-running command (serve, worker) then sends its own messages through the logger
 * too, so a log collector reads one format. pino-pretty is not a dependency: the human format is
 * this file's few lines.
 */
import type { DestinationStream } from 'pino';
import type { LogLevel } from '../config/index.js';
import { createLogger, type Logger } from '../util/logger.js';
import type { CommandContext } from './command.js';

export type LogFormat = 'pretty' | 'json';

const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** pino's JSON line as one human line; a line that is not JSON passes through. */
export function prettyLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const { level, time, name, msg, pid: _pid, hostname: _host, ...rest } = record;
  const when = typeof time === 'number' ? new Date(time).toISOString().slice(11, 19) : '';
  const label = (LEVEL_NAMES[level as number] ?? String(level)).padEnd(5);
  const fields = Object.entries(rest)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${when} ${label} ${name === undefined ? '' : `${String(name)}: `}${String(msg ?? '')}${fields ? ` ${fields}` : ''}\n`;
}

/** The format a stream gets: human on a terminal, JSON otherwise. */
export function logFormatFor(stream: { isTTY?: boolean }): LogFormat {
  return stream.isTTY === true ? 'pretty' : 'json';
}

export interface CliLoggerOptions {
  level: LogLevel;
  name: string;
  secrets?: readonly string[];
  /** Default: pretty on a TTY, JSON otherwise. */
  format?: LogFormat;
}

export function createCliLogger(ctx: Pick<CommandContext, 'stderr'>, options: CliLoggerOptions): Logger {
  const format = options.format ?? logFormatFor(ctx.stderr);
  const destination: DestinationStream = {
    write: (line: string) => {
      ctx.stderr.write(format === 'pretty' ? prettyLine(line) : line);
    },
  };
  return createLogger({
    level: options.level,
    name: options.name,
    destination,
    ...(options.secrets ? { secrets: options.secrets } : {}),
  });
}

/**
 * A command's own messages (`mjw serve: listening on ...`): plain lines on a terminal; on a stream
 * that carries JSON logs, a JSON line of the same shape (level info, shown at any LOG_LEVEL as the
 * plain line is), so the stream holds one format.
 */
export function commandSay(
  ctx: Pick<CommandContext, 'stderr'>,
  prefix: string,
  format: LogFormat = logFormatFor(ctx.stderr),
): (message: string) => void {
  const name = prefix.replace(' ', '-');
  return (message) => {
    if (format === 'json') {
      ctx.stderr.write(
        `${JSON.stringify({ level: 30, time: Date.now(), pid: process.pid, name, msg: message })}\n`,
      );
    } else {
      ctx.stderr.write(`${prefix}: ${message}\n`);
    }
  };
}
