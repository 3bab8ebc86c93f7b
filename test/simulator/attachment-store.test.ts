import { describe, expect, it } from 'vitest';
import { AttachmentStore, normalizeAttachmentPath } from '../../src/simulator/store/attachment-store.js';

const BASE = 'http://127.0.0.1:9';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

function store(ttlMs = 60_000) {
  let now = 1_700_000_000_000;
  const s = new AttachmentStore(
    () => BASE,
    Buffer.alloc(32, 7),
    ttlMs,
    () => now,
  );
  return { s, advance: (ms: number) => (now += ms) };
}

function parts(url: string): { pathname: string; query: URLSearchParams } {
  const parsed = new URL(url);
  return { pathname: parsed.pathname, query: parsed.searchParams };
}

describe('AttachmentStore', () => {
  it('hands out Discord-shaped signed URLs and serves the bytes with their content type', () => {
    const { s } = store();
    s.store('1100000000000000200/1300000000000000001/user_cat_0b5a6cde.png', PNG);
    const url = s.url('1100000000000000200/1300000000000000001/user_cat_0b5a6cde.png');
    expect(url).toMatch(
      /^http:\/\/127\.0\.0\.1:9\/attachments\/1100000000000000200\/1300000000000000001\/user_cat_0b5a6cde\.png\?ex=[0-9a-f]+&is=[0-9a-f]+&hm=[0-9a-f]{64}&$/,
    );
    const { pathname, query } = parts(url);
    expect(s.serve(pathname, query)).toEqual({ status: 200, contentType: 'image/png', body: PNG });
    expect(s.proxyUrl(url)).toBe(url.replace('/attachments/', '/media/attachments/'));
    expect(s.serve(parts(s.proxyUrl(url)).pathname, query).status).toBe(200);
  });

  it('answers 404 for an unknown file and 403 for a tampered or missing signature', () => {
    const { s } = store();
    s.store('c/a/file.webp', PNG);
    expect(s.serve('/attachments/c/a/other.png', new URLSearchParams()).status).toBe(404);
    const { pathname, query } = parts(s.url('c/a/file.webp'));
    query.set('hm', 'f'.repeat(64));
    expect(s.serve(pathname, query)).toMatchObject({ status: 403 });
    expect(s.serve(pathname, new URLSearchParams()).body.toString()).toBe(
      'This content is no longer available.',
    );
  });

  it('expires URLs after the TTL while a re-signed URL works again', () => {
    const { s, advance } = store(10_000);
    s.store('c/a/grid.png', PNG);
    const url = s.url('c/a/grid.png');
    advance(11_000);
    const stale = parts(url);
    expect(s.serve(stale.pathname, stale.query).status).toBe(403);
    const fresh = parts(s.resign(url));
    expect(s.serve(fresh.pathname, fresh.query).status).toBe(200);
    expect(s.resign('https://cdn.midjourney.com/x/0_0.png')).toBe('https://cdn.midjourney.com/x/0_0.png');
  });

  it.each([
    ['c/a/f.png', 'c/a/f.png'],
    ['/attachments/c/a/f.png', 'c/a/f.png'],
    ['http://h:1/attachments/c/a/f.png?ex=1&is=2&hm=3&', 'c/a/f.png'],
    ['/media/attachments/c/a/f.png', 'c/a/f.png'],
  ])('normalises %s', (input, expected) => {
    expect(normalizeAttachmentPath(input)).toBe(expected);
  });
});

describe('AttachmentStore retention', () => {
  it('drops the oldest files past its limit, so their URLs stop resolving', () => {
    const s = new AttachmentStore(
      () => BASE,
      Buffer.alloc(32, 7),
      60_000,
      () => 0,
      3,
    );
    for (const n of [1, 2, 3, 4, 5]) s.store(`1100000000000000200/130000000000000000${n}/img.png`, PNG);
    expect(s.has('1100000000000000200/1300000000000000001/img.png')).toBe(false);
    expect(s.has('1100000000000000200/1300000000000000002/img.png')).toBe(false);
    for (const n of [3, 4, 5]) expect(s.has(`1100000000000000200/130000000000000000${n}/img.png`)).toBe(true);
  });
});
