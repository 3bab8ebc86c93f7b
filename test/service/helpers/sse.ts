/** Reads a Server-Sent Events stream over a real socket into {event, data} records. */
import type { Json } from './http.js';

export interface SseEvent {
  event: string;
  id?: string;
  data: Json;
}

export interface SseStream {
  status: number;
  contentType: string | null;
  /** The next event, or undefined when the stream has ended. */
  next(): Promise<SseEvent | undefined>;
  /** Every event until the server closes the stream. */
  rest(): Promise<SseEvent[]>;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string>): Promise<SseStream> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let done = false;
  const parse = (block: string): SseEvent | undefined => {
    const record: Partial<SseEvent> & { dataLines: string[] } = { dataLines: [] };
    for (const line of block.split('\n')) {
      if (line.startsWith(':') || line === '') continue;
      const colon = line.indexOf(':');
      const field = line.slice(0, colon);
      const value = line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') record.event = value;
      else if (field === 'id') record.id = value;
      else if (field === 'data') record.dataLines.push(value);
    }
    if (record.event === undefined && record.dataLines.length === 0) return undefined;
    return {
      event: record.event ?? 'message',
      ...(record.id === undefined ? {} : { id: record.id }),
      data: record.dataLines.length > 0 ? JSON.parse(record.dataLines.join('\n')) : undefined,
    };
  };
  const next = async (): Promise<SseEvent | undefined> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = parse(block);
        if (event) return event;
        continue;
      }
      if (done) return undefined;
      const chunk = await reader.read();
      if (chunk.done) done = true;
      else buffer += decoder.decode(chunk.value, { stream: true });
    }
  };
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    next,
    async rest() {
      const events: SseEvent[] = [];
      for (let e = await next(); e !== undefined; e = await next()) events.push(e);
      return events;
    },
    close: () => controller.abort(),
  };
}
