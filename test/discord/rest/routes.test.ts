import { describe, expect, it } from 'vitest';
import { type HttpMethod, routeFor } from '../../../src/discord/rest/routes.js';

describe('routeFor', () => {
  it.each([
    ['GET', '/users/@me', 'GET /users/@me', ''],
    ['POST', '/interactions', 'POST /interactions', ''],
    [
      'GET',
      '/channels/100000000000000001/messages?limit=5',
      'GET /channels/100000000000000001/messages',
      'channels/100000000000000001',
    ],
    [
      'GET',
      '/channels/100000000000000001/messages/300000000000000009',
      'GET /channels/100000000000000001/messages/:id',
      'channels/100000000000000001',
    ],
    [
      'GET',
      '/guilds/200000000000000001/application-command-index',
      'GET /guilds/200000000000000001/application-command-index',
      'guilds/200000000000000001',
    ],
    [
      'PUT',
      '/channels/100000000000000001/messages/300000000000000009/reactions/%F0%9F%91%8D/@me',
      'PUT /channels/100000000000000001/messages/:id/reactions/:reaction/@me',
      'channels/100000000000000001',
    ],
    [
      'POST',
      '/webhooks/400000000000000001/secret-webhook-token',
      'POST /webhooks/400000000000000001/:token',
      'webhooks/400000000000000001',
    ],
    [
      'POST',
      '/interactions/500000000000000001/aW50ZXJhY3Rpb24tdG9rZW4/callback',
      'POST /interactions/500000000000000001/:token/callback',
      'interactions/500000000000000001',
    ],
    // Only the first resource is major: a user id later in the path is a minor id.
    [
      'GET',
      '/guilds/200000000000000001/members/600000000000000001',
      'GET /guilds/200000000000000001/members/:id',
      'guilds/200000000000000001',
    ],
  ] as [HttpMethod, string, string, string][])('%s %s -> %s', (method, path, key, major) => {
    const route = routeFor(method, path);
    expect(route.key).toBe(key);
    expect(route.major).toBe(major);
  });

  it('separates methods and major parameters, and never keeps a token in the key or path', () => {
    expect(routeFor('GET', '/channels/100000000000000001/messages').key).not.toBe(
      routeFor('POST', '/channels/100000000000000001/messages').key,
    );
    expect(routeFor('GET', '/channels/100000000000000001/messages').key).not.toBe(
      routeFor('GET', '/channels/100000000000000002/messages').key,
    );
    const webhook = routeFor('POST', '/webhooks/400000000000000001/secret-webhook-token?wait=true');
    expect(`${webhook.key} ${webhook.path}`).not.toContain('secret-webhook-token');
    expect(webhook.path).toBe('/webhooks/400000000000000001/:token');
  });
});
