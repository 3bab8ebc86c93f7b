import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchJournalError } from '../../src/batch/errors.js';
import { Journal, readJournal } from '../../src/batch/journal.js';
import {
  applyRecord,
  type JournalRecord,
  type PromptState,
  parseJournal,
} from '../../src/batch/journal-records.js';
import type { SubmissionTicket } from '../../src/generation/types.js';
import { fakeResult } from './support/fake-generator.js';

const ticket: SubmissionTicket = {
  kind: 'imagine',
  prompt: 'a fox',
  channelId: '100000000000000001',
  nonce: '1000000000000000001',
  afterMessageId: null,
  submittedAt: 5_000,
};

function replay(records: JournalRecord[]): Map<string, PromptState> {
  const states = new Map<string, PromptState>();
  for (const record of records) applyRecord(states, record);
  return states;
}

describe('journal records', () => {
  it('replays transitions into each prompt state', () => {
    const states = replay([
      { t: 'pending', id: 'a', at: 1 },
      { t: 'pending', id: 'b', at: 1 },
      { t: 'submitting', id: 'a', step: 0, ticket, at: 2 },
      { t: 'submitted', id: 'a', step: 0, at: 3 },
      { t: 'submitting', id: 'b', step: 0, ticket: { ...ticket, nonce: '2' }, at: 2 },
      {
        t: 'attempt-failed',
        id: 'b',
        step: 0,
        outcome: 'queue-full',
        error: { name: 'QueueFullError', code: 'QUEUE_FULL', message: 'full', retryable: true },
        at: 4,
      },
    ]);
    expect(states.get('a')).toMatchObject({
      status: 'submitted',
      step: 0,
      ticket,
      steps: [{ attempts: 1, firstSubmittedAt: 5_000 }],
    });
    expect(states.get('b')?.status).toBe('pending');
    expect(states.get('b')?.ticket).toBeUndefined();
    expect(states.get('b')?.steps[0]).toMatchObject({ attempts: 1, lastError: { outcome: 'queue-full' } });
  });

  it('moves to the next step on step-done and forgets the ticket', () => {
    const result = fakeResult('imagine', 'a fox', ticket);
    const states = replay([
      { t: 'submitting', id: 'a', step: 0, ticket, at: 2 },
      { t: 'step-done', id: 'a', step: 0, result, at: 9 },
    ]);
    expect(states.get('a')).toMatchObject({
      status: 'pending',
      step: 1,
      steps: [{ result, endedAt: 6_000 }],
    });
    expect(states.get('a')?.ticket).toBeUndefined();
  });

  it('drops a torn last line and reports where the intact part ends', () => {
    const good = `${JSON.stringify({ t: 'pending', id: 'a', at: 1 })}\n`;
    expect(parseJournal(`${good}{"t":"submi`)).toEqual({
      records: [{ t: 'pending', id: 'a', at: 1 }],
      intactBytes: Buffer.byteLength(good),
      torn: true,
    });
    // A complete but unparsable last line (zeros from a power cut) is torn too.
    expect(parseJournal(`${good}\0\0\0\n`)).toMatchObject({ records: [{ id: 'a' }], torn: true });
    expect(parseJournal(good)).toMatchObject({ torn: false, intactBytes: good.length });
  });

  it('refuses damage before the last line', () => {
    expect(
      parseJournal(`{"t":"pending","id":"a","at":1}\nnot json\n{"t":"pending","id":"b","at":1}\n`),
    ).toEqual({
      error: 'unreadable record before the end of the journal',
      line: 2,
    });
  });
});

describe('Journal file', () => {
  it('appends records in call order, grouping concurrent appends into fewer fsyncs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mjw-journal-'));
    const path = join(dir, 'out.jsonl.journal');
    const journal = await Journal.open(path, null);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => journal.append({ t: 'pending', id: `p${i}`, at: i })),
    );
    await journal.close();
    const parsed = await readJournal(path);
    expect(parsed?.records.map((r) => (r as { id: string }).id)).toEqual(
      Array.from({ length: 50 }, (_, i) => `p${i}`),
    );
    expect(journal.written).toBe(50);
    expect(journal.syncs).toBeGreaterThan(0);
    expect(journal.syncs).toBeLessThan(50);
  });

  it('cuts a torn tail before appending so the next record stays readable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mjw-journal-'));
    const path = join(dir, 'j');
    await writeFile(path, '{"t":"pending","id":"a","at":1}\n{"t":"sub');
    const parsed = await readJournal(path);
    expect(parsed?.torn).toBe(true);
    const journal = await Journal.open(path, parsed?.intactBytes ?? null);
    await journal.append({ t: 'pending', id: 'b', at: 2 });
    await journal.close();
    expect(await readFile(path, 'utf8')).toBe(
      '{"t":"pending","id":"a","at":1}\n{"t":"pending","id":"b","at":2}\n',
    );
  });

  it('reports a missing journal as null and a damaged one as BatchJournalError', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mjw-journal-'));
    expect(await readJournal(join(dir, 'none'))).toBeNull();
    await writeFile(join(dir, 'bad'), 'garbage\n{"t":"pending","id":"a","at":1}\n');
    await expect(readJournal(join(dir, 'bad'))).rejects.toThrowError(BatchJournalError);
    await expect(readJournal(join(dir, 'bad'))).rejects.toThrowError(/bad: line 1: unreadable record/);
  });

  it("keeps a button ticket's form fields (formNonce, formPrompt, sourcePrompt) through the file", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mjw-journal-'));
    const path = join(dir, 'j');
    const formTicket: SubmissionTicket = {
      ...ticket,
      kind: 'variation',
      prompt: 'a fox in the snow',
      sourceMessageId: '1000000000000000000',
      customId: 'MJ::JOB::variation::2::a00087fb-f747-4cb8-adfe-747d23673f27',
      formNonce: '1000000000000000002',
      formPrompt: 'a fox in the snow',
      sourcePrompt: 'a fox',
    };
    const journal = await Journal.open(path, null, { durable: false });
    await journal.append({ t: 'submitting', id: 'a', step: 1, ticket: formTicket, at: 2 });
    await journal.close();
    const parsed = await readJournal(path);
    expect(replay(parsed?.records ?? []).get('a')?.ticket).toEqual(formTicket);
  });

  it('refuses appends after close', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mjw-journal-'));
    const journal = await Journal.open(join(dir, 'j'), null, { durable: false });
    await journal.close();
    await expect(journal.append({ t: 'pending', id: 'a', at: 1 })).rejects.toThrowError(/already closed/);
  });
});
