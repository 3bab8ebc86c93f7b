/**
 * The pictures a job shows: a blurry preview while it runs, the 2x2 grid when it finishes, one
 * quadrant when upscaled. Each is a real PNG registered with the world so its URL downloads.
 */
import { createHash } from 'node:crypto';
import type { APIAttachment, Snowflake } from '../../discord/types.js';
import { encodeGridPng, encodeSolidPng, type Rgb } from '../../util/png-images.js';
import type { SimWorld } from '../world.js';

export type Quadrants = readonly [Rgb, Rgb, Rgb, Rgb];

function hsl(hue: number, saturation: number, lightness: number): Rgb {
  const k = (n: number): number => (n + hue / 30) % 12;
  const a = saturation * Math.min(lightness, 1 - lightness);
  const f = (n: number): number => lightness - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
  return [Math.round(f(0) * 255), Math.round(f(8) * 255), Math.round(f(4) * 255)];
}

/** Four clearly different colours, stable for a job id (hues a quarter turn apart). */
export function jobColours(jobId: string): Quadrants {
  const base = (createHash('sha256').update(jobId).digest().readUInt16BE(0) / 65_536) * 360;
  return [0, 90, 180, 270].map((offset) => hsl((base + offset) % 360, 0.7, 0.5)) as unknown as Quadrants;
}

/** Mixes each colour towards grey: a preview at `percent` looks washed out until the end. */
function blur(colours: Quadrants, percent: number): Quadrants {
  const t = Math.max(0.1, percent / 100);
  return colours.map(
    ([r, g, b]) => [r, g, b].map((c) => Math.round(128 + (c - 128) * t)) as unknown as Rgb,
  ) as unknown as Quadrants;
}

/** The grid filename: `<username>_<prompt-slug>_<job-uuid>.png` (the UUID after the last `_`). */
export function gridFilename(username: string, slug: string, jobId: string): string {
  const user = username.replace(/[^A-Za-z0-9.]+/g, '_').replace(/^_+|_+$/g, '') || 'user';
  return `${user}_${slug}_${jobId}.png`;
}

function attach(
  world: SimWorld,
  channelId: Snowflake,
  filename: string,
  png: Buffer,
  size: { width: number; height: number },
): APIAttachment {
  const id = world.nextSnowflake();
  const path = `attachments/${channelId}/${id}/${filename}`;
  world.storeAttachment(path, png);
  const url = world.attachmentUrl(path);
  return {
    id,
    filename,
    size: png.length,
    url,
    proxy_url: url,
    content_type: 'image/png',
    width: size.width,
    height: size.height,
  };
}

export function gridAttachment(
  world: SimWorld,
  channelId: Snowflake,
  filename: string,
  colours: Quadrants,
  size: number,
): APIAttachment {
  return attach(world, channelId, filename, encodeGridPng(size, colours), { width: size, height: size });
}

/** A half-size, washed-out grid named `grid_0.png`, like the in-progress previews. */
export function previewAttachment(
  world: SimWorld,
  channelId: Snowflake,
  colours: Quadrants,
  size: number,
  percent: number,
): APIAttachment {
  const half = Math.max(2, size / 2);
  return attach(world, channelId, 'grid_0.png', encodeGridPng(half, blur(colours, percent)), {
    width: half,
    height: half,
  });
}

/**
 * One image of a grid (index 1–4), as Discord shows an upscale: the quadrant's colour at the
 * quadrant's size, half the grid's side (a 2048 grid gives 1024 images).
 */
export function singleAttachment(
  world: SimWorld,
  channelId: Snowflake,
  filename: string,
  colour: Rgb,
  gridSize: number,
): APIAttachment {
  const side = Math.max(1, gridSize / 2);
  return attach(world, channelId, filename, encodeSolidPng(side, side, colour), {
    width: side,
    height: side,
  });
}
