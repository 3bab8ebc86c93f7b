import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JournalRecord } from '../../../src/batch/journal-records.js';
import type { ResultLine } from '../../../src/batch/result-line.js';

export interface BatchFiles {
  dir: string;
  input: string;
  out: string;
  journal: string;
}

/** A temporary directory with an input file (`.txt` unless the name says otherwise). */
export async function batchFiles(content: string, name = 'prompts.txt'): Promise<BatchFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'mjw-batch-'));
  const input = join(dir, name);
  await writeFile(input, content);
  const out = join(dir, 'results.jsonl');
  return { dir, input, out, journal: `${out}.journal` };
}

export async function resultLines(out: string): Promise<ResultLine[]> {
  const text = await readFile(out, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ResultLine);
}

export async function journalRecords(path: string): Promise<JournalRecord[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as JournalRecord);
}

/** The journal's transitions for one prompt, by record type. */
export function transitions(records: JournalRecord[], id: string): string[] {
  return records.filter((r) => r.t !== 'header' && r.id === id).map((r) => r.t);
}
