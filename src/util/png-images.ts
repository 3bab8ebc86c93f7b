/**
 * RGB pictures on the codec in ./png.ts: the flat colours and 2x2 grids the simulator's bot serves,
 * and reading a pixel back, which is how tests and clients check which quadrant is which.
 */
import { bytesPerPixel, checkPngSize, encodePng, type PngImage } from './png.js';

/** An RGB colour, each channel 0–255. */
export type Rgb = readonly [number, number, number];

/** An 8-bit RGB image (colour type 2); `rows` fills its `width * 3`-byte rows. */
function rgbImage(width: number, height: number, rows: (pixels: Buffer, stride: number) => void): PngImage {
  checkPngSize(width, height);
  const pixels = Buffer.alloc(width * height * 3);
  rows(pixels, width * 3);
  return { width, height, bitDepth: 8, colorType: 2, pixels };
}

/** One row of `width` pixels: `left` up to `split`, `right` after. */
function band(width: number, split: number, left: Rgb, right: Rgb): Buffer {
  const row = Buffer.alloc(width * 3);
  for (let x = 0; x < width; x++) row.set(x < split ? left : right, x * 3);
  return row;
}

/**
 * A `size`x`size` image split into a 2x2 grid of flat colours (top-left, top-right, bottom-left,
 * bottom-right). Each half's row is built once and repeated by `Buffer#fill`, and the rows are
 * encoded unfiltered, so even a 2048px grid encodes in tens of milliseconds.
 */
export function encodeGridPng(size: number, colours: readonly [Rgb, Rgb, Rgb, Rgb]): Buffer {
  const half = Math.floor(size / 2);
  const image = rgbImage(size, size, (pixels, stride) => {
    pixels.fill(band(size, half, colours[0], colours[1]), 0, half * stride);
    pixels.fill(band(size, half, colours[2], colours[3]), half * stride);
  });
  return encodePng(image, { filter: 'none' });
}

/** A flat single-colour image. */
export function encodeSolidPng(width: number, height: number, colour: Rgb): Buffer {
  const image = rgbImage(width, height, (pixels) => pixels.fill(Buffer.from(colour)));
  return encodePng(image, { filter: 'none' });
}

/**
 * The colour at (x, y) as [r, g, b], whatever the pixel format: grey repeats its one channel, a
 * palette index is looked up, alpha is dropped and 16-bit samples keep their high byte.
 */
export function pixelAt(image: PngImage, x: number, y: number): Rgb {
  if (
    !Number.isInteger(x) ||
    !Number.isInteger(y) ||
    x < 0 ||
    y < 0 ||
    x >= image.width ||
    y >= image.height
  ) {
    throw new RangeError(`pixel (${x}, ${y}) is outside the ${image.width}x${image.height} image`);
  }
  const at = (y * image.width + x) * bytesPerPixel(image);
  const step = image.bitDepth / 8;
  const sample = (channel: number): number => image.pixels[at + channel * step] ?? 0;
  if (image.colorType === 3) {
    const entry = sample(0) * 3;
    const palette = image.palette ?? Buffer.alloc(0);
    return [palette[entry] ?? 0, palette[entry + 1] ?? 0, palette[entry + 2] ?? 0];
  }
  if (image.colorType === 0 || image.colorType === 4) return [sample(0), sample(0), sample(0)];
  return [sample(0), sample(1), sample(2)];
}
