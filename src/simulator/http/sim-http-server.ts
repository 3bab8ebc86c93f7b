/**
 * The simulated Discord's HTTP side on node:http: the API under `/api/v10` (and v9), the CDN
 * under `/attachments/`, and the gateway upgrade. Each request goes through the same pipeline:
 * log, faults on arrival, Cloudflare ban, auth, rate limits, body, handler, faults on response.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultController } from '../faults/fault-controller.js';
import type { GatewayServer } from '../gateway/gateway-server.js';
import type { InvalidRequestCounter } from '../rate-limit/invalid-request-counter.js';
import type { RateLimitScope, SimRateLimiter } from '../rate-limit/sim-rate-limiter.js';
import type { RequestLog, RequestLogEntry } from '../request-log.js';
import type { SimState } from '../sim-state.js';
import type { AttachmentStore } from '../store/attachment-store.js';
import { SIM_UPLOAD_MAX_BYTES } from '../store/upload-store.js';
import { API_ROUTES, CDN_ROUTE, UPLOAD_ROUTE } from './api-routes.js';
import { DiscordErrors, type SimResponse } from './discord-errors.js';
import { INPAINT_PATH, INPAINT_ROUTE, inpaintAnswer } from './inpaint.js';
import { cloudflare429, proxyError, type RawResponse } from './proxy-responses.js';
import { readBody, readRaw } from './read-body.js';

export interface HttpStats {
  requests: number;
  rateLimited: Record<RateLimitScope | 'cloudflare', number>;
  faultsInjected: number;
  handlerErrors: number;
}

export interface SimHttpServerDependencies {
  state: SimState;
  limiter: SimRateLimiter;
  invalidRequests: InvalidRequestCounter;
  faults: FaultController;
  log: RequestLog;
  attachments: AttachmentStore;
  gateway: GatewayServer;
  stats: HttpStats;
  onRequest?: ((entry: RequestLogEntry) => void) | undefined;
}

/** Headers on every response Discord itself produced (its absence marks a proxy's answer). */
const DISCORD_HEADERS = { 'Content-Type': 'application/json', Via: '1.1 google' };

function writeRaw(res: ServerResponse, raw: RawResponse): void {
  res.writeHead(raw.status, raw.headers).end(raw.body);
}

