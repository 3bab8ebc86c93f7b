/** Builds the dashboard from web/ into a fresh folder, so a test never serves stale assets. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

export async function buildDashboard(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'mjw-web-'));
  await build({
    configFile: new URL('../../web/vite.config.ts', import.meta.url).pathname,
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

/** What a first visit downloads, gzipped: index.html and every script and style sheet it names. */
export function firstLoadGzipBytes(dir: string): { total: number; files: Record<string, number> } {
  const html = readFileSync(join(dir, 'index.html'));
  const files: Record<string, number> = { 'index.html': gzipSync(html, { level: 9 }).length };
  for (const match of html.toString('utf8').matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)) {
    const path = match[1] as string;
    files[path] = gzipSync(readFileSync(join(dir, path)), { level: 9 }).length;
  }
  return { total: Object.values(files).reduce((a, b) => a + b, 0), files };
}
