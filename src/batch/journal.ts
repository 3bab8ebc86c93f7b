/**
 * The append-only journal beside the result file (`<out>.journal`): one JSON record per prompt
 * transition, each flushed to disk (fsync) before the caller goes on, so a crash, a kill -9 or a
 * power cut loses at most the transition being written. Records written while a flush is running
 * are grouped into the next write + fsync (group commit), so durability costs one fsync per burst,
 * not per record.
 */
import { constants } from 'node:fs';
import { type FileHandle, open, readFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BatchJournalError } from './errors.js';
import { type JournalRecord, type ParsedJournal, parseJournal } from './journal-records.js';

export interface JournalOptions {
  /** fsync after each group of records. Default true; off only for benchmarks of the rest. */
  durable?: boolean;
}

interface Pending {
  text: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Reads an existing journal; null when there is none. A torn last line is reported, not an error. */
export async function readJournal(path: string): Promise<ParsedJournal | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new BatchJournalError(`cannot read the journal (${(error as Error).message})`, path, {
      cause: error,
    });
  }
  const parsed = parseJournal(text);
  if ('error' in parsed) throw new BatchJournalError(`line ${parsed.line}: ${parsed.error}`, path);
  return parsed;
}

export class Journal {
  private readonly queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private closed = false;
  /** Records written so far (for tests and stats). */
  written = 0;
  /** fsyncs made so far. */
  syncs = 0;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly durable: boolean,
  ) {}

  /**
   * Opens the journal for appending. `intactBytes` (from readJournal) cuts a torn last line off
   * first, so the next record does not glue onto half a line.
   */
  static async open(
    path: string,
    intactBytes: number | null,
    options: JournalOptions = {},
  ): Promise<Journal> {
    const durable = options.durable ?? true;
    try {
      if (intactBytes !== null) await truncate(path, intactBytes);
      const handle = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
      // A new file's directory entry must reach the disk too, or a power cut can lose the file.
      if (intactBytes === null && durable) await syncDirectory(dirname(path));
      return new Journal(path, handle, durable);
    } catch (error) {
      throw new BatchJournalError(`cannot open the journal (${(error as Error).message})`, path, {
        cause: error,
      });
    }
  }

  /** Appends records; resolves once they are on disk. Order of calls is the order in the file. */
  append(...records: JournalRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new BatchJournalError('journal already closed', this.path));
    const text = records.map((record) => `${JSON.stringify(record)}\n`).join('');
    return new Promise((resolve, reject) => {
      this.queue.push({ text, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue.splice(0);
      try {
        await this.handle.write(group.map((p) => p.text).join(''));
        if (this.durable) {
          await this.handle.datasync();
          this.syncs += 1;
        }
        this.written += group.length;
        for (const p of group) p.resolve();
      } catch (error) {
        const wrapped = new BatchJournalError(
          `cannot write the journal (${(error as Error).message})`,
          this.path,
          {
            cause: error,
          },
        );
        for (const p of group) p.reject(wrapped);
      }
    }
    this.flushing = null;
  }

  /** Waits for queued records, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flushing;
    await this.handle.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the file's own fsync still holds.
  } finally {
    await handle?.close();
  }
}
