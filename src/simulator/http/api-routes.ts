/** The API routes the simulated Discord serves, relative to `/api/v10`. */

import type { Handler } from './handler-context.js';
import { createAttachmentSlots } from './handlers/attachments.js';
import {
  getChannelCommandIndex,
  getGuildCommandIndex,
  searchChannelCommands,
} from './handlers/command-index.js';
import { createMessage } from './handlers/create-message.js';
import { createDirectMessage } from './handlers/direct-messages.js';
import { createInteraction } from './handlers/interactions.js';
import { getChannelMessages } from './handlers/messages.js';
import { addReaction } from './handlers/reactions.js';
import { getCurrentUser } from './handlers/users.js';
import { RouteTable } from './routes.js';

export const API_ROUTES = new RouteTable<Handler>([
  { method: 'GET', path: '/users/@me', handler: getCurrentUser },
  { method: 'POST', path: '/users/@me/channels', handler: createDirectMessage },
  {
    method: 'PUT',
    path: '/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me',
    major: 'channel_id',
    handler: addReaction,
  },
  {
    method: 'GET',
    path: '/channels/{channel_id}/messages',
    major: 'channel_id',
    handler: getChannelMessages,
  },
  {
    method: 'POST',
    path: '/channels/{channel_id}/messages',
    major: 'channel_id',
    handler: createMessage,
  },
  { method: 'POST', path: '/interactions', handler: createInteraction },
  {
    method: 'POST',
    path: '/channels/{channel_id}/attachments',
    major: 'channel_id',
    handler: createAttachmentSlots,
  },
  {
    method: 'GET',
    path: '/guilds/{guild_id}/application-command-index',
    major: 'guild_id',
    handler: getGuildCommandIndex,
  },
  {
    method: 'GET',
    path: '/channels/{channel_id}/application-command-index',
    major: 'channel_id',
    handler: getChannelCommandIndex,
  },
  {
    method: 'GET',
    path: '/channels/{channel_id}/application-commands/search',
    major: 'channel_id',
    handler: searchChannelCommands,
  },
]);

/** The CDN's route template, as the request log and faults name it. */
export const CDN_ROUTE = 'GET /attachments/{path}';

/** The upload host's route template (Discord's is Google Cloud Storage; no token). */
export const UPLOAD_ROUTE = 'PUT /upload/{path}';
