/**
 * The modal step of a button job. After the button's POST, the gateway says what Midjourney did
 * with it, for our nonce: INTERACTION_SUCCESS (no modal: the button runs as it is),
 * INTERACTION_MODAL_CREATE (a form: fill it and submit it as interaction type 5, with the nonce
 * the job's ticket named before the button was sent (`formNonce`), which the job is then known by), INTERACTION_IFRAME_MODAL_CREATE (Vary (Region)'s editor: post
 * the mask and the prompt to the inpaint URL; the job keeps the button's nonce and interaction id),
 * or INTERACTION_FAILURE (the job tracker reports it). Modals reach only gateway sessions; a REST
 * poller never sees them (ModalUnavailableError is raised before sending in that case).
 */

import type { GatewayDispatch } from '../discord/gateway/events.js';
import type { GatewayClient } from '../discord/gateway/index.js';
import type { ModalCreateData } from '../discord/gateway/protocol.js';
import type { DiscordApi } from '../discord/rest/api.js';
import type { Snowflake } from '../discord/types.js';
import { InpaintSubmitError, ModalRequiredError } from '../midjourney/modal-errors.js';
import {
  buildModalSubmit,
  fillModal,
  iframeToken,
  inpaintBody,
  isPromptField,
  needsMask,
} from '../midjourney/modals.js';
import type { Clock } from '../util/clock.js';
import { generateSnowflake } from '../util/snowflake.js';
import type { SubmissionTicket } from './types.js';

export type ModalAnswer =
  | { kind: 'modal'; modal: ModalCreateData }
  | { kind: 'iframe'; modal: ModalCreateData }
  | { kind: 'acknowledged' }
  | { kind: 'failed' }
  | { kind: 'silent' };

/** What the caller gives for a modal the button may open. */
export interface ModalRequest {
  /** The prompt input's value (Remix, Custom Zoom with its `--zoom`, an imagined describe prompt). */
  prompt?: string | undefined;
  /** Any input by its custom id. */
  fields?: Readonly<Record<string, string>> | undefined;
  /** Vary (Region): the mask as PNG bytes (white: the region to redraw), loaded on demand. */
  mask?: (() => Promise<Uint8Array>) | undefined;
}

/**
 * The prompt a form will be answered with, as far as the call decides it (what `fillModal` puts in
 * the prompt input: its value in `fields`, else `prompt`); undefined leaves the prefilled value.
 * Known before anything is sent, so the ticket can name it (`formPrompt`).
 */
export function formPromptOf(request: ModalRequest): string | undefined {
  const field = Object.entries(request.fields ?? {}).find(([id]) => isPromptField(id));
  return field?.[1] ?? request.prompt;
}

/**
 * What the ticket of a button that may answer with a form says, so a resumed job knows its
 * messages whatever the form step reached: the submit's nonce (chosen now, used by answerModal),
 * the prompt the form will set, and the source's echoed prompt (`matchPrompt`: no form, Remix
 * off). Vary (Region)'s editor keeps the button's interaction, so it has no nonce of its own.
 */
export function formOfTicket(
  customId: string | undefined,
  matchPrompt: string,
  request: ModalRequest,
): Pick<SubmissionTicket, 'formNonce' | 'formPrompt' | 'sourcePrompt'> {
  const editor = needsMask(customId ?? '');
  const prompt = editor ? request.prompt : formPromptOf(request);
  return {
    ...(editor ? {} : { formNonce: generateSnowflake() }),
    ...(prompt !== undefined && prompt.trim() !== '' ? { formPrompt: prompt } : {}),
    ...(matchPrompt.trim() !== '' ? { sourcePrompt: matchPrompt } : {}),
  };
}

/** Listens for the gateway's answer to one nonce; start it before the POST so nothing is missed. */
export class ModalWatch {
  private answer: ModalAnswer | undefined;
  private readonly waiters: ((answer: ModalAnswer) => void)[] = [];
  private readonly listener: (event: GatewayDispatch) => void;

