/**
 * Sends one job's interaction, with the two recoveries that may send it a second time, each at
 * most once:
 * - an outdated command version (Discord refused it, nothing ran): refresh the command, resend;
 * - an ambiguous failure (the POST may have reached Discord: reset after sending, timeout, 5xx):
 *   look for the job in the channel for a grace period first, and resend only if nothing of it
 *   appeared. A blind retry could start a second paid job.
 * Once a POST may have reached Discord, a later failure does not end the job: the first one may
 * still run. The report then carries that failure as `unconfirmed`, and the job is watched; it
 * fails with it only if nothing of the job shows up.
 */
import type { DiscordApi } from '../discord/rest/api.js';
import { isAmbiguousSubmission } from '../discord/rest/errors.js';
import type { InteractionPayload } from '../discord/types.js';
import { isOutdatedCommandError } from '../midjourney/commands.js';

export interface SubmitOptions {
  api: Pick<DiscordApi, 'createInteraction'>;
  /** Builds the payload; called again after a command refresh (new version). */
  build: () => Promise<InteractionPayload>;
  /** Re-discovers the command after an outdated-version refusal; absent for button presses. */
  refreshCommand?: (signal: AbortSignal | undefined) => Promise<void>;
  /** Resolves true when anything of the job shows up within `ms`. */
  waitSeen: (ms: number, signal?: AbortSignal) => Promise<boolean>;
  /** Asks the watcher to look at the channel now. */
  wake: () => void;
  /**
   * One fresh observation of the channel: true once applied, false when none could be made (polls
   * failing). Not seeing the job proves nothing unless the channel was seen; without it, assumed.
   */
  look?: (signal: AbortSignal | undefined) => Promise<boolean>;
  /** How long to look for the job after an ambiguous failure before resending (ms). */
  ambiguousGraceMs: number;
  signal?: AbortSignal | undefined;
  debug: (message: string) => void;
}

/** What happened on the way. */
export interface SubmitReport {
  /** POSTs made (1 or 2). */
  attempts: number;
  refreshedCommand: boolean;
  /** An ambiguous failure was followed by the job appearing: it had gone through. */
  recoveredAmbiguous: boolean;
  /**
   * The last POST failed after an earlier one that may have reached Discord, and nothing of the
   * job was seen yet: whether it runs is unknown. Watch it; this is the outcome if nothing shows.
   */
  unconfirmed?: Error;
}

export async function submitInteraction(options: SubmitOptions): Promise<SubmitReport> {
  const { api, signal } = options;
  const report: SubmitReport = { attempts: 0, refreshedCommand: false, recoveredAmbiguous: false };
  let resent = false;
  /** An earlier POST may have reached Discord. */
  let maybeSent = false;
  for (;;) {
    let payload: InteractionPayload;
    try {
      payload = await options.build();
    } catch (error) {
      // Building the resend failed (the command lookup, the session): the first send may still run.
      if (!maybeSent || signal?.aborted) throw error;
      options.debug(`could not build the resend (${(error as Error).message}); watching for the job instead`);
      report.unconfirmed = error as Error;
      return report;
    }
    signal?.throwIfAborted();
    report.attempts += 1;
    try {
      await api.createInteraction(payload, signal ? { signal } : {});
      return report;
    } catch (error) {
      if (signal?.aborted) throw error;
      if (!resent && options.refreshCommand && isOutdatedCommandError(error)) {
        options.debug('command version outdated: refreshing it and sending once more');
        resent = true;
        report.refreshedCommand = true;
        await options.refreshCommand(signal);
        continue;
      }
      const ambiguous = isAmbiguousSubmission(error);
      if (!ambiguous && !maybeSent) throw error;
      if (ambiguous) {
        options.debug(`ambiguous send (${(error as Error).message}); looking for the job before any resend`);
        maybeSent = true;
        options.wake();
        if (await options.waitSeen(options.ambiguousGraceMs, signal)) {
          report.recoveredAmbiguous = true;
          return report;
        }
        // Absence counts only if the channel was actually observed after the grace.
        const observed = options.look ? await options.look(signal) : true;
        if (await options.waitSeen(0, signal)) {
          report.recoveredAmbiguous = true;
          return report;
        }
        if (!observed) {
          options.debug('the channel could not be observed: not resending, watching for the job instead');
          report.unconfirmed = error as Error;
          return report;
        }
      }
      if (resent) {
        options.debug(
          `sending failed again (${(error as Error).message}); the first send may still run: watching`,
        );
        report.unconfirmed = error as Error;
        return report;
      }
      resent = true;
      options.debug(`nothing of the job within ${options.ambiguousGraceMs} ms: sending it once more`);
    }
  }
}
