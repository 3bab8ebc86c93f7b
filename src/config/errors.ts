import { WorkerError } from '../errors.js';

/** A missing or malformed configuration value; `problems` lists every one, by variable name. */
export class ConfigError extends WorkerError {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`,
    );
  }
}
