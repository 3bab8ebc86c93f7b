/**
 * The journal's record types, its text parser (tolerating a torn last line) and the reducer that
 * replays records into each prompt's state. Pure: the file handling is in journal.ts.
 */
import type { GenerationResult, SubmissionTicket } from '../generation/types.js';
import type { ErrorInfo, ResultLine } from './result-line.js';

export const JOURNAL_VERSION = 1;

/** Identifies the input a journal belongs to. */
export interface JournalHeader {
  t: 'header';
  v: number;
  input: string;
  /** Hash of the validated prompts (ids, prompts, actions): re-running the same file matches. */
  fingerprint: string;
  prompts: number;
  at: number;
}

/** Step 0 is the /imagine; step k >= 1 is the k-th action pressed on its grid. */
export type JournalRecord =
  | JournalHeader
  | { t: 'pending'; id: string; at: number }
  | { t: 'submitting'; id: string; step: number; ticket: SubmissionTicket; at: number }
  | { t: 'submitted'; id: string; step: number; at: number }
  | { t: 'attempt-failed'; id: string; step: number; outcome: string; error: ErrorInfo; at: number }
  | { t: 'step-done'; id: string; step: number; result: GenerationResult; at: number }
  | { t: 'step-failed'; id: string; step: number; outcome: string; error: ErrorInfo; at: number }
  | { t: 'done'; id: string; result: ResultLine; at: number }
  | { t: 'failed'; id: string; result: ResultLine; at: number };

export type PromptStatus = 'pending' | 'submitting' | 'submitted' | 'done' | 'failed';

export interface StepState {
  /** Submissions made for this step. */
  attempts: number;
  /** ms since epoch of the first submission. */
  firstSubmittedAt?: number;
  result?: GenerationResult;
  /** ms since epoch when the step ended (result recognised, or failure recorded). */
  endedAt?: number;
  /** When the step ended in failure (not retried). */
  failure?: { outcome: string; error: ErrorInfo };
  /** The last retried failure, kept for the result line if the retries run out. */
  lastError?: { outcome: string; error: ErrorInfo };
}

export interface PromptState {
  status: PromptStatus;
  /** The step in progress (or next to run). */
  step: number;
  steps: StepState[];
  /** The ticket of the step in progress while `submitting` / `submitted`: resume looks for it. */
  ticket?: SubmissionTicket;
  /** The final line, once `done` / `failed`. */
  result?: ResultLine;
}

/**
 * Whether Discord confirmed the send of the step in progress: its `submitted` record (written on
 * the generator's `submitted` event, a 2xx to the interaction POST) was replayed after its
 * `submitting` record. The restart rule (src/generation/restart-rule.ts) resends a job that is not
 * found only when this is false.
 */
export function sendConfirmed(state: PromptState): boolean {
  return state.status === 'submitted';
}

export function initialState(): PromptState {
  return { status: 'pending', step: 0, steps: [] };
}

export function stepOf(state: PromptState, step: number): StepState {
  let current = state.steps[step];
  if (current === undefined) {
    current = { attempts: 0 };
    state.steps[step] = current;
  }
  return current;
}

/** Applies one record to the states (mutating; replay is linear in the journal). */
export function applyRecord(states: Map<string, PromptState>, record: JournalRecord): void {
  if (record.t === 'header') return;
  let state = states.get(record.id);
  if (state === undefined) {
    state = initialState();
    states.set(record.id, state);
  }
  switch (record.t) {
    case 'pending':
      return;
    case 'submitting': {
      const step = stepOf(state, record.step);
      step.attempts += 1;
      step.firstSubmittedAt ??= record.ticket.submittedAt;
      state.step = record.step;
      state.status = 'submitting';
      state.ticket = record.ticket;
      return;
    }
    case 'submitted':
      if (state.status === 'submitting' && state.step === record.step) state.status = 'submitted';
      return;
    case 'attempt-failed':
      stepOf(state, record.step).lastError = { outcome: record.outcome, error: record.error };
      state.status = 'pending';
      delete state.ticket;
      return;
    case 'step-done':
      stepOf(state, record.step).result = record.result;
      stepOf(state, record.step).endedAt = record.result.timings.completedAt;
      state.step = record.step + 1;
      state.status = 'pending';
      delete state.ticket;
      return;
    case 'step-failed':
      stepOf(state, record.step).failure = { outcome: record.outcome, error: record.error };
      stepOf(state, record.step).endedAt = record.at;
      state.status = 'pending';
      delete state.ticket;
      return;
    case 'done':
    case 'failed':
      state.status = record.t;
      state.result = record.result;
      delete state.ticket;
      return;
  }
}

export interface ParsedJournal {
  records: JournalRecord[];
  /** Byte length of the intact part; anything after it is a torn write to cut off. */
  intactBytes: number;
  /** True when a torn last line was found (and must be truncated before appending). */
  torn: boolean;
}

/**
 * Parses journal text. Only the last line may be torn (a crash mid-write): it is dropped. A bad
 * line before it means the file was damaged otherwise, and is reported as such.
 */
export function parseJournal(text: string): ParsedJournal | { error: string; line: number } {
  const records: JournalRecord[] = [];
  let offset = 0;
  let line = 0;
  while (offset < text.length) {
    line += 1;
    const end = text.indexOf('\n', offset);
    const raw = end < 0 ? text.slice(offset) : text.slice(offset, end);
    const record = parseRecord(raw);
    if (end < 0 || record === undefined) {
      const isLast = end < 0 || end === text.length - 1;
      if (isLast) return { records, intactBytes: Buffer.byteLength(text.slice(0, offset)), torn: true };
      return { error: 'unreadable record before the end of the journal', line };
    }
    records.push(record);
    offset = end + 1;
  }
  return { records, intactBytes: Buffer.byteLength(text), torn: false };
}

function parseRecord(raw: string): JournalRecord | undefined {
  try {
    const value = JSON.parse(raw) as unknown;
    if (typeof value !== 'object' || value === null || typeof (value as { t?: unknown }).t !== 'string') {
      return undefined;
    }
    return value as JournalRecord;
  } catch {
    return undefined;
  }
}
