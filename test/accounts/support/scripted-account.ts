/**
 * A scripted account client for the pool's unit tests: every call becomes a pending job the test
 * ends with `succeed` / `fail`; `refuseBeforeSubmit` makes the next call fail before its ticket.
 */
import { EventEmitter } from 'eventemitter3';
import type {
  GenerationEvents,
  GenerationResult,
  Generator,
  JobAction,
  JobOptions,
  SubmissionTicket,
} from '../../../src/generation/types.js';

export interface ScriptedJob {
  kind: 'imagine' | 'act' | 'resume';
  prompt: string;
  options: JobOptions;
  ticket: SubmissionTicket | undefined;
  succeed(): void;
  fail(error: Error): void;
}

let nonce = 1_100_000_000_000_000_000n;

export class ScriptedAccount extends EventEmitter<GenerationEvents> implements Generator {
  readonly jobs: ScriptedJob[] = [];
  closed = false;
  resumedSubmissions = 0;
  /** When set, calls wait for it before handing out their ticket (a job waiting for its turn). */
  gate: Promise<void> | undefined;
  /** The next calls fail with these before any ticket is handed out. */
  readonly refusals: Error[] = [];

  constructor(readonly channelId: string) {
    super();
  }

  get pending(): ScriptedJob[] {
    return this.jobs.filter((j) => !(j as { done?: boolean }).done);
  }

  imagine(prompt: string, options: JobOptions = {}): Promise<GenerationResult> {
    return this.start('imagine', prompt, options, true);
  }

  act(source: GenerationResult, _action: JobAction, options: JobOptions = {}): Promise<GenerationResult> {
    return this.start('act', source.prompt, options, true);
  }

  resume(ticket: SubmissionTicket, options: JobOptions = {}): Promise<GenerationResult> {
    return this.start('resume', ticket.prompt, options, false);
  }

  resumeSubmissions(): void {
    this.resumedSubmissions += 1;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private async start(
    kind: ScriptedJob['kind'],
    prompt: string,
    options: JobOptions,
    submit: boolean,
  ): Promise<GenerationResult> {
    const refusal = this.refusals.shift();
    if (refusal) throw refusal;
    let ticket: SubmissionTicket | undefined;
    if (submit) {
      await this.gate;
      nonce += 1n;
      ticket = {
        kind: kind === 'act' ? 'upscale' : 'imagine',
        prompt,
        channelId: this.channelId,
        nonce: String(nonce),
        afterMessageId: null,
        submittedAt: 0,
      };
      await options.onSubmit?.(ticket);
      this.emit('submitted', { id: `job-${this.jobs.length + 1}`, kind: ticket.kind, prompt }, ticket);
    }
    return new Promise<GenerationResult>((resolve, reject) => {
      const job: ScriptedJob & { done?: boolean } = {
        kind,
        prompt,
        options,
        ticket,
        succeed: () => {
          job.done = true;
          resolve(resultFor(prompt, this.channelId));
        },
        fail: (error) => {
          job.done = true;
          reject(error);
        },
      };
      this.jobs.push(job);
    });
  }
}

export function resultFor(prompt: string, channelId: string): GenerationResult {
  return {
    kind: 'imagine',
    jobId: '00000000-0000-4000-8000-000000000001',
    messageId: '1200000000000000001',
    channelId,
    prompt,
    echoedPrompt: prompt,
    imageUrl: 'http://127.0.0.1:1/a.png',
    imageUrls: ['http://127.0.0.1:1/a.png'],
    actions: { U1: 'MJ::JOB::upsample::1::x' },
    messageFlags: 0,
    timings: { submittedAt: 0, completedAt: 1, durationMs: 1 },
  };
}

/** Lets pending promise callbacks run (no timers). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
}
