/**
 * Vary (Region)'s editor as the simulator serves it: `POST /inpaint/api/submit-job` with
 * `{customId: <iframe token>, mask: <base64 PNG, no data: prefix>, prompt}`, answered
 * `{success: true}` (see /work/shared/MIDJOURNEY.md, "Beyond /imagine" § 7). Real Midjourney serves
 * it on `https://936929561302675456.discordsays.com`; clients point `inpaintUrl` here.
 */
import type { InpaintSubmit } from '../world.js';

export const INPAINT_PATH = '/inpaint/api/submit-job';
export const INPAINT_ROUTE = `POST ${INPAINT_PATH}`;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function inpaintAnswer(
  body: Buffer,
  deliver: (submit: InpaintSubmit) => boolean,
): { status: number; body: unknown } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { status: 400, body: { success: false, error: 'invalid JSON' } };
  }
  const value = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const { customId, mask, prompt } = value;
  if (typeof customId !== 'string' || customId === '') {
    return { status: 400, body: { success: false, error: 'customId is required' } };
  }
  if (typeof mask !== 'string' || !Buffer.from(mask, 'base64').subarray(0, 8).equals(PNG_SIGNATURE)) {
    return { status: 400, body: { success: false, error: 'mask must be a base64 PNG' } };
  }
  if (prompt !== undefined && prompt !== null && typeof prompt !== 'string') {
    return { status: 400, body: { success: false, error: 'prompt must be a string' } };
  }
  const accepted = deliver({ customId, mask, prompt: typeof prompt === 'string' ? prompt : '' });
  return accepted
    ? { status: 200, body: { success: true } }
    : { status: 404, body: { success: false, error: 'unknown or expired editor' } };
}
