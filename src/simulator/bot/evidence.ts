/**
 * Which evidence of its job a bot message carries. Real messages vary (MIDJOURNEY.md §8–9): the
 * `/imagine <prompt>` footer is confirmed on "Job queued" only; replies carry
 * `interaction_metadata`, the deprecated `interaction`, or both; the nonce is on the first reply
 * and, lately, on later messages too; button results reply to their source message or not.
 * By default every message carries the same evidence as ever; with a seed, each message draws
 * the fields the caller did not fix, so a run covers the combinations a client must handle, and
 * the seed replays it.
 */
import type {
  APIMessageInteraction,
  APIMessageInteractionMetadata,
  APIUser,
  Snowflake,
} from '../../discord/types.js';
import { InteractionType } from '../../discord/types.js';
import type { Random } from '../../util/clock.js';
import type { AcceptedInteraction } from '../world.js';
import { seededRandom } from './random.js';

/** The evidence one message carries. */
export interface MessageEvidence {
  /** Notices repeat the command in the embed footer (`/imagine <prompt>`). Default true. */
  footer: boolean;
  /** Which of Discord's two interaction objects a reply carries. Default 'both'. */
  interaction: 'metadata' | 'legacy' | 'both';
  /**
   * Later messages of a job carry the interaction nonce too, not only the first reply. Default
   * false; unless the caller fixes it or gives a seed, the job's later replies (a notice after its
   * waiting message) keep the nonce as they always did.
   */
  nonceOnLater: boolean;
  /** A button job's messages reply to the pressed message (type 19, `message_reference`). Default true. */
  reference: boolean;
}

/** `evidence` bot option: fixed fields, and a seed to vary the others per message. */
export type EvidenceOptions = Partial<MessageEvidence> & {
  /** Draws each message's unfixed fields from this seed; undefined: the defaults, always. */
  seed?: number | undefined;
};

export const DEFAULT_EVIDENCE: Readonly<MessageEvidence> = Object.freeze({
  footer: true,
  interaction: 'both',
  nonceOnLater: false,
  reference: true,
});

const INTERACTION_SHAPES = ['metadata', 'legacy', 'both'] as const;

/** Draws the evidence of each message. */
export class EvidencePolicy {
  private readonly random: Random | undefined;

  constructor(private readonly options: EvidenceOptions = {}) {
    this.random = options.seed === undefined ? undefined : seededRandom(options.seed);
  }

  /** Whether the nonce rule was asked for (a seed, or `nonceOnLater` fixed): see MessageEvidence. */
  get strictNonce(): boolean {
    return this.options.seed !== undefined || this.options.nonceOnLater !== undefined;
  }

  /** The seed in use, for failure messages (undefined: no variation). */
  get seed(): number | undefined {
    return this.options.seed;
  }

  next(): MessageEvidence {
    const { random, options } = this;
    const pick = <K extends keyof MessageEvidence>(
      key: K,
      draw: (r: Random) => MessageEvidence[K],
    ): MessageEvidence[K] =>
      (options[key] as MessageEvidence[K] | undefined) ?? (random ? draw(random) : DEFAULT_EVIDENCE[key]);
    return {
      footer: pick('footer', (r) => r() < 0.5),
      interaction: pick('interaction', (r) => INTERACTION_SHAPES[Math.floor(r() * 3)] ?? 'both'),
      nonceOnLater: pick('nonceOnLater', (r) => r() < 0.5),
      reference: pick('reference', (r) => r() < 0.5),
    };
  }
}

/** The interaction fields of a reply to `interaction`, in the shape `evidence` asks for. */
export function interactionFields(
  interaction: AcceptedInteraction,
  user: APIUser,
  evidence: MessageEvidence,
): { interaction_metadata?: APIMessageInteractionMetadata; interaction?: APIMessageInteraction } {
  const { payload } = interaction;
  const isCommand = payload.type === InteractionType.ApplicationCommand;
  const owners: Record<string, Snowflake> =
    payload.guild_id === undefined ? { '1': user.id } : { '0': payload.guild_id };
  const metadata: APIMessageInteractionMetadata = {
    id: interaction.id,
    type: payload.type,
    user,
    authorizing_integration_owners: owners,
  };
  if (isCommand) metadata.name = payload.data.name;
  else if (payload.type === InteractionType.MessageComponent)
    metadata.interacted_message_id = payload.message_id;
  const fields: ReturnType<typeof interactionFields> = {};
  if (evidence.interaction !== 'legacy') fields.interaction_metadata = metadata;
  // The deprecated object's `name` is certain for commands only; a button reply gets the metadata.
  if (evidence.interaction !== 'metadata' && isCommand) {
    fields.interaction = { id: interaction.id, type: payload.type, name: payload.data.name, user };
  }
  if (fields.interaction_metadata === undefined && fields.interaction === undefined) {
    fields.interaction_metadata = metadata;
  }
  return fields;
}