  constructor(
    private readonly gateway: GatewayClient,
    nonce: Snowflake,
  ) {
    this.listener = (event) => {
      const data = event.data as { nonce?: unknown };
      if (String(data?.nonce) !== nonce) return;
      if (event.name === 'INTERACTION_MODAL_CREATE') {
        this.settle({ kind: 'modal', modal: event.data });
      } else if (event.name === 'INTERACTION_IFRAME_MODAL_CREATE') {
        this.settle({ kind: 'iframe', modal: event.data });
      } else if (event.name === 'INTERACTION_SUCCESS') this.settle({ kind: 'acknowledged' });
      else if (event.name === 'INTERACTION_FAILURE') this.settle({ kind: 'failed' });
    };
    gateway.on('dispatch', this.listener);
  }

  /** The answer, or `silent` after `boundMs`. */
  async next(clock: Clock, boundMs: number, signal: AbortSignal | undefined): Promise<ModalAnswer> {
    if (this.answer) return this.answer;
    const stop = new AbortController();
    const both = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    try {
      return await Promise.race([
        new Promise<ModalAnswer>((resolve) => this.waiters.push(resolve)),
        clock.sleep(boundMs, both).then(
          (): ModalAnswer => ({ kind: 'silent' }),
          (error: unknown): ModalAnswer => {
            if (signal?.aborted) throw error;
            return { kind: 'silent' };
          },
        ),
      ]);
    } finally {
      stop.abort();
    }
  }

  dispose(): void {
    this.gateway.off('dispatch', this.listener);
  }

  private settle(answer: ModalAnswer): void {
    if (this.answer) return;
    this.answer = answer;
    for (const waiter of this.waiters.splice(0)) waiter(answer);
  }
}

export interface ModalStepDeps {
  api: Pick<DiscordApi, 'createInteraction'>;
  applicationId: Snowflake;
  guildId: Snowflake | undefined;
  channelId: Snowflake;
  sessionId: string;
  /** Vary (Region)'s editor endpoint. */
  inpaintUrl: string;
  /**
   * The form submit's nonce, as the job's ticket named it before anything was sent (`formNonce`):
   * a resumed job knows its messages by it. Default a new one (a ticket without it).
   */
  submitNonce?: Snowflake | undefined;
  signal: AbortSignal | undefined;
  /** Called before the submit is sent (its messages may arrive before its answer is read). */
  rekey: (key: ModalOutcome) => void;
  debug: (message: string) => void;
}

/** What the job is known by after the modal step. */
export interface ModalOutcome {
  /** The modal submit's nonce: the job's messages carry it (a text modal only). */
  nonce?: Snowflake;
  /** The prompt Midjourney will echo, when the form set one. */
  prompt?: string;
}

/** Answers the modal Midjourney opened; throws ModalRequiredError before submitting anything it cannot fill. */
export async function answerModal(
  deps: ModalStepDeps,
  answer: Extract<ModalAnswer, { kind: 'modal' | 'iframe' }>,
  request: ModalRequest,
): Promise<ModalOutcome> {
  const { modal } = answer;
  if (answer.kind === 'iframe') {
    const token = iframeToken(modal.custom_id);
    if (token === undefined || request.mask === undefined) {
      throw new ModalRequiredError({
        customId: modal.custom_id,
        title: modal.title,
        fields: ['mask'],
        message: `Midjourney answered with the "${modal.title ?? 'Vary (Region)'}" editor; give a mask image (option mask)`,
      });
    }
    const mask = await request.mask();
    if (request.prompt) deps.rekey({ prompt: request.prompt });
    const response = await fetch(deps.inpaintUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: inpaintBody(token, mask, request.prompt),
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    const text = await response.text();
    if (!response.ok) throw new InpaintSubmitError(response.status, text.slice(0, 200));
    deps.debug(`Vary (Region): mask submitted (${mask.length} bytes)`);
    return request.prompt ? { prompt: request.prompt } : {};
  }
  const filled = fillModal(modal, request);
  const nonce = deps.submitNonce ?? generateSnowflake();
  const outcome: ModalOutcome = filled.prompt === undefined ? { nonce } : { nonce, prompt: filled.prompt };
  deps.rekey(outcome);
  const payload = buildModalSubmit({
    applicationId: modal.application?.id ?? deps.applicationId,
    ...(deps.guildId !== undefined ? { guildId: deps.guildId } : {}),
    channelId: deps.channelId,
    sessionId: deps.sessionId,
    modal,
    components: filled.components,
    nonce,
  });
  await deps.api.createInteraction(payload, deps.signal ? { signal: deps.signal } : {});
  deps.debug(`modal ${modal.custom_id} submitted (nonce ${nonce})`);
  return outcome;
}
