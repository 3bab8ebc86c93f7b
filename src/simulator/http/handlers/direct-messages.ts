/**
 * `POST /users/@me/channels` `{recipient_id}`: the DM channel with a bot (Midjourney or
 * niji・journey, the only recipients the simulator knows), where it sends seeds. Each bot has its
 * own channel with the user.
 * https://discord.com/developers/docs/resources/user#create-dm
 */
import { FieldError, FormErrors } from '../discord-errors.js';
import { type Handler, isIdLike, isRecord } from '../handler-context.js';

export const createDirectMessage: Handler = ({ state, user, body }) => {
  const recipient = isRecord(body) ? body.recipient_id : undefined;
  const errors = new FormErrors();
  if (!isIdLike(recipient)) errors.add(['recipient_id'], FieldError.notSnowflake(recipient));
  const invalid = errors.response();
  if (invalid) return invalid;
  const bot = state.users.bot(String(recipient));
  if (bot === undefined)
    return { status: 400, body: { code: 50007, message: 'Cannot send messages to this user' } };
  const id = state.world.openDirectMessage(user.user.id, bot.id);
  return { status: 200, body: { id, type: 1, last_message_id: null, recipients: [bot] } };
};
