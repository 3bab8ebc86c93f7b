/**
 * Re-emits an account client's job events from the pool: job ids prefixed with the account
 * (`a1/job-3`, since every client counts its own jobs from 1) and tickets stamped with `accountId`.
 */
import type { EventEmitter } from 'eventemitter3';
import type { GenerationEvents, JobRef, SubmissionTicket } from '../generation/types.js';
import type { AccountGenerator, AccountPoolEvents } from './types.js';

const FORWARDED = [
  'submitted',
  'queued',
  'started',
  'progress',
  'resultSeen',
  'completed',
  'failed',
] as const;

/** Returns the undo. `debug` lines go through `debug` (prefixed with the account). */
export function forwardAccountEvents(
  accountId: string,
  generator: AccountGenerator,
  target: EventEmitter<AccountPoolEvents>,
  debug: (message: string) => void,
): () => void {
  const undo: (() => void)[] = [];
  for (const event of FORWARDED) {
    const listener = (job: JobRef, arg: never): void => {
      const ref: JobRef = { ...job, id: `${accountId}/${job.id}` };
      const value = event === 'submitted' ? { ...(arg as SubmissionTicket), accountId } : arg;
      (target.emit as (e: string, ...args: unknown[]) => boolean).call(target, event, ref, value);
    };
    generator.on(event, listener as (...args: GenerationEvents[typeof event]) => void);
    undo.push(() => generator.off(event, listener as (...args: GenerationEvents[typeof event]) => void));
  }
  const onDebug = (message: string): void => debug(`${accountId}: ${message}`);
  generator.on('debug', onDebug);
  undo.push(() => generator.off('debug', onDebug));
  return () => {
    for (const u of undo) u();
  };
}
