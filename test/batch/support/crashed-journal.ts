/**
 * Writes the journal a crashed `mjw batch` leaves behind: the header, a `pending` record per
 * prompt, and for the prompts in flight their `submitting` record (the ticket, made durable before
 * the POST) followed, when Discord had answered the POST, by their `submitted` record.
 */
import { writeFile } from 'node:fs/promises';
import { readInput } from '../../../src/batch/input/read-input.js';
import { JOURNAL_VERSION, type JournalRecord } from '../../../src/batch/journal-records.js';
import { fingerprintPrompts } from '../../../src/batch/session.js';
import type { SubmissionTicket } from '../../../src/generation/types.js';
import type { BatchFiles } from './files.js';

export interface InFlight {
  prompt: string;
  /** Discord confirmed the send: the `submitted` record made it to disk. */
  confirmed: boolean;
  /** The ticket; by default one for the prompt in `channelId`, after no message. */
  ticket?: SubmissionTicket;
}

let nonce = 1_300_000_000_000_000_100n;

export function ticketFor(prompt: string, channelId = '100000000000000001'): SubmissionTicket {
  nonce += 1n;
  return {
    kind: 'imagine',
    prompt,
    channelId,
    nonce: String(nonce),
    afterMessageId: null,
    submittedAt: Date.now(),
  };
}

/** Writes the journal; returns the tickets by prompt. */
export async function writeCrashedJournal(
  files: BatchFiles,
  inFlight: readonly InFlight[],
): Promise<Map<string, SubmissionTicket>> {
  const input = await readInput(files.input, { strict: false });
  const at = Date.now();
  const records: JournalRecord[] = [
    {
      t: 'header',
      v: JOURNAL_VERSION,
      input: files.input,
      fingerprint: fingerprintPrompts(input.prompts),
      prompts: input.prompts.length,
      at,
    },
    ...input.prompts.map((p): JournalRecord => ({ t: 'pending', id: p.id, at })),
  ];
  const tickets = new Map<string, SubmissionTicket>();
  for (const job of inFlight) {
    const id = input.prompts.find((p) => p.prompt === job.prompt)?.id;
    if (id === undefined) throw new Error(`no prompt "${job.prompt}" in the input`);
    const ticket = job.ticket ?? ticketFor(job.prompt);
    tickets.set(job.prompt, ticket);
    records.push({ t: 'submitting', id, step: 0, ticket, at });
    if (job.confirmed) records.push({ t: 'submitted', id, step: 0, at });
  }
  await writeFile(files.journal, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return tickets;
}
