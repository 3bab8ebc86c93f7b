/**
 * A tiny SimBot for contract tests of the simulated Discord: it answers each interaction with one
 * message (carrying the nonce) that has a button, or declines it when told to.
 */
import type { AcceptedInteraction, SimBot, SimWorld } from '../../../src/simulator/index.js';

export const ECHO_BUTTON = 'MJ::JOB::upsample::1::0b5a6cde-0000-4000-8000-000000000001';

export class EchoBot implements SimBot {
  readonly received: AcceptedInteraction[] = [];
  /** Decline the next interactions (SimWorld.failInteraction). */
  decline = false;
  /** Simulated ms before the answer, so INTERACTION_SUCCESS comes first as on Discord. */
  answerDelayMs = 10;
  stopped = false;

  constructor(readonly world: SimWorld) {}

  handleInteraction(interaction: AcceptedInteraction): void {
    this.received.push(interaction);
    if (this.decline) {
      this.world.failInteraction?.(interaction.id, 'declined by the test');
      return;
    }
    const { payload } = interaction;
    const text = payload.type === 2 ? String(payload.data.options[0]?.value ?? '') : payload.data.custom_id;
    this.world.clock.after(this.answerDelayMs, () => {
      if (this.stopped) return;
      this.world.postMessage(payload.channel_id, {
        content: `**${text}** - <@${interaction.user.id}> (fast)`,
        nonce: payload.nonce,
        components: [{ type: 1, components: [{ type: 2, style: 2, label: 'U1', custom_id: ECHO_BUTTON }] }],
      });
    });
  }

  stop(): void {
    this.stopped = true;
  }
}
