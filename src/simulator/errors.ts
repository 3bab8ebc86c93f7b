/**
 * Errors the simulator raises to its own callers (a test, the CLI, the bot): bad options and
 * misuse of the SimWorld seam. What the simulated Discord answers over HTTP is not an error here;
 * it is a response body (see http/discord-errors.ts).
 */
import { WorkerError } from '../errors.js';

/** A simulator option outside its accepted range; names the option and what it accepts. */
export class SimulatorOptionsError extends WorkerError {
  override readonly name = 'SimulatorOptionsError';
  readonly code = 'SIM_INVALID_OPTION';
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`Invalid simulator option ${option}: ${message}`);
  }
}

/** The bot (or a test) addressed a channel the simulated guild does not have. */
export class SimulatorUnknownChannelError extends WorkerError {
  override readonly name = 'SimulatorUnknownChannelError';
  readonly code = 'SIM_UNKNOWN_CHANNEL';
  constructor(readonly channelId: string) {
    super(`The simulator has no channel ${channelId}`);
  }
}

export function isSimulatorOptionsError(value: unknown): value is SimulatorOptionsError {
  return value instanceof SimulatorOptionsError;
}
