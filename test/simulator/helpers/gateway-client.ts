/** A bare gateway client for contract tests: it records every payload and lets a test wait for one. */
import WebSocket from 'ws';

export interface Payload {
  op: number;
  d: unknown;
  s: number | null;
  t: string | null;
}

export class TestGatewayClient {
  readonly received: Payload[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly listeners = new Set<() => void>();

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      this.received.push(JSON.parse(raw.toString()) as Payload);
      for (const listener of this.listeners) listener();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const listener of this.listeners) listener();
      });
    });
  }

  static connect(url: string): Promise<TestGatewayClient> {
    const socket = new WebSocket(url);
    const client = new TestGatewayClient(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
    });
  }

  send(op: number, d: unknown): void {
    this.socket.send(JSON.stringify({ op, d }));
  }

  identify(token: string): void {
    this.send(2, { token, properties: { os: 'linux', browser: 'test', device: 'test' }, capabilities: 0 });
  }

  /** The largest `s` received so far. */
  get lastSeq(): number {
    return Math.max(0, ...this.received.map((p) => p.s ?? 0));
  }

  dispatches(t?: string): Payload[] {
    return this.received.filter((p) => p.op === 0 && (t === undefined || p.t === t));
  }

  /** The first payload (received already or later) matching `predicate`. */
  waitFor(predicate: (p: Payload) => boolean, timeoutMs = 3_000): Promise<Payload> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.received.find(predicate);
        if (found === undefined) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `no matching gateway payload in ${timeoutMs} ms; got ${JSON.stringify(this.received.map((p) => p.t ?? p.op))}`,
          ),
        );
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      const listener = (): void => void check();
      if (!check()) this.listeners.add(listener);
    });
  }

  waitForDispatch(t: string, where: (d: Record<string, unknown>) => boolean = () => true): Promise<Payload> {
    return this.waitFor((p) => p.op === 0 && p.t === t && where(p.d as Record<string, unknown>));
  }

  /** Connects, reads HELLO and identifies; resolves once READY arrived. */
  static async ready(url: string, token: string): Promise<{ client: TestGatewayClient; sessionId: string }> {
    const client = await TestGatewayClient.connect(url);
    await client.waitFor((p) => p.op === 10);
    client.identify(token);
    const ready = await client.waitForDispatch('READY');
    return { client, sessionId: (ready.d as { session_id: string }).session_id };
  }

  close(code = 1000): Promise<{ code: number; reason: string }> {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(code);
    return this.closed;
  }
}
