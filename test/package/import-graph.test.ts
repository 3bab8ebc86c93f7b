/**
 * What `import 'midjourney-worker'` loads: the static import graph of the root entry, read from
 * the sources. An app that drives Midjourney alone must not load the HTTP service's stack, the
 * job stores, the cluster's Redis clients, or the simulator.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
// Static imports and re-exports, not `import type` / `export type` (erased) nor `await import()`.
const STATIC = /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

function graph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(STATIC)) {
      const specifier = match[1] as string;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else
        packages.add(
          specifier.startsWith('@')
            ? specifier.split('/').slice(0, 2).join('/')
            : (specifier.split('/')[0] as string),
        );
    }
  };
  visit(join(SRC, entry));
  return { files, packages };
}

describe('the root entry', () => {
  const { files, packages } = graph('index.ts');
  const loaded = [...files].map((f) => relative(SRC, f));

  it('loads neither the service stack nor the stores nor the cluster clients', () => {
    for (const heavy of ['fastify', 'better-sqlite3', 'bullmq', 'ioredis', 'autocannon']) {
      expect(packages.has(heavy), heavy).toBe(false);
    }
    expect(
      loaded.filter(
        (f) => f.startsWith('service/') && !/^service\/(errors|webhooks\/signature)\.ts$/.test(f),
      ),
    ).toEqual([]);
  });

  it('carries no simulator', () => {
    expect(loaded.filter((f) => f.startsWith('simulator/'))).toEqual([]);
  });

  it('reads every module it names (the graph is not empty by mistake)', () => {
    expect(loaded).toContain('generation/midjourney.ts');
    expect(loaded).toContain('discord/rest/rate-limiter.ts');
    expect(packages.has('undici')).toBe(true);
  });
});
