/**
 * The package as a user installs it: built from the sources into a scratch copy, packed with
 * `npm pack`, unpacked into a new project's node_modules (its dependencies linked from this
 * checkout's: no network), then used the way the README says: `npx mjw start`, `import` and
 * `require()` of every entry point.
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRIES = ['midjourney-worker', 'midjourney-worker/simulator', 'midjourney-worker/service'];

interface PackedFile {
  path: string;
}

let work: string;
let project: string;
let files: string[];

function run(command: string, args: string[], cwd: string, timeout = 120_000): string {
  return execFileSync(command, args, {
    cwd,
    timeout,
    encoding: 'utf8',
    env: { ...process.env, npm_config_update_notifier: 'false', MJW_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mjw-pack-'));
  const pkg = join(work, 'pkg');
  mkdirSync(pkg);
  for (const entry of [
    'package.json',
    'bin',
    'examples',
    'docs',
    'README.md',
    'CHANGELOG.md',
    'LICENSE',
    '.env.example',
  ]) {
    cpSync(join(ROOT, entry), join(pkg, entry), { recursive: true });
  }
  // A fresh build of these sources, never the checkout's dist/ (it may be stale, or in use).
  run(
    process.execPath,
    [
      join(ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(ROOT, 'tsconfig.build.json'),
      '--outDir',
      join(pkg, 'dist'),
    ],
    ROOT,
    240_000,
  );
  // The dashboard, as `npm run build` makes it next to the library.
  run(
    process.execPath,
    [
      join(ROOT, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      join(ROOT, 'web/vite.config.ts'),
      '--outDir',
      join(pkg, 'dist', 'web'),
      '--emptyOutDir',
    ],
    ROOT,
    240_000,
  );
  const [packed] = JSON.parse(
    run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], pkg),
  ) as {
    filename: string;
    files: PackedFile[];
  }[];
  if (!packed) throw new Error('npm pack printed nothing');
  files = packed.files.map((f) => f.path);

  project = join(work, 'app');
  const installed = join(project, 'node_modules', 'midjourney-worker');
  mkdirSync(installed, { recursive: true });
  run('tar', ['-xzf', join(work, packed.filename), '-C', installed, '--strip-components=1'], work);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'app', private: true, type: 'module' }),
  );
  for (const dependency of readdirSync(join(ROOT, 'node_modules'))) {
    if (dependency.startsWith('.') || dependency === 'midjourney-worker') continue;
    symlinkSync(join(ROOT, 'node_modules', dependency), join(project, 'node_modules', dependency));
  }
  mkdirSync(join(project, 'node_modules', '.bin'));
  symlinkSync('../midjourney-worker/bin/mjw.js', join(project, 'node_modules', '.bin', 'mjw'));
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the published package', () => {
  it('ships what the commands and the README need, and no sources, tests or maps', () => {
    for (const needed of [
      'LICENSE',
      'CHANGELOG.md',
      'README.md',
      '.env.example',
      'examples/prompts.txt',
      'docs/service.md',
      'bin/mjw.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli/main.js',
      'dist/web/index.html',
    ]) {
      expect(files, needed).toContain(needed);
    }
    expect(files.some((f) => /^dist\/web\/assets\/.+\.js$/.test(f))).toBe(true);
    expect(files.filter((f) => /^(src|test|bench)\//.test(f) || f.endsWith('.map'))).toEqual([]);
  });

  it('imports and requires every entry point', () => {
    const script = ENTRIES.map(
      (e) =>
        `{ const m = await import('${e}'); const r = require('${e}'); if (Object.keys(m).length === 0 || Object.keys(r).length === 0) throw new Error('${e} is empty'); }`,
    ).join('\n');
    const out = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);\n${script}\nconsole.log('ok');`,
      ],
      project,
    );
    expect(out.trim().split('\n').at(-1)).toBe('ok');
  });

  it('runs `npx mjw start` against the built-in simulator from the installed package', () => {
    expect(existsSync(join(project, 'node_modules/midjourney-worker/examples/prompts.txt'))).toBe(true);
    // Exit 0 (execFileSync throws otherwise), and every example prompt reached an outcome.
    const out = run('npx', ['--no-install', 'mjw', 'start'], project, 180_000);
    // The outcome rows end at the first blank line (a note on the saved images follows).
    const outcomes = (out.split(/^Outcomes$/m)[1] ?? '').replace(/^\n/, '').split('\n\n')[0] ?? '';
    const rows = outcomes.split('\n').filter((line) => line.trim() !== '');
    expect(rows).toHaveLength(6);
    for (const row of rows) expect(row).toMatch(/^ {2}(success|[A-Z]\w+Error) /);
  });
});
