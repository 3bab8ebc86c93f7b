/**
 * The project's one PNG codec, on node:zlib: the batch runner cuts Midjourney grids with it and the
 * simulator serves the images it draws (./png-images.ts). Decodes non-interlaced images of 8 or 16
 * bits per sample (grey, RGB, palette, grey+alpha, RGBA), crops, and re-encodes with the same pixel
 * format (palette and transparency chunks kept). https://www.w3.org/TR/png-3/
 */
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { WorkerError } from '../errors.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Samples per pixel by colour type. */
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** The bytes are not a well-formed PNG. */
export class PngFormatError extends WorkerError {
  override readonly name = 'PngFormatError';
  readonly code = 'PNG_INVALID';
}

/** A valid PNG in a format this codec does not handle (interlaced, under 8 bits per sample). */
export class UnsupportedPngError extends WorkerError {
  override readonly name = 'UnsupportedPngError';
  readonly code = 'PNG_UNSUPPORTED';
}

export interface PngImage {
  width: number;
  height: number;
  bitDepth: 8 | 16;
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  colorType: number;
  /** Unfiltered rows, `width * bytesPerPixel` bytes each, top to bottom. */
  pixels: Buffer;
  /** PLTE and tRNS chunk data, copied as they are. */
  palette?: Buffer;
  transparency?: Buffer;
}

/** How `encodePng` filters rows (https://www.w3.org/TR/png-3/#9Filter-types). */
export interface EncodePngOptions {
  /**
   * `sub` predicts each byte from its left neighbour, which suits photographs; `none` copies whole
   * rows, the fast path for the simulator's flat colour blocks (deflate shrinks those either way).
   * Default `sub`.
   */
  filter?: 'sub' | 'none';
}

/** Throws a RangeError unless the size is what an IHDR chunk can hold (positive integers). */
export function checkPngSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`PNG size must be positive integers, got ${width}x${height}`);
  }
}

export function bytesPerPixel(image: Pick<PngImage, 'bitDepth' | 'colorType'>): number {
  return ((CHANNELS[image.colorType] ?? 0) * image.bitDepth) / 8;
}

export function decodePng(data: Buffer): PngImage {
  if (data.length < 8 || !data.subarray(0, 8).equals(SIGNATURE))
    throw new PngFormatError('not a PNG (bad signature)');
  let offset = 8;
  let header:
    | { width: number; height: number; bitDepth: number; colorType: number; interlace: number }
    | undefined;
  const idat: Buffer[] = [];
  let palette: Buffer | undefined;
  let transparency: Buffer | undefined;
  while (offset + 12 <= data.length) {
    const length = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (end > data.length) throw new PngFormatError(`truncated ${type} chunk`);
    const body = data.subarray(offset + 8, offset + 8 + length);
    if (crc32(data.subarray(offset + 4, offset + 8 + length)) !== data.readUInt32BE(offset + 8 + length)) {
      throw new PngFormatError(`bad CRC in ${type} chunk`);
    }
    if (type === 'IHDR') {
      if (length !== 13) throw new PngFormatError('IHDR chunk must be 13 bytes');
      header = {
        width: body.readUInt32BE(0),
        height: body.readUInt32BE(4),
        bitDepth: body[8] ?? 0,
        colorType: body[9] ?? 0,
        interlace: body[12] ?? 0,
      };
    } else if (type === 'PLTE') palette = Buffer.from(body);
    else if (type === 'tRNS') transparency = Buffer.from(body);
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    offset = end;
  }
  if (header === undefined) throw new PngFormatError('missing IHDR chunk');
  const { width, height, bitDepth, colorType, interlace } = header;
  if (CHANNELS[colorType] === undefined) throw new PngFormatError(`invalid colour type ${colorType}`);
  if (width === 0 || height === 0) throw new PngFormatError(`invalid size ${width}x${height}`);
  if (interlace !== 0) throw new UnsupportedPngError('interlaced PNG (Adam7) is not supported');
  if (bitDepth !== 8 && bitDepth !== 16) {
    throw new UnsupportedPngError(`${bitDepth}-bit samples are not supported (8 or 16 only)`);
  }
  if (idat.length === 0) throw new PngFormatError('missing IDAT chunk');
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (error) {
    throw new PngFormatError(`corrupt image data (${(error as Error).message})`, { cause: error });
  }
  const image: PngImage = { width, height, bitDepth, colorType, pixels: Buffer.alloc(0) };
  if (palette) image.palette = palette;
  if (transparency) image.transparency = transparency;
  image.pixels = unfilter(raw, width, height, bytesPerPixel(image));
  return image;
}

