/**
 * A minimal PNG decoder for 8-bit greyscale, RGB and RGBA images without interlace: what the
 * simulator serves and what a client needs to check or split a Midjourney grid.
 * https://www.w3.org/TR/png/#9Filters
 */
import { inflateSync } from 'node:zlib';
import { WorkerError } from '../../errors.js';
import { crc32, PNG_SIGNATURE } from './png.js';

export interface DecodedPng {
  width: number;
  height: number;
  /** Channels per pixel: 1 (grey), 3 (RGB) or 4 (RGBA). */
  channels: number;
  /** Unfiltered pixel rows, `width * channels` bytes each. */
  pixels: Buffer;
}

/** A PNG this decoder cannot read, or a corrupt one. */
export class PngFormatError extends WorkerError {
  override readonly name = 'PngFormatError';
  readonly code = 'PNG_INVALID';
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 6: 4 };

export function decodePng(png: Buffer): DecodedPng {
  if (png.length < 8 || !png.subarray(0, 8).equals(PNG_SIGNATURE))
    throw new PngFormatError('not a PNG signature');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (offset + 12 <= png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const end = offset + 8 + length;
    if (end + 4 > png.length) throw new PngFormatError(`chunk ${type} runs past the end`);
    const data = png.subarray(offset + 8, end);
    if (crc32(png.subarray(offset + 4, end)) !== png.readUInt32BE(end))
      throw new PngFormatError(`bad CRC in ${type}`);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const depth = data[8];
      channels = CHANNELS[data[9] ?? -1] ?? 0;
      if (depth !== 8 || channels === 0 || data[12] !== 0) {
        throw new PngFormatError(
          `unsupported PNG: depth ${depth}, colour type ${data[9]}, interlace ${data[12]}`,
        );
      }
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    offset = end + 4;
  }
  if (width === 0 || idat.length === 0) throw new PngFormatError('missing IHDR or IDAT');
  return {
    width,
    height,
    channels,
    pixels: unfilter(inflateSync(Buffer.concat(idat)), width, height, channels),
  };
}

function unfilter(raw: Buffer, width: number, height: number, bpp: number): Buffer {
  const stride = width * bpp;
  if (raw.length < (stride + 1) * height) throw new PngFormatError('image data too short');
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const dst = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? (out[dst + x - bpp] ?? 0) : 0;
      const b = y > 0 ? (out[dst - stride + x] ?? 0) : 0;
      const c = x >= bpp && y > 0 ? (out[dst - stride + x - bpp] ?? 0) : 0;
      const value = raw[src + x] ?? 0;
      let predicted: number;
      switch (filter) {
        case 0:
          predicted = 0;
          break;
        case 1:
          predicted = a;
          break;
        case 2:
          predicted = b;
          break;
        case 3:
          predicted = (a + b) >> 1;
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          throw new PngFormatError(`unknown filter ${filter} on row ${y}`);
      }
      out[dst + x] = (value + predicted) & 0xff;
    }
  }
  return out;
}

/** The colour at (x, y) as [r, g, b] (grey images repeat the one channel). */
export function pixelAt(image: DecodedPng, x: number, y: number): [number, number, number] {
  const at = (y * image.width + x) * image.channels;
  const p = image.pixels;
  return image.channels === 1
    ? [p[at] ?? 0, p[at] ?? 0, p[at] ?? 0]
    : [p[at] ?? 0, p[at + 1] ?? 0, p[at + 2] ?? 0];
}
