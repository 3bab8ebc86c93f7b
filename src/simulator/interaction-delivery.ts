/**
 * What happens after `POST /interactions` answered 204, as a user account's gateway shows it:
 * INTERACTION_CREATE at once, then INTERACTION_SUCCESS when the application acknowledges, or
 * INTERACTION_FAILURE once Discord's 3 s acknowledgement deadline passes without one. An
 * application that answers with a modal sends INTERACTION_MODAL_CREATE (or
 * INTERACTION_IFRAME_MODAL_CREATE) instead of SUCCESS; the modal's id is the interaction's, and a
 * modal submit naming it is accepted once, from the same user (see /work/shared/MIDJOURNEY.md,
 * "Beyond /imagine" § 7).
 */
import type { Snowflake } from '../discord/types.js';
import type { DispatchSink } from './discord-world.js';
import type { ScaledClock } from './sim-clock.js';
import type { AcceptedInteraction, AddedReaction, InpaintSubmit, SimBot, SimModal } from './world.js';

/** A modal opened and not yet submitted. */
export interface OpenModal {
  id: Snowflake;
  userId: Snowflake;
  applicationId: Snowflake;
  channelId: Snowflake;
  customId: string;
  iframe: boolean;
}

/** Discord's deadline for an application to acknowledge an interaction. */
export const ACKNOWLEDGE_DEADLINE_MS = 3_000;

export interface InteractionDeliveryDependencies {
  gateway: DispatchSink;
  clock: ScaledClock;
  /** Called when a bot throws; the interaction then fails like an unanswered one. */
  onBotError: (error: unknown) => void;
}

export class InteractionDelivery {
  /** The simulated applications, by application id: an interaction reaches only its own. */
  private readonly bots = new Map<Snowflake, SimBot>();
  /** The interaction being handed to the bot right now, and whether it declined it. */
  private current:
    | { id: Snowflake; failed: boolean; reason?: string; modal?: { draft: SimModal; iframe: boolean } }
    | undefined;
  private readonly modals = new Map<Snowflake, OpenModal>();

  constructor(private readonly deps: InteractionDeliveryDependencies) {}

  /** The bot answering interactions addressed to `applicationId`. */
  setBot(applicationId: Snowflake, bot: SimBot): void {
    this.bots.set(applicationId, bot);
  }

  deliver(interaction: AcceptedInteraction): void {
    const target = { userId: interaction.user.id };
    const event = { id: interaction.id, nonce: interaction.payload.nonce };
    this.deps.gateway.dispatch(target, 'INTERACTION_CREATE', event);
    const bot = this.bots.get(interaction.payload.application_id);
    if (bot === undefined) {
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
    const { failed, reason, modal } = this.current;
    this.current = undefined;
    if (failed) this.failLater(target, event, reason ?? 'The application did not respond');
    else if (modal) {
      this.modals.set(interaction.id, {
        id: interaction.id,
        userId: interaction.user.id,
        applicationId: interaction.payload.application_id,
        channelId: interaction.payload.channel_id,
        customId: modal.draft.custom_id,
        iframe: modal.iframe,
      });
      this.deps.gateway.dispatch(
        target,
        modal.iframe ? 'INTERACTION_IFRAME_MODAL_CREATE' : 'INTERACTION_MODAL_CREATE',
        { ...event, ...modal.draft, application: { id: interaction.payload.application_id } },
      );
    } else this.deps.gateway.dispatch(target, 'INTERACTION_SUCCESS', event);
  }

  /** SimWorld.openModal: only the interaction being handled can be answered with a modal. */
  openModal(interactionId: Snowflake, draft: SimModal, iframe = false): boolean {
    if (this.current?.id !== interactionId) return false;
    this.current.modal = { draft: structuredClone(draft), iframe };
    return true;
  }

  /** The open text modal `id` of `userId`, for validating a modal submit. */
  modal(id: Snowflake, userId: Snowflake): OpenModal | undefined {
    const found = this.modals.get(id);
    return found !== undefined && found.userId === userId && !found.iframe ? found : undefined;
  }

  /** A modal is answered once. */
  closeModal(id: Snowflake): void {
    this.modals.delete(id);
  }

  /**
   * Vary (Region)'s editor posted a mask: the bot decides. False when no iframe modal with that
   * token is open.
   */
  deliverInpaint(submit: InpaintSubmit): boolean {
    const token = submit.customId;
    const open = [...this.modals.values()].find((m) => m.iframe && m.customId === `MJ::iframe::${token}`);
    if (open === undefined) return false;
    try {
      if (this.bots.get(open.applicationId)?.handleInpaint?.(submit) !== 'accepted') return false;
    } catch (error) {
      this.deps.onBotError(error);
      return false;
    }
    this.modals.delete(open.id);
    return true;
  }

  /**
   * A reaction on a message: the bots hear of it (Midjourney answers ✉️ with the seed by DM); each
   * answers only for its own jobs' messages.
   */
  deliverReaction(reaction: AddedReaction): void {
    for (const bot of this.bots.values()) {
      try {
        bot.handleReaction?.(reaction);
      } catch (error) {
        this.deps.onBotError(error);
      }
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
