/**
 * The result file (`--out`): one JSON line per finished prompt. The journal is the source of truth
 * (a prompt's `done` record is on disk before its line is written), so on resume the lines the
 * journal knows but the file lacks are written again, and a torn last line is cut off: every
 * finished prompt ends with exactly one line.
 */
import { constants } from 'node:fs';
import { type FileHandle, open, readFile, truncate } from 'node:fs/promises';
import { BatchJournalError } from './errors.js';
import type { ResultLine } from './result-line.js';

export class ResultsFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    /** Ids that already have a line. */
    readonly ids: Set<string>,
  ) {}

  /** Opens (creating) the file for appending, after reading the ids it already holds. */
  static async open(path: string): Promise<ResultsFile> {
    const ids = new Set<string>();
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new BatchJournalError(`cannot read the result file (${(error as Error).message})`, path, {
          cause: error,
        });
      }
    }
    const intact = text.endsWith('\n') || text === '' ? text : text.slice(0, text.lastIndexOf('\n') + 1);
    for (const line of intact.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const id = (JSON.parse(line) as { id?: unknown }).id;
        if (typeof id === 'string') ids.add(id);
      } catch {
        // A damaged line names no id; the journal will have its prompt's line written again.
      }
    }
    try {
      if (intact.length !== text.length) await truncate(path, Buffer.byteLength(intact));
      const handle = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
      return new ResultsFile(path, handle, ids);
    } catch (error) {
      throw new BatchJournalError(`cannot open the result file (${(error as Error).message})`, path, {
        cause: error,
      });
    }
  }

  /** Whether the file already holds lines (a result file without its journal is not appended to). */
  get isEmpty(): boolean {
    return this.ids.size === 0;
  }

  async write(line: ResultLine): Promise<void> {
    if (this.ids.has(line.id)) return;
    this.ids.add(line.id);
    await this.handle.write(`${JSON.stringify(line)}\n`);
  }

  async close(): Promise<void> {
    await this.handle.sync().catch(() => undefined);
    await this.handle.close();
  }
}
