/**
 * Refusals around the buttons Midjourney answers with a modal (modals.ts). Each is raised before the
 * modal is submitted: nothing ran, nothing was paid for.
 */
import { WorkerError } from '../errors.js';

/**
 * Midjourney answered the button with a form the call cannot fill: a required input has no value
 * (give `prompt` or `fields`), or Vary (Region) was pressed without a `mask`.
 */
export class ModalRequiredError extends WorkerError {
  override readonly name = 'ModalRequiredError';
  readonly code = 'MODAL_REQUIRED';
  /** The modal's custom id (`MJ::RemixModal::...`, `MJ::iframe::...`). */
  readonly customId: string;
  readonly title: string | undefined;
  /** The inputs left without a value (`mask` for Vary (Region)). */
  readonly fields: readonly string[];
  constructor(input: {
    customId: string;
    title?: string | undefined;
    fields: readonly string[];
    message: string;
  }) {
    super(input.message);
    this.customId = input.customId;
    this.title = input.title;
    this.fields = [...input.fields];
  }
}

/**
 * The button opens a modal, and modals reach only the gateway session that pressed it: a client
 * watching by REST polling (`watch: 'poll'`) never sees the form, so nothing is sent.
 */
export class ModalUnavailableError extends WorkerError {
  override readonly name = 'ModalUnavailableError';
  readonly code = 'MODAL_NEEDS_GATEWAY';
  constructor(
    /** The button (action name or custom id). */
    readonly action: string,
  ) {
    super(
      `The "${action}" button answers with a form that only a gateway session receives; use watch: "gateway"`,
    );
  }
}

/** The Vary (Region) editor refused the mask (its HTTP answer was not a success). */
export class InpaintSubmitError extends WorkerError {
  override readonly name = 'InpaintSubmitError';
  readonly code = 'INPAINT_SUBMIT_FAILED';
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`Vary (Region): the editor answered ${status}${detail ? ` (${detail})` : ''}`, {
      retryable: status >= 500,
    });
  }
}

export function isModalRequiredError(error: unknown): error is ModalRequiredError {
  return error instanceof Error && (error as { code?: unknown }).code === 'MODAL_REQUIRED';
}
