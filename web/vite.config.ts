/**
 * The dashboard build: Preact through Vite's own JSX transform (Oxc, no Babel), every asset bundled
 * into dist/web so the service serves it itself (no CDN). The browser test builds a fresh copy into a
 * temporary folder by overriding `build.outDir`.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: true,
    // One small bundle: the whole app is the first load.
    modulePreload: { polyfill: false },
  },
});