/** Reverses the per-row filters (None, Sub, Up, Average, Paeth). */
function unfilter(raw: Buffer, width: number, height: number, bpp: number): Buffer {
  const stride = width * bpp;
  if (raw.length < height * (stride + 1)) throw new PngFormatError('image data shorter than the image');
  const out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride;
    for (let x = 0; x < stride; x++) {
      const value = raw[src + x] ?? 0;
      const a = x >= bpp ? (out[row + x - bpp] ?? 0) : 0;
      const b = y > 0 ? (out[prev + x] ?? 0) : 0;
      const c = y > 0 && x >= bpp ? (out[prev + x - bpp] ?? 0) : 0;
      let predicted: number;
      if (filter === 0) predicted = 0;
      else if (filter === 1) predicted = a;
      else if (filter === 2) predicted = b;
      else if (filter === 3) predicted = (a + b) >> 1;
      else if (filter === 4) predicted = paeth(a, b, c);
      else throw new PngFormatError(`invalid filter type ${filter} on row ${y}`);
      out[row + x] = (value + predicted) & 0xff;
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** A rectangle of the image, same pixel format. */
export function cropPng(image: PngImage, x: number, y: number, width: number, height: number): PngImage {
  if (x < 0 || y < 0 || width < 1 || height < 1 || x + width > image.width || y + height > image.height) {
    throw new RangeError(
      `crop ${width}x${height}+${x}+${y} is outside the ${image.width}x${image.height} image`,
    );
  }
  const bpp = bytesPerPixel(image);
  const pixels = Buffer.alloc(width * height * bpp);
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * image.width + x) * bpp;
    image.pixels.copy(pixels, row * width * bpp, from, from + width * bpp);
  }
  return { ...image, width, height, pixels };
}

export function encodePng(image: PngImage, { filter = 'sub' }: EncodePngOptions = {}): Buffer {
  checkPngSize(image.width, image.height);
  const bpp = bytesPerPixel(image);
  const stride = image.width * bpp;
  const { pixels } = image;
  if (pixels.length !== stride * image.height) {
    throw new RangeError(`pixels hold ${pixels.length} bytes, expected ${stride * image.height}`);
  }
  // Each row is its filter byte then the row, copied whole (a native copy, quick on 2048px grids).
  const raw = Buffer.alloc(image.height * (stride + 1));
  for (let y = 0; y < image.height; y++) {
    const dst = y * (stride + 1);
    pixels.copy(raw, dst + 1, y * stride, (y + 1) * stride);
    if (filter === 'none') continue;
    // "Sub": cheap, and compresses photographic grids well enough.
    raw[dst] = 1;
    for (let x = bpp; x < stride; x++) {
      raw[dst + 1 + x] = ((pixels[y * stride + x] ?? 0) - (pixels[y * stride + x - bpp] ?? 0)) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(image.width, 0);
  ihdr.writeUInt32BE(image.height, 4);
  ihdr[8] = image.bitDepth;
  ihdr[9] = image.colorType;
  const chunks = [chunk('IHDR', ihdr)];
  if (image.palette) chunks.push(chunk('PLTE', image.palette));
  if (image.transparency) chunks.push(chunk('tRNS', image.transparency));
  chunks.push(chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0)));
  return Buffer.concat([SIGNATURE, ...chunks]);
}

function chunk(type: string, body: Buffer): Buffer {
  const out = Buffer.alloc(body.length + 12);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'latin1');
  body.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

/** Cuts a 2x2 grid into its four images, in Midjourney's order: top-left, top-right, bottom-left, bottom-right. */
export function splitGrid(data: Buffer): Buffer[] {
  const image = decodePng(data);
  const w = Math.floor(image.width / 2);
  const h = Math.floor(image.height / 2);
  if (w < 1 || h < 1)
    throw new UnsupportedPngError(`a ${image.width}x${image.height} image is too small to split`);
  return [
    [0, 0],
    [w, 0],
    [0, h],
    [w, h],
  ].map(([x, y]) => encodePng(cropPng(image, x ?? 0, y ?? 0, w, h)));
}