export class SimHttpServer {
  private readonly server: Server;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly deps: SimHttpServerDependencies) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => {
        deps.stats.handlerErrors += 1;
        if (!res.headersSent) this.writeDiscord(res, DiscordErrors.internal());
      });
    });
    this.server.on('upgrade', (req, socket, head) => deps.gateway.handleUpgrade(req, socket, head));
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { deps } = this;
    const arrived = Date.now();
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const apiPath = /^\/api\/v(?:9|10)(\/.*)$/.exec(url.pathname)?.[1];
    const cdn = apiPath === undefined && /^\/(media\/)?attachments\//.test(url.pathname);
    const upload = apiPath === undefined && url.pathname.startsWith('/upload/');
    const inpaint = apiPath === undefined && url.pathname === INPAINT_PATH;
    const match = apiPath === undefined ? undefined : API_ROUTES.match(method, apiPath);
    const route =
      match === undefined
        ? cdn
          ? CDN_ROUTE
          : upload
            ? UPLOAD_ROUTE
            : inpaint
              ? INPAINT_ROUTE
              : `${method} ${url.pathname}`
        : match.kind === 'not-found'
          ? `${method} ${apiPath}`
          : match.route;
    const entry = deps.log.open(method, route, url.pathname + url.search, arrived);
    deps.stats.requests += 1;
    const finish = (status: number): void => {
      entry.status = status;
      entry.durationMs = Date.now() - arrived;
      if (
        status === 401 ||
        status === 403 ||
        (status === 429 && entry.rateLimitScope !== 'shared' && entry.rateLimitScope !== 'cloudflare')
      ) {
        deps.invalidRequests.record();
      }
      if (entry.rateLimitScope) deps.stats.rateLimited[entry.rateLimitScope] += 1;
      deps.onRequest?.(entry);
    };
    const raw = (response: RawResponse): void => {
      writeRaw(res, response);
      finish(response.status);
    };
    const discord = (response: SimResponse, extra: Record<string, string> = {}): void => {
      this.writeDiscord(res, response, extra);
      finish(response.status);
    };

    const early = deps.faults.takeOnArrival(route);
    if (early) {
      entry.fault = early.kind;
      deps.stats.faultsInjected += 1;
      if (early.kind === 'reset') {
        req.socket.destroy();
        return finish(0);
      }
      if (early.kind === 'cloudflare-429') {
        entry.rateLimitScope = 'cloudflare';
        return raw(cloudflare429(early.retryAfterS ?? 3_600));
      }
      return early.status === 500 ? discord(DiscordErrors.internal()) : raw(proxyError(early.status));
    }
    if (cdn) {
      if (method !== 'GET' && method !== 'HEAD')
        return raw({ status: 405, headers: {}, body: 'Method Not Allowed' });
      const file = deps.attachments.serve(url.pathname, url.searchParams);
      res.writeHead(file.status, {
        'Content-Type': file.contentType,
        'Content-Length': String(file.body.length),
      });
      res.end(method === 'HEAD' ? undefined : file.body);
      return finish(file.status);
    }
    if (upload) {
      // The upload host: no token, no Discord rate limits; the bytes go to the slot.
      if (method !== 'PUT') return raw({ status: 405, headers: {}, body: 'Method Not Allowed' });
      const bytes = await readRaw(req, SIM_UPLOAD_MAX_BYTES);
      if (bytes === undefined) return raw({ status: 413, headers: {}, body: 'Payload Too Large' });
      const name = decodeURIComponent(url.pathname.slice('/upload/'.length));
      const stored = deps.state.uploads.put(name, bytes, String(req.headers['content-type'] ?? ''));
      if (stored === 'unknown') return raw({ status: 404, headers: {}, body: 'No such upload' });
      if (stored === 'size-mismatch') return raw({ status: 400, headers: {}, body: 'Size mismatch' });
      return raw({ status: 200, headers: {}, body: '' });
    }
    if (inpaint) {
      // Vary (Region)'s editor (Midjourney's discordsays.com activity): no Discord token.
      if (method !== 'POST') return raw({ status: 405, headers: {}, body: 'Method Not Allowed' });
      const bytes = await readRaw(req, SIM_UPLOAD_MAX_BYTES);
      if (bytes === undefined) return raw({ status: 413, headers: {}, body: 'Payload Too Large' });
      const answer = inpaintAnswer(bytes, (submit) => deps.state.delivery.deliverInpaint(submit));
      return raw({
        status: answer.status,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(answer.body),
      });
    }
    if (match === undefined)
      return raw({ status: 404, headers: { 'Content-Type': 'text/plain' }, body: 'Not Found' });
    const banned = deps.invalidRequests.banRemainingMs();
    if (banned > 0) {
      entry.rateLimitScope = 'cloudflare';
      return raw(cloudflare429(Math.ceil(banned / 1000)));
    }
    if (match.kind === 'not-found') return discord(DiscordErrors.notFound());
    if (match.kind === 'method-not-allowed') return discord(DiscordErrors.methodNotAllowed());

    const user = deps.state.users.byToken(req.headers.authorization);
    if (user === undefined) return discord(DiscordErrors.unauthorized());
    entry.userId = user.user.id;
    const decision = deps.limiter.check(match.route, match.major, user.user.id);
    if (decision.limited) {
      entry.rateLimitScope = decision.limited.scope;
      return discord({ status: 429, body: decision.limited.body }, decision.headers);
    }

    let body: unknown;
    if (method === 'POST' || method === 'PATCH' || method === 'PUT') {
      const read = await readBody(req);
      if (read.kind === 'too-large') return discord(DiscordErrors.tooLarge(), decision.headers);
      if (read.kind === 'invalid-json') return discord(DiscordErrors.invalidJson(), decision.headers);
      body = read.body;
      entry.body = deps.log.scrub(body);
    }
    const response = await match.handler({
      state: deps.state,
      user,
      params: match.params,
      query: url.searchParams,
      body,
    });

    const late = deps.faults.takeOnResponse(route);
    if (late) {
      entry.fault = late.kind;
      deps.stats.faultsInjected += 1;
      if (late.kind === 'reset') {
        // Processed, then the connection dies: the client cannot know the effect happened.
        req.socket.destroy();
        finish(0);
        return response.after?.();
      }
      if (late.kind === 'delay') await this.wait(late.delayMs);
      if (late.kind === 'malformed-json') {
        const text = JSON.stringify(response.body ?? { id: deps.state.world.nextSnowflake() });
        res.writeHead(response.status === 204 ? 200 : response.status, {
          ...DISCORD_HEADERS,
          ...decision.headers,
        });
        res.end(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
        finish(response.status === 204 ? 200 : response.status);
        return response.after?.();
      }
    }
    discord(response, decision.headers);
    response.after?.();
  }

  private writeDiscord(res: ServerResponse, response: SimResponse, extra: Record<string, string> = {}): void {
    const headers = { ...DISCORD_HEADERS, ...extra, ...response.headers };
    if (res.destroyed) return;
    if (response.status === 204 || response.body === undefined) {
      res.writeHead(response.status, { Via: DISCORD_HEADERS.Via, ...extra, ...response.headers }).end();
      return;
    }
    res.writeHead(response.status, headers).end(JSON.stringify(response.body));
  }

  /** Holds a response; the timer dies with the server. */
  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}
