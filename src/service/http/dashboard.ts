/**
 * The dashboard's static files (built by Vite from web/ into dist/web). They are read once at
 * start, kept in memory with a gzip copy, and served without a key: the shell holds no data, and
 * every figure it shows comes from the /v1 routes with the key the person types in. When the
 * build is missing, `/` answers a plain page saying how to build it; the API is unaffected.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { ServiceApp } from './service-app.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Kept out of the page's reach: it may only talk to this service (and load the job images). */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data: http: https:; style-src 'self'; script-src 'self'; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer | null;
  /** Vite's hashed file names never change content: cached for a year. */
  immutable: boolean;
}

export interface DashboardAssets {
  /** The folder they were read from, or null when no build was found. */
  dir: string | null;
  /** URL path -> file ('/' is index.html). */
  files: ReadonlyMap<string, Asset>;
}

/**
 * Where the built dashboard is, relative to this module: `dist/web` next to `dist/service/http`
 * when running from the package, `../../../dist/web` when running from src/ through tsx.
 */
export function findDashboardDir(moduleUrl: string = import.meta.url): string | null {
  const here = dirname(fileURLToPath(moduleUrl));
  for (const candidate of [resolve(here, '../../web'), resolve(here, '../../../dist/web')]) {
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  return null;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** Read and compressed once per build: every service of a process (tests make many) shares them. */
const loaded = new Map<string, { stamp: number; assets: DashboardAssets }>();

export function loadDashboardAssets(dir: string | null): DashboardAssets {
  if (dir === null || !existsSync(join(dir, 'index.html'))) return { dir: null, files: new Map() };
  const stamp = statSync(join(dir, 'index.html')).mtimeMs;
  const cached = loaded.get(dir);
  if (cached?.stamp === stamp) return cached.assets;
  const files = new Map<string, Asset>();
  for (const path of walk(dir)) {
    const type = CONTENT_TYPES[extname(path)];
    if (type === undefined) continue;
    const body = readFileSync(path);
    const url = `/${relative(dir, path).split(sep).join('/')}`;
    const compressible = !type.startsWith('image/png') && body.length > 512;
    files.set(url === '/index.html' ? '/' : url, {
      type,
      body,
      gzip: compressible ? gzipSync(body, { level: 9 }) : null,
      immutable: url.startsWith('/assets/'),
    });
  }
  const assets = { dir, files };
  loaded.set(dir, { stamp, assets });
  return assets;
}

const MISSING_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mjw dashboard</title></head>
<body><h1>The dashboard is not built</h1>
<p>The service could not find its dashboard files (dist/web). Run <code>npm run build</code> in the
package folder, then restart the service. The API under <code>/v1</code> works without them.</p>
</body></html>
`;

/** The paths served without a key: the shell and its assets, never data. */
export function dashboardPaths(assets: DashboardAssets): string[] {
  return assets.files.size === 0 ? ['/'] : [...assets.files.keys()];
}

export function registerDashboard(app: ServiceApp, assets: DashboardAssets): void {
  if (assets.files.size === 0) {
    // The dashboard's files are not part of the API: left out of the OpenAPI document.
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.code(200).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(MISSING_PAGE),
    );
    return;
  }
  for (const [path, asset] of assets.files) {
    app.get(path, { schema: { hide: true } }, async (request, reply) => {
      const accepts = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
      void reply
        .type(asset.type)
        .header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('vary', 'accept-encoding');
      if (asset.type.startsWith('text/html'))
        void reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
      if (accepts && asset.gzip !== null) return reply.header('content-encoding', 'gzip').send(asset.gzip);
      return reply.send(asset.body);
    });
  }
}
