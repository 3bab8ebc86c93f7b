/**
 * The root entry's door to the HTTP service: `buildService` under the same name and type, loading
 * `./service/app.js` (Fastify, the job stores, webhooks) only when it is called, so `import` of
 * `midjourney-worker` stays light for an app that only drives Midjourney.
 */
import type { Service, ServiceOptions } from './service/app.js';

/** Assembles the HTTP service; see `midjourney-worker/service` for everything around it. */
export async function buildService(options: ServiceOptions): Promise<Service> {
  const { buildService: build } = await import('./service/app.js');
  return build(options);
}
