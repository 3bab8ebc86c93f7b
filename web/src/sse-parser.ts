/**
 * A Server-Sent Events parser (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation)
 * for streams read with fetch: EventSource cannot send the API key in a header, and the key must
 * not go into a URL. Feed it text as it arrives; it returns the complete events.
 */
export interface SseEvent {
  event: string;
  data: string;
  id: string | null;
}

export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | null = null;
  private afterCr = false;

  push(chunk: string): SseEvent[] {
    let text = chunk;
    // A \r ends its line at once; a \n right after it (a \r\n split across chunks) is part of it.
    if (this.afterCr && text.startsWith('\n')) text = text.slice(1);
    this.buffer += text;
    this.afterCr = false;
    const events: SseEvent[] = [];
    let at = this.buffer.search(/[\r\n]/);
    while (at >= 0) {
      const line = this.buffer.slice(0, at);
      let width = 1;
      if (this.buffer[at] === '\r') {
        if (this.buffer[at + 1] === '\n') width = 2;
        else if (at === this.buffer.length - 1) this.afterCr = true;
      }
      this.buffer = this.buffer.slice(at + width);
      const event = this.line(line);
      if (event) events.push(event);
      at = this.buffer.search(/[\r\n]/);
    }
    return events;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') {
      if (this.data.length === 0) {
        this.event = '';
        return undefined;
      }
      const event = { event: this.event || 'message', data: this.data.join('\n'), id: this.id };
      this.data = [];
      this.event = '';
      return event;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    return undefined;
  }
}
