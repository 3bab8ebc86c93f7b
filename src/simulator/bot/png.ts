/**
 * A minimal PNG encoder (8-bit RGB, no interlace) on node:zlib: enough to serve real, decodable
 * images from the simulator without an image library. https://www.w3.org/TR/png/
 */
import { deflateSync } from 'node:zlib';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** An RGB colour, each channel 0–255. */
export type Rgb = readonly [number, number, number];

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 as PNG chunks use it (ISO 3309). */
export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * Encodes an RGB image. `pixel(x, y)` gives each pixel's colour; rows use filter 0 (none), which
 * deflate still shrinks well for the flat colour blocks the simulator draws.
 */
export function encodePng(width: number, height: number, pixel: (x: number, y: number) => Rgb): Buffer {
  return encodeRows(width, height, (y, row) => {
    for (let x = 0; x < width; x++) row.set(pixel(x, y), x * 3);
  });
}

/** Encodes from whole rows: `fill(y, row)` writes the `width * 3` RGB bytes of row `y`. */
function encodeRows(width: number, height: number, fill: (y: number, row: Buffer) => void): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`PNG size must be positive integers, got ${width}x${height}`);
  }
  const stride = 1 + width * 3;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) fill(y, raw.subarray(y * stride + 1, (y + 1) * stride));
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour
  header[10] = 0; // compression: deflate
  header[11] = 0; // filter method
  header[12] = 0; // no interlace
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** One row of `width` pixels: `left` up to `split`, `right` after (flat blocks are built once, then copied). */
function band(width: number, split: number, left: Rgb, right: Rgb): Buffer {
  const row = Buffer.alloc(width * 3);
  for (let x = 0; x < width; x++) row.set(x < split ? left : right, x * 3);
  return row;
}

/** A `size`x`size` image split into a 2x2 grid of flat colours (top-left, top-right, bottom-left, bottom-right). */
export function encodeGridPng(size: number, colours: readonly [Rgb, Rgb, Rgb, Rgb]): Buffer {
  const half = Math.floor(size / 2);
  const top = band(size, half, colours[0], colours[1]);
  const bottom = band(size, half, colours[2], colours[3]);
  return encodeRows(size, size, (y, row) => (y < half ? top : bottom).copy(row));
}

/** A flat single-colour image. */
export function encodeSolidPng(width: number, height: number, colour: Rgb): Buffer {
  const line = band(width, width, colour, colour);
  return encodeRows(width, height, (_, row) => line.copy(row));
}
