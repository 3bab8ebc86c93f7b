/**
 * `splitGrid` on a worker thread, so cutting a large grid does not stall the event loop (timers,
 * gateway heartbeats, HTTP answers). One lazily started worker, reused and `unref()`ed so it never
 * keeps the process alive; if a worker cannot be started or dies, the split runs inline as before.
 *
 * From the TypeScript sources (tests, `tsx`), the worker file is the `.ts` one, loaded through tsx.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PngFormatError, splitGrid, UnsupportedPngError } from './png.js';

type Reply = { id: number; parts?: Uint8Array[]; error?: { name: string; message: string } };

export class GridSplitter {
  private worker: Worker | undefined;
  private broken = false;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { data: Buffer; resolve(parts: Buffer[]): void; reject(error: Error): void }
  >();

  /** The four quadrants of a 2x2 grid PNG, as splitGrid returns them, computed off the main thread. */
  split(data: Buffer): Promise<Buffer[]> {
    const worker = this.start();
    if (worker === undefined) return Promise.resolve().then(() => splitGrid(data));
    const id = this.nextId++;
    return new Promise<Buffer[]>((resolve, reject) => {
      this.pending.set(id, { data, resolve, reject });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ id, data: new Uint8Array(data) });
    });
  }

  /** Stops the worker (splits still waiting finish inline); the next split starts a new one. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
    this.fail(new Error('closed'));
    this.broken = false;
  }

  private start(): Worker | undefined {
    if (this.worker !== undefined || this.broken) return this.worker;
    try {
      const fromSources = import.meta.url.endsWith('.ts');
      const file = new URL(
        fromSources ? './split-grid-worker.ts' : './split-grid-worker.js',
        import.meta.url,
      );
      // From the sources, a worker does not inherit the tsx loader: register it, then load the file.
      const worker = fromSources
        ? new Worker(
            `import(${JSON.stringify(tsxApiUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); });`,
            { eval: true },
          )
        : new Worker(file);
      worker.unref();
      worker.on('message', (reply: Reply) => this.settle(reply));
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', () => {
        if (this.worker === worker) this.fail(new Error('the grid splitter worker exited'));
      });
      this.worker = worker;
      return worker;
    } catch {
      this.broken = true;
      return undefined;
    }
  }

  private settle(reply: Reply): void {
    const waiter = this.pending.get(reply.id);
    if (waiter === undefined) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (reply.error !== undefined) {
      const { name, message } = reply.error;
      waiter.reject(
        name === 'UnsupportedPngError'
          ? new UnsupportedPngError(message)
          : name === 'PngFormatError'
            ? new PngFormatError(message)
            : new Error(message),
      );
    } else {
      waiter.resolve(
        (reply.parts ?? []).map((part) => Buffer.from(part.buffer, part.byteOffset, part.byteLength)),
      );
    }
  }

  /** The worker failed or exited: splits waiting for it run inline, later ones too. */
  private fail(_error: Error): void {
    this.broken = true;
    this.worker = undefined;
    for (const waiter of this.pending.values()) {
      try {
        waiter.resolve(splitGrid(waiter.data));
      } catch (error) {
        waiter.reject(error as Error);
      }
    }
    this.pending.clear();
  }
}

/** tsx's ESM registration entry (`tsx/esm/api`, import condition), for a worker run from the sources. */
function tsxApiUrl(): string {
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  return pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href;
}

/** The process's shared splitter. */
export const gridSplitter = new GridSplitter();
