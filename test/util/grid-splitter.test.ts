import { describe, expect, it } from 'vitest';
import { GridSplitter } from '../../src/util/grid-splitter.js';
import { PngFormatError, splitGrid, UnsupportedPngError } from '../../src/util/png.js';
import { encodeGridPng, encodeSolidPng, type Rgb } from '../../src/util/png-images.js';

const colours: [Rgb, Rgb, Rgb, Rgb] = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
  [255, 255, 0],
];

describe('GridSplitter (worker thread)', () => {
  it('returns what splitGrid returns, and leaves the event loop free meanwhile', async () => {
    const splitter = new GridSplitter();
    try {
      const grid = encodeGridPng(1024, colours);
      await splitter.split(encodeGridPng(8, colours)); // the worker is up
      let turns = 0;
      let done = false;
      const spin = (): void => {
        if (done) return;
        turns += 1;
        setImmediate(spin);
      };
      setImmediate(spin);
      const parts = await splitter.split(grid);
      done = true;
      expect(parts.map((p) => p.equals(splitGrid(grid)[parts.indexOf(p)] as Buffer))).toEqual([
        true,
        true,
        true,
        true,
      ]);
      // Inline, the split would run to its end with the loop blocked: no turn at all.
      expect(turns).toBeGreaterThan(0);
    } finally {
      await splitter.close();
    }
  });

  it('rejects with the typed PNG errors', async () => {
    const splitter = new GridSplitter();
    try {
      await expect(splitter.split(Buffer.from('not a png'))).rejects.toBeInstanceOf(PngFormatError);
      await expect(splitter.split(encodeSolidPng(1, 1, [0, 0, 0]))).rejects.toBeInstanceOf(
        UnsupportedPngError,
      );
    } finally {
      await splitter.close();
    }
  });
});
