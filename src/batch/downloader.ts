/**
 * `--download`: fetches result images with retries (p-retry, exponential) and bounded parallelism,
 * names them from the prompt id, and with `--split` cuts each 2x2 grid into its four images.
 * Files are written under a temporary name and renamed, so a crash never leaves half an image.
 * Discord CDN URLs are signed and expire: the runner downloads as soon as a prompt finishes.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import pRetry, { AbortError } from 'p-retry';
import { type Dispatcher, request } from 'undici';
import { gridSplitter } from '../util/grid-splitter.js';
import { DownloadError } from './errors.js';
import { createLimiter, type Limiter } from './limit.js';

export interface DownloaderOptions {
  /** Where files go (created if missing). */
  dir: string;
  /** Also write the four images of each grid (`<name>-1.png` ... `-4.png`). Default false. */
  split?: boolean;
  /** Retries after the first attempt. Default 3. */
  retries?: number;
  /** Backoff before the first retry, doubled after. Default 500 ms. */
  minRetryDelayMs?: number;
  /** Downloads at once. Default 4. */
  concurrency?: number;
  /** Per-attempt timeout. Default 60_000 ms. */
  timeoutMs?: number;
  /** undici dispatcher (tests, proxies). Default the global one. */
  dispatcher?: Dispatcher;
  /** Cuts a grid into four; default the shared worker thread (`gridSplitter`), off the event loop. */
  splitGrid?: (data: Buffer) => Promise<Buffer[]>;
}

export const DEFAULT_DOWNLOADER_OPTIONS = Object.freeze({
  split: false,
  retries: 3,
  minRetryDelayMs: 500,
  concurrency: 4,
  timeoutMs: 60_000,
});

/** HTTP statuses worth another try: the CDN or a proxy having a moment. */
const RETRYABLE_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

export class Downloader {
  private readonly options: Required<Omit<DownloaderOptions, 'dispatcher' | 'splitGrid'>> & {
    dispatcher?: Dispatcher;
  };
  private readonly splitGrid: (data: Buffer) => Promise<Buffer[]>;
  private readonly limit: Limiter;
  private madeDir = false;
  /** Attempts made (first tries and retries), for the summary and tests. */
  attempts = 0;

  constructor(options: DownloaderOptions) {
    this.options = { ...DEFAULT_DOWNLOADER_OPTIONS, ...options };
    this.limit = createLimiter(this.options.concurrency);
    this.splitGrid = options.splitGrid ?? ((data) => gridSplitter.split(data));
  }

  /**
   * Downloads `url` as `<name><ext>`; with `grid` and `split`, also the four quadrants. Returns the
   * paths written. Rejects with DownloadError (after the retries) or a PNG error from the split.
   */
  async save(url: string, name: string, grid: boolean, signal?: AbortSignal): Promise<string[]> {
    const body = await this.limit(() => this.fetch(url, signal));
    if (!this.madeDir) {
      await mkdir(this.options.dir, { recursive: true });
      this.madeDir = true;
    }
    const ext = extname(new URL(url).pathname).toLowerCase() || '.png';
    const files = [join(this.options.dir, `${name}${ext}`)];
    await atomicWrite(files[0] as string, body);
    if (grid && this.options.split) {
      const parts = await this.splitGrid(body);
      for (const [index, part] of parts.entries()) {
        const file = join(this.options.dir, `${name}-${index + 1}.png`);
        await atomicWrite(file, part);
        files.push(file);
      }
    }
    return files;
  }

  private fetch(url: string, signal?: AbortSignal): Promise<Buffer> {
    return pRetry(
      async () => {
        this.attempts += 1;
        let response: Dispatcher.ResponseData;
        try {
          response = await request(url, {
            ...(this.options.dispatcher ? { dispatcher: this.options.dispatcher } : {}),
            signal: signal
              ? AbortSignal.any([signal, AbortSignal.timeout(this.options.timeoutMs)])
              : AbortSignal.timeout(this.options.timeoutMs),
          });
        } catch (error) {
          if (signal?.aborted) throw new AbortError(error as Error);
          throw new DownloadError(
            `GET ${redactQuery(url)} failed: ${(error as Error).message}`,
            url,
            undefined,
            {
              cause: error,
              retryable: true,
            },
          );
        }
        if (response.statusCode !== 200) {
          await response.body.dump();
          const error = new DownloadError(
            `GET ${redactQuery(url)} answered ${response.statusCode}`,
            url,
            response.statusCode,
            { retryable: RETRYABLE_STATUSES.has(response.statusCode) },
          );
          throw RETRYABLE_STATUSES.has(response.statusCode) ? error : new AbortError(error);
        }
        return Buffer.from(await response.body.arrayBuffer());
      },
      {
        retries: this.options.retries,
        minTimeout: this.options.minRetryDelayMs,
        factor: 2,
        randomize: true,
        unref: true,
        ...(signal ? { signal } : {}),
      },
    );
  }
}

async function atomicWrite(file: string, data: Buffer): Promise<void> {
  const temp = `${file}.${process.pid}.part`;
  await writeFile(temp, data);
  await rename(temp, file);
}

/** CDN URLs carry signatures in the query; errors show the path only. */
function redactQuery(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
