import { crc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  cropPng,
  decodePng,
  encodePng,
  PngFormatError,
  type PngImage,
  splitGrid,
  UnsupportedPngError,
} from '../../src/util/png.js';

/** An RGB image whose pixel (x, y) is (x, y, x ^ y): every quadrant is distinguishable. */
function gradient(width: number, height: number, channels = 3): PngImage {
  const pixels = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * channels;
      pixels[at] = x;
      pixels[at + 1] = y;
      pixels[at + 2] = x ^ y;
      if (channels === 4) pixels[at + 3] = 255 - x;
    }
  }
  return { width, height, bitDepth: 8, colorType: channels === 4 ? 6 : 2, pixels };
}

function chunk(type: string, body: Buffer): Buffer {
  const out = Buffer.alloc(body.length + 12);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'latin1');
  body.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

/** A PNG written by hand with a chosen filter per row (a reference independent of encodePng). */
function handMade(
  image: PngImage,
  filters: number[],
  ihdrOverrides: Partial<Record<8 | 9 | 12, number>> = {},
): Buffer {
  const bpp = 3;
  const stride = image.width * bpp;
  const raw = Buffer.alloc(image.height * (stride + 1));
  const px = (x: number, y: number): number => (x < 0 || y < 0 ? 0 : (image.pixels[y * stride + x] ?? 0));
  for (let y = 0; y < image.height; y++) {
    const filter = filters[y % filters.length] ?? 0;
    raw[y * (stride + 1)] = filter;
    for (let x = 0; x < stride; x++) {
      const a = px(x - bpp, y);
      const b = px(x, y - 1);
      const c = px(x - bpp, y - 1);
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const predicted = [0, a, b, (a + b) >> 1, paeth][filter] ?? 0;
      raw[y * (stride + 1) + 1 + x] = (px(x, y) - predicted) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(image.width, 0);
  ihdr.writeUInt32BE(image.height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  for (const [offset, value] of Object.entries(ihdrOverrides)) ihdr[Number(offset)] = value;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('PNG codec', () => {
  it('decodes rows written with each of the five filters', () => {
    const image = gradient(9, 10);
    const decoded = decodePng(handMade(image, [0, 1, 2, 3, 4]));
    expect(decoded).toMatchObject({ width: 9, height: 10, bitDepth: 8, colorType: 2 });
    expect(decoded.pixels.equals(image.pixels)).toBe(true);
  });

  it('round-trips RGB and RGBA through encodePng', () => {
    for (const channels of [3, 4]) {
      const image = gradient(17, 6, channels);
      const decoded = decodePng(encodePng(image));
      expect(decoded.colorType).toBe(channels === 4 ? 6 : 2);
      expect(decoded.pixels.equals(image.pixels)).toBe(true);
    }
  });

  it('keeps the palette of an indexed image', () => {
    const image: PngImage = {
      width: 4,
      height: 2,
      bitDepth: 8,
      colorType: 3,
      pixels: Buffer.from([0, 1, 2, 3, 3, 2, 1, 0]),
      palette: Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]),
      transparency: Buffer.from([255, 128]),
    };
    const decoded = decodePng(encodePng(cropPng(image, 2, 0, 2, 2)));
    expect([...decoded.pixels]).toEqual([2, 3, 1, 0]);
    expect(decoded.palette?.equals(image.palette as Buffer)).toBe(true);
    expect(decoded.transparency?.equals(image.transparency as Buffer)).toBe(true);
  });

  it('splits a grid into four images of half the size, in reading order', () => {
    const parts = splitGrid(encodePng(gradient(64, 48)));
    expect(parts).toHaveLength(4);
    const origins = [
      [0, 0],
      [32, 0],
      [0, 24],
      [32, 24],
    ];
    parts.forEach((part, index) => {
      const image = decodePng(part);
      expect([image.width, image.height]).toEqual([32, 24]);
      const [x0, y0] = origins[index] as [number, number];
      // The top-left pixel of each part is the quadrant origin of the grid.
      expect([...image.pixels.subarray(0, 3)]).toEqual([x0, y0, x0 ^ y0]);
      // And the last pixel is the quadrant's bottom-right corner.
      expect([...image.pixels.subarray(-3)]).toEqual([x0 + 31, y0 + 23, (x0 + 31) ^ (y0 + 23)]);
    });
  });

  it('refuses formats it does not handle with UnsupportedPngError', () => {
    const image = gradient(4, 4);
    expect(() => decodePng(handMade(image, [0], { 12: 1 }))).toThrowError(UnsupportedPngError);
    expect(() => decodePng(handMade(image, [0], { 12: 1 }))).toThrowError(/interlaced/);
    expect(() => decodePng(handMade(image, [0], { 8: 4, 9: 0 }))).toThrowError(
      /4-bit samples are not supported/,
    );
  });

  it('refuses what is not a PNG with PngFormatError', () => {
    const good = encodePng(gradient(4, 4));
    expect(() => decodePng(Buffer.from('GIF89a....'))).toThrowError(PngFormatError);
    const corrupt = Buffer.from(good);
    corrupt[20] = (corrupt[20] ?? 0) ^ 0xff;
    expect(() => decodePng(corrupt)).toThrowError(/bad CRC in IHDR/);
    expect(() => decodePng(good.subarray(0, 40))).toThrowError(PngFormatError);
    expect(() => decodePng(handMade(gradient(4, 4), [7]))).toThrowError(/invalid filter type 7/);
  });
});
