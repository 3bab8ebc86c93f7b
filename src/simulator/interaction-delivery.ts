/**
 * What happens after `POST /interactions` answered 204, as a user account's gateway shows it:
 * INTERACTION_CREATE at once, then INTERACTION_SUCCESS when the application acknowledges, or
 * INTERACTION_FAILURE once Discord's 3 s acknowledgement deadline passes without one.
 */
import type { Snowflake } from '../discord/types.js';
import type { DispatchSink } from './discord-world.js';
import type { ScaledClock } from './sim-clock.js';
import type { AcceptedInteraction, AddedReaction, SimBot } from './world.js';

/** Discord's deadline for an application to acknowledge an interaction. */
export const ACKNOWLEDGE_DEADLINE_MS = 3_000;

export interface InteractionDeliveryDependencies {
  gateway: DispatchSink;
  clock: ScaledClock;
  /** The application the simulated bot answers for. */
  botApplicationId: Snowflake;
  /** Called when the bot throws; the interaction then fails like an unanswered one. */
  onBotError: (error: unknown) => void;
}

export class InteractionDelivery {
  private bot: SimBot | undefined;
  /** The interaction being handed to the bot right now, and whether it declined it. */
  private current: { id: Snowflake; failed: boolean; reason?: string } | undefined;

  constructor(private readonly deps: InteractionDeliveryDependencies) {}

  setBot(bot: SimBot): void {
    this.bot = bot;
  }

  deliver(interaction: AcceptedInteraction): void {
    const target = { userId: interaction.user.id };
    const event = { id: interaction.id, nonce: interaction.payload.nonce };
    this.deps.gateway.dispatch(target, 'INTERACTION_CREATE', event);
    const bot = this.bot;
    if (bot === undefined || interaction.payload.application_id !== this.deps.botApplicationId) {
      // No simulated application answers for other bots: the user sees the interaction fail.
      this.failLater(target, event, 'The application did not respond');
      return;
    }
    this.current = { id: interaction.id, failed: false };
    try {
      bot.handleInteraction(interaction);
    } catch (error) {
      this.current.failed = true;
      this.deps.onBotError(error);
    }
    const { failed, reason } = this.current;
    this.current = undefined;
    if (failed) this.failLater(target, event, reason ?? 'The application did not respond');
    else this.deps.gateway.dispatch(target, 'INTERACTION_SUCCESS', event);
  }

  /** A reaction on a message: the bot hears of it (Midjourney answers ✉️ with the seed by DM). */
  deliverReaction(reaction: AddedReaction): void {
    try {
      this.bot?.handleReaction?.(reaction);
    } catch (error) {
      this.deps.onBotError(error);
    }
  }

  /** SimWorld.failInteraction: only the interaction being handled can be declined. */
  fail(interactionId: Snowflake, reason?: string): boolean {
    if (this.current?.id !== interactionId) return false;
    this.current.failed = true;
    if (reason !== undefined) this.current.reason = reason;
    return true;
  }

  private failLater(
    target: { userId: Snowflake },
    event: { id: Snowflake; nonce: string },
    reason: string,
  ): void {
    this.deps.clock.after(ACKNOWLEDGE_DEADLINE_MS, () =>
      this.deps.gateway.dispatch(target, 'INTERACTION_FAILURE', { ...event, reason }),
    );
  }
}
