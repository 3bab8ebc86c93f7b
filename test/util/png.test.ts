import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  bytesPerPixel,
  cropPng,
  decodePng,
  encodePng,
  PngFormatError,
  type PngImage,
  splitGrid,
  UnsupportedPngError,
} from '../../src/util/png.js';
import { encodeGridPng, encodeSolidPng, pixelAt, type Rgb } from '../../src/util/png-images.js';

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

/** An 8-bit RGB image drawn pixel by pixel. */
function drawn(width: number, height: number, pixel: (x: number, y: number) => Rgb): PngImage {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) pixels.set(pixel(x, y), (y * width + x) * 3);
  return { width, height, bitDepth: 8, colorType: 2, pixels };
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

  it('rejects a corrupted chunk, a non-PNG and an empty image', () => {
    const png = encodePng(drawn(2, 2, () => [1, 2, 3]));
    png[20] = (png[20] ?? 0) ^ 0xff; // inside IHDR data
    expect(() => decodePng(png)).toThrow(PngFormatError);
    expect(() => decodePng(Buffer.from('GIF89a'))).toThrow(/not a PNG \(bad signature\)/);
    const empty: PngImage = { width: 0, height: 1, bitDepth: 8, colorType: 2, pixels: Buffer.alloc(0) };
    expect(() => encodePng(empty)).toThrow(RangeError);
    expect(() => encodePng({ ...empty, width: 1.5 })).toThrow(/positive integers, got 1.5x1/);
  });

  it('writes the standard CRC-32 (ISO 3309) on every chunk', () => {
    // The CRC of "IEND" with no data is the well-known AE 42 60 82.
    expect(encodePng(gradient(2, 2)).subarray(-4).toString('hex')).toBe('ae426082');
  });

  it('round-trips pixels with either filter, and `none` stores rows as they are', () => {
    const image = drawn(3, 2, (x, y) => [x * 100, y * 100, 7]);
    for (const filter of ['sub', 'none'] as const) {
      const png = encodePng(image, { filter });
      expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
      const decoded = decodePng(png);
      expect([decoded.width, decoded.height, bytesPerPixel(decoded)]).toEqual([3, 2, 3]);
      expect(pixelAt(decoded, 2, 1)).toEqual([200, 100, 7]);
      expect(decoded.pixels.equals(image.pixels)).toBe(true);
    }
    const raw = inflateSync(encodePng(image, { filter: 'none' }).subarray(41, -16));
    expect([...raw]).toEqual([0, ...image.pixels.subarray(0, 9), 0, ...image.pixels.subarray(9)]);
  });
});

describe('RGB images', () => {
  const colours: [Rgb, Rgb, Rgb, Rgb] = [
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
    [9, 9, 9],
  ];

  it('draws a grid of four flat quadrants', () => {
    const image = decodePng(encodeGridPng(8, colours));
    expect([pixelAt(image, 3, 3), pixelAt(image, 4, 3), pixelAt(image, 3, 4), pixelAt(image, 7, 7)]).toEqual(
      colours,
    );
  });

  it('splits a drawn grid back into its four flat colours', () => {
    const parts = splitGrid(encodeGridPng(6, colours)).map(decodePng);
    expect(parts.map((part) => [part.width, part.height])).toEqual([
      [3, 3],
      [3, 3],
      [3, 3],
      [3, 3],
    ]);
    expect(parts.map((part) => pixelAt(part, 2, 2))).toEqual(colours);
  });

  it('encodes the largest grid the simulator allows from whole rows', () => {
    const png = encodeGridPng(2048, colours);
    const raw = inflateSync(png.subarray(41, -16));
    expect(raw.length).toBe(2048 * (1 + 2048 * 3));
    expect(raw.subarray(1024 * (1 + 2048 * 3), 1024 * (1 + 2048 * 3) + 4)).toEqual(
      Buffer.from([0, 0, 0, 255]),
    );
  });

  it('draws a solid colour', () => {
    const image = decodePng(encodeSolidPng(5, 3, [12, 34, 56]));
    expect([image.width, image.height]).toEqual([5, 3]);
    expect(
      new Set([...Array(15).keys()].map((i) => pixelAt(image, i % 5, Math.floor(i / 5)).join())),
    ).toEqual(new Set(['12,34,56']));
    expect(() => encodeSolidPng(0, 3, [0, 0, 0])).toThrow(RangeError);
  });

  it('reads a pixel of any format as RGB', () => {
    const base = { width: 2, height: 1, bitDepth: 8 as const };
    expect(pixelAt({ ...base, colorType: 0, pixels: Buffer.from([7, 8]) }, 1, 0)).toEqual([8, 8, 8]);
    expect(pixelAt({ ...base, colorType: 4, pixels: Buffer.from([7, 0, 8, 0]) }, 1, 0)).toEqual([8, 8, 8]);
    expect(pixelAt({ ...base, colorType: 6, pixels: Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]) }, 1, 0)).toEqual([
      5, 6, 7,
    ]);
    const palette = Buffer.from([1, 2, 3, 4, 5, 6]);
    expect(pixelAt({ ...base, colorType: 3, palette, pixels: Buffer.from([1, 0]) }, 0, 0)).toEqual([4, 5, 6]);
    const deep = { ...base, bitDepth: 16 as const, colorType: 2, pixels: Buffer.from([1, 9, 2, 9, 3, 9]) };
    expect(pixelAt({ ...deep, width: 1 }, 0, 0)).toEqual([1, 2, 3]);
    expect(() => pixelAt({ ...base, colorType: 0, pixels: Buffer.from([7, 8]) }, 2, 0)).toThrow(RangeError);
  });
});
