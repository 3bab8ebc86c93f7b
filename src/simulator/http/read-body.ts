/**
 * Request bodies as Discord reads them: JSON, or multipart/form-data with the JSON in a
 * `payload_json` part (what Discord's own client sends for interactions). Any other content type
 * is read as no body at all, so the form validation reports the missing fields.
 */
import type { IncomingMessage } from 'node:http';

export const MAX_BODY_BYTES = 1 << 20;

export type BodyResult = { kind: 'ok'; body: unknown } | { kind: 'invalid-json' } | { kind: 'too-large' };

export async function readRaw(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function readBody(request: IncomingMessage): Promise<BodyResult> {
  const raw = await readRaw(request);
  if (raw === undefined) return { kind: 'too-large' };
  if (raw.length === 0) return { kind: 'ok', body: undefined };
  const contentType = request.headers['content-type'] ?? '';
  let text: string | undefined;
  if (/^application\/json\b/i.test(contentType)) {
    text = raw.toString('utf8');
  } else if (/^multipart\/form-data\b/i.test(contentType)) {
    try {
      const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
      const part = form.get('payload_json');
      text = typeof part === 'string' ? part : part === null ? undefined : await part.text();
    } catch {
      return { kind: 'ok', body: undefined };
    }
  }
  if (text === undefined) return { kind: 'ok', body: undefined };
  try {
    return { kind: 'ok', body: JSON.parse(text) as unknown };
  } catch {
    return { kind: 'invalid-json' };
  }
}
