/**
 * Route keys: how the limiter groups requests before (and while) it learns Discord's bucket
 * hashes. Discord shares a bucket between requests to the same route template that have the same
 * "major parameter" (channel, guild, webhook or interaction id), so those ids stay in the key and
 * every other id becomes `:id`. The same function builds the key when a request is queued and
 * when its response is recorded, so the key written is always the key read.
 * https://discord.com/developers/docs/topics/rate-limits#rate-limits
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export interface Route {
  readonly method: HttpMethod;
  /** Method + templated path: `GET /channels/123/messages/:id`. Stable map key; holds no token. */
  readonly key: string;
  /** The major parameter, e.g. `channels/123`; empty when the route has none (`/users/@me`). */
  readonly major: string;
  /** The path as sent, query removed and webhook/interaction tokens replaced: safe to log. */
  readonly path: string;
}

/** Resources whose id is the major parameter. */
const MAJOR_RESOURCES = new Set(['channels', 'guilds', 'webhooks', 'interactions']);
/** Resources whose id is followed by a secret token (webhook token, interaction token). */
const TOKEN_RESOURCES = new Set(['webhooks', 'interactions']);
const ID_PATTERN = /^\d{16,20}$/;

/**
 * Builds the route key of `method path`. `path` is relative to the API base
 * (`/channels/123/messages?limit=5`); a query string is ignored.
 */
export function routeFor(method: HttpMethod, path: string): Route {
  const bare = path.split('?', 1)[0] ?? '';
  const segments = bare.split('/').filter((s) => s.length > 0);
  const keyParts: string[] = [];
  const pathParts: string[] = [];
  let major = '';
  for (let i = 0; i < segments.length; i += 1) {
    const segment = segments[i]!;
    const previous = segments[i - 1];
    if (previous !== undefined && ID_PATTERN.test(segment) && MAJOR_RESOURCES.has(previous) && i === 1) {
      // Only the first resource of the path is the major parameter (`/channels/1/...`).
      major = `${previous}/${segment}`;
      keyParts.push(segment);
      pathParts.push(segment);
      const next = segments[i + 1];
      if (TOKEN_RESOURCES.has(previous) && next !== undefined && !ID_PATTERN.test(next)) {
        // The id already makes the key unique; the token must never reach logs or stats.
        keyParts.push(':token');
        pathParts.push(':token');
        i += 1;
      }
    } else if (ID_PATTERN.test(segment)) {
      keyParts.push(':id');
      pathParts.push(segment);
    } else if (previous === 'reactions') {
      // Emoji names and ids share one bucket per message.
      keyParts.push(':reaction');
      pathParts.push(segment);
    } else {
      keyParts.push(segment);
      pathParts.push(segment);
    }
  }
  return {
    method,
    key: `${method} /${keyParts.join('/')}`,
    major,
    path: `/${pathParts.join('/')}`,
  };
}

/**
 * A route key with every id templated, the major parameter included
 * (`GET /channels/123/messages/:id` → `GET /channels/:channel_id/messages/:id`): a metrics label
 * with a bounded set of values, one per endpoint, whatever the channels and accounts.
 */
export function routeTemplate(key: string): string {
  return key
    .replace(/\/(channels|guilds|webhooks|interactions)\/\d{16,20}(?=\/|$)/, (_m, resource: string) => {
      return `/${resource}/:${resource.replace(/s$/, '')}_id`;
    })
    .replace(/\/\d{16,20}(?=\/|$)/g, '/:id');
}
