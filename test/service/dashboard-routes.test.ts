/**
 * What the service adds for the dashboard: `GET /v1/events` (every job of the caller's key, live)
 * and the static shell at `/` (public, gzipped, no data), or a plain page when it is not built.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findDashboardDir } from '../../src/service/http/dashboard.js';
import { KEY_A } from './helpers/http.js';
import { startTestService, type TestService, waitForStatus } from './helpers/service.js';
import { openSse } from './helpers/sse.js';

let t: TestService;
afterEach(async () => t?.close());

const auth = (key = KEY_A) => ({ authorization: `Bearer ${key}` });

let built: string;
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(2_000))});\n`;
beforeAll(() => {
  built = mkdtempSync(join(tmpdir(), 'mjw-dash-'));
  mkdirSync(join(built, 'assets'));
  writeFileSync(
    join(built, 'index.html'),
    '<!doctype html><script type="module" src="./assets/app-1.js"></script>',
  );
  writeFileSync(join(built, 'assets', 'app-1.js'), SCRIPT);
});
afterAll(() => rmSync(built, { recursive: true, force: true }));

describe('GET /v1/events', () => {
  it("streams every change of the caller's jobs and none of another key's", async () => {
    t = await startTestService();
    const stream = await openSse(`${t.url}/v1/events`, auth());
    expect([stream.status, stream.contentType]).toEqual([200, 'text/event-stream; charset=utf-8']);
    expect(await stream.next()).toMatchObject({ event: 'ready' });

    const bobs = await t.bob.post('/v1/imagine', { prompt: 'bob only' });
    (await t.generator.job(1)).complete();
    await waitForStatus(t.started.service.runner, bobs.body.id, 'succeeded');

    const mine = await t.alice.post('/v1/imagine', { prompt: 'alice one' });
    const fake = await t.generator.job(2);
    fake.progress(40);
    fake.fail(new Error('gone'));
    await waitForStatus(t.started.service.runner, mine.body.id, 'failed');

    const seen: { event: string; id: string; status: string }[] = [];
    for (;;) {
      const e = await stream.next();
      if (e === undefined) break;
      seen.push({ event: e.event, id: e.data.id, status: e.data.status });
      if (e.event === 'failed') break;
    }
    stream.close();
    expect(seen.every((e) => e.id === mine.body.id)).toBe(true);
    expect(seen.map((e) => e.event)).toContain('progress');
    expect(seen.at(-1)).toEqual({ event: 'failed', id: mine.body.id, status: 'failed' });
  });

  it('needs a key', async () => {
    t = await startTestService();
    const answer = await t.anonymous.get('/v1/events');
    expect([answer.status, answer.body.error.code]).toEqual([401, 'UNAUTHORIZED']);
    const wrong = await fetch(`${t.url}/v1/events`, { headers: auth('not-a-valid-key-0123456789') });
    expect(wrong.status).toBe(401);
    await wrong.body?.cancel();
  });
});

describe('the dashboard shell', () => {
  it('serves the built files without a key, gzipped when asked, with a content security policy', async () => {
    t = await startTestService({ dashboardDir: built });
    const page = await fetch(`${t.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('./assets/app-1.js');

    const raw = await fetch(`${t.url}/assets/app-1.js`, { headers: { 'accept-encoding': 'identity' } });
    expect(raw.headers.get('cache-control')).toContain('immutable');
    expect(await raw.text()).toBe(SCRIPT);
    // fetch would decompress on its own: read the bytes through a plain request instead.
    const { request } = await import('node:http');
    const gz = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      request(`${t.url}/assets/app-1.js`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }),
        );
      })
        .on('error', reject)
        .end();
    });
    expect(gz.encoding).toBe('gzip');
    expect(gz.body.length).toBeLessThan(SCRIPT.length / 10);
    expect(gunzipSync(gz.body).toString()).toBe(SCRIPT);

    // The shell is public; the data is not, and unknown paths stay JSON 404s.
    expect((await t.anonymous.get('/v1/jobs')).status).toBe(401);
    expect((await t.anonymous.get('/assets/missing.js')).status).toBe(401);
  });

  it('says how to build it when the files are missing, and the API still works', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'mjw-dash-empty-'));
    try {
      t = await startTestService({ dashboardDir: empty });
      const page = await fetch(`${t.url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('npm run build');
      expect((await t.alice.get('/v1/jobs')).status).toBe(200);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('finds dist/web from the built module and from the sources', () => {
    const root = mkdtempSync(join(tmpdir(), 'mjw-pkg-'));
    try {
      mkdirSync(join(root, 'dist', 'web'), { recursive: true });
      writeFileSync(join(root, 'dist', 'web', 'index.html'), '');
      const fromDist = pathToFileURL(join(root, 'dist', 'service', 'http', 'dashboard.js')).href;
      const fromSrc = pathToFileURL(join(root, 'src', 'service', 'http', 'dashboard.ts')).href;
      expect(findDashboardDir(fromDist)).toBe(join(root, 'dist', 'web'));
      expect(findDashboardDir(fromSrc)).toBe(join(root, 'dist', 'web'));
      rmSync(join(root, 'dist', 'web', 'index.html'));
      expect(findDashboardDir(fromSrc)).toBeNull();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
