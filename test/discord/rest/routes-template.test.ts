import { describe, expect, it } from 'vitest';
import { routeFor, routeTemplate } from '../../../src/discord/rest/routes.js';

describe('routeTemplate', () => {
  it.each([
    ['GET', '/channels/1234567890123456789/messages?limit=50', 'GET /channels/:channel_id/messages'],
    [
      'PATCH',
      '/channels/1234567890123456789/messages/2234567890123456789',
      'PATCH /channels/:channel_id/messages/:id',
    ],
    ['POST', '/interactions', 'POST /interactions'],
    ['GET', '/users/@me', 'GET /users/@me'],
    [
      'GET',
      '/guilds/1234567890123456789/application-command-index',
      'GET /guilds/:guild_id/application-command-index',
    ],
  ] as const)('%s %s → %s', (method, path, template) => {
    expect(routeTemplate(routeFor(method, path).key)).toBe(template);
  });
});
