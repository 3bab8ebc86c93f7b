/**
 * Sends one job's interaction and applies the send rule (`send-rule.ts`) to a failure: the only
 * second POST follows an outdated command version (Discord refused it, nothing ran). A POST that
 * may have reached Discord (timeout, reset after connecting, 5xx) is never sent again: the job is
 * watched, and the report carries that failure as `unconfirmed`; the job rejects with
 * `SubmissionUncertainError` only if nothing of it shows up.
 */
import type { DiscordApi } from '../discord/rest/api.js';
import type { InteractionPayload } from '../discord/types.js';
import { sendFailureAction } from './send-rule.js';

export interface SubmitOptions {
  api: Pick<DiscordApi, 'createInteraction'>;
  /** Builds the payload; called again after a command refresh (new version). */
  build: () => Promise<InteractionPayload>;
  /** Re-discovers the command after an outdated-version refusal; absent for button presses. */
  refreshCommand?: (signal: AbortSignal | undefined) => Promise<void>;
  /** Asks the watcher to look at the channel now (the job may already be running). */
  wake: () => void;
  signal?: AbortSignal | undefined;
  debug: (message: string) => void;
}

/** What happened on the way. */
export interface SubmitReport {
  /** POSTs made (1 or 2). */
  attempts: number;
  refreshedCommand: boolean;
  /**
   * The last POST failed in a way that may have reached Discord, and nothing of the job was seen
   * yet: whether it runs is unknown. Watch it; this is the cause if nothing shows.
   */
  unconfirmed?: Error;
}

export async function submitInteraction(options: SubmitOptions): Promise<SubmitReport> {
  const { api, signal } = options;
  const report: SubmitReport = { attempts: 0, refreshedCommand: false };
  for (;;) {
    const payload = await options.build();
    signal?.throwIfAborted();
    report.attempts += 1;
    try {
      await api.createInteraction(payload, signal ? { signal } : {});
      return report;
    } catch (error) {
      if (signal?.aborted) throw error;
      const action = sendFailureAction({
        error,
        refreshed: report.refreshedCommand,
        canRefresh: options.refreshCommand !== undefined,
        // Only a definite refusal is ever followed by another POST, so none before this may have run.
        maybeSentBefore: false,
      });
      if (action === 'fail') throw error;
      if (action === 'refresh-and-resend' && options.refreshCommand) {
        options.debug('command version outdated: refreshing it and sending once more');
        report.refreshedCommand = true;
        await options.refreshCommand(signal);
        continue;
      }
      options.debug(
        `ambiguous send (${(error as Error).message}); never sent again: watching for the job instead`,
      );
      options.wake();
      report.unconfirmed = error as Error;
      return report;
    }
  }
}
