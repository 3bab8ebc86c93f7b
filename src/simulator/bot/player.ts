/**
 * Plays a job out over simulated time through the world: the waiting message, progress edits with
 * previews, then the result as a new message (progress deleted), or the ways a job dies
 * (post-moderation, output filter, outage) and the notices that answer instead of a job.
 */
import { type APIMessage, InteractionType, MessageFlags, MessageType } from '../../discord/types.js';
import type { BotMessageDraft, SimWorld } from '../world.js';
import { gridComponents, upscaleComponents } from './components.js';
import {
  type ContentSubject,
  doneContent,
  FAILED_TEXT,
  imageContent,
  modeText,
  progressContent,
  stoppedContent,
  waitingContent,
} from './content.js';
import { EvidencePolicy, interactionFields } from './evidence.js';
import { gridAttachment, gridFilename, previewAttachment, singleAttachment } from './images.js';
import type { Job } from './job.js';
import { buildNotice, jobQueuedEmbed, type NoticeContext, type NoticeOutcome } from './notices.js';
import type { MidjourneyBotOptions } from './options.js';
import { withoutFooters } from './reply.js';
import type { Timers } from './timers.js';
import type { SimJobState } from './types.js';

/** Gap between deleting the progress message and posting the result under the out-of-order fault. */
const OUT_OF_ORDER_GAP_MS = 500;

export class JobPlayer {
  constructor(
    private readonly world: SimWorld,
    private readonly options: () => MidjourneyBotOptions,
    private readonly timers: Timers,
    /** Releases the job's slot and records its end state. */
    private readonly finish: (job: Job, state: SimJobState) => void,
    /** Which evidence of the job each message carries (evidence.ts). */
    private readonly evidence: EvidencePolicy = new EvidencePolicy(),
  ) {}

  /** Answers with a notice instead of a job. */
  notice(job: Job, outcome: NoticeOutcome, ctx: Partial<NoticeContext> = {}): APIMessage {
    const o = this.options();
    const full: NoticeContext = { jobId: job.record.id, prompt: job.record.prompt, ...ctx };
    if (job.detail !== undefined) full.detail = job.detail;
    if (job.bannedWord !== undefined) full.bannedWord = job.bannedWord;
    const notice = buildNotice(outcome, full, o.publicNotices);
    return this.post(job, { embeds: [notice.embed], components: notice.components }, true, notice.ephemeral);
  }

  /** The plain-text failure some interactions get: "Failed to process your command :c". */
  failedText(job: Job): void {
    this.post(job, { content: FAILED_TEXT }, true);
  }

  /** "Job queued": the job waits for a slot; `run` follows when one frees. */
  queued(job: Job, position: number): void {
    const embed = jobQueuedEmbed({
      jobId: job.record.id,
      prompt: job.record.prompt,
      queued: position,
      queueSize: this.options().queueSize,
    });
    this.post(job, { embeds: [embed] }, true);
  }

  /** Starts the job's timeline now (it holds a slot). */
  run(job: Job): void {
    const o = this.options();
    job.record.startedAt = this.world.clock.now();
    if (job.instant) {
      this.timers.after(o.upscaleDurationMs, () => this.result(job, true));
      return;
    }
    if (job.record.outcome === 'no-progress' || o.faults.skipProgress) {
      this.timers.after(o.waitingMs + job.durationMs, () => this.result(job, true));
      return;
    }
    const waiting = this.post(job, { content: waitingContent(this.subject(job)), attachments: [] }, true);
    job.progressMessageId = waiting.id;
    job.record.state = 'waiting';

    let steps = [...o.progressSteps];
    if (job.record.outcome === 'post-moderation') {
      const stopAt = job.rule?.stopAt ?? 93;
      steps = [...steps.filter((s) => s < stopAt), stopAt];
    } else if (job.record.outcome === 'outage') {
      steps = steps.slice(0, Math.ceil(steps.length / 2));
    }
    const stepMs = job.durationMs / o.progressSteps.length;
    // Out of order: each pair of edits swaps, so 15% arrives before 0%, 46% before 31%...
    const order = o.faults.outOfOrder
      ? steps.map((_, i) => steps[i % 2 === 0 ? Math.min(i + 1, steps.length - 1) : i - 1]!)
      : steps;
    order.forEach((percent, i) => {
      this.timers.after(o.waitingMs + i * stepMs, () => this.progress(job, percent));
    });
    this.timers.after(o.waitingMs + steps.length * stepMs, () => this.end(job));
  }

  private progress(job: Job, percent: number): void {
    const o = this.options();
    if (job.progressMessageId === undefined) return;
    job.record.state = 'running';
    job.record.progress = percent;
    const attachments =
      percent > 0
        ? [previewAttachment(this.world, job.record.channelId, job.colours, o.gridSize, percent)]
        : [];
    this.world.editMessage(job.record.channelId, job.progressMessageId, {
      content: progressContent(this.subject(job), percent, this.mode(job)),
      attachments,
    });
  }

  private end(job: Job): void {
    const channelId = job.record.channelId;
    switch (job.record.outcome) {
      case 'post-moderation': {
        if (job.progressMessageId !== undefined) {
          if (job.rule?.stopStyle === 'deleted') {
            this.world.deleteMessage(channelId, job.progressMessageId);
          } else {
            this.world.editMessage(channelId, job.progressMessageId, {
              content: stoppedContent(this.subject(job)),
              attachments: [],
            });
          }
        }
        this.finish(job, job.rule?.stopStyle === 'deleted' ? 'deleted' : 'stopped');
        return;
      }
      case 'output-filter':
        this.deleteProgress(job);
        this.notice(job, 'output-filter');
        this.finish(job, 'failed');
        return;
      case 'outage': {
        const notice = buildNotice('outage', { jobId: job.record.id, prompt: job.record.prompt });
        const draft: BotMessageDraft = { embeds: [notice.embed] };
        if (job.progressMessageId !== undefined) {
          draft.message_reference = { message_id: job.progressMessageId, channel_id: channelId };
        }
        this.post(job, draft, false);
        this.deleteProgress(job);
        this.finish(job, 'failed');
        return;
      }
      default:
        this.result(job, false);
    }
  }

  /** Posts the finished grid or image as a new message and removes the progress message. */
  private result(job: Job, answers: boolean): void {
    const o = this.options();
    if (o.faults.outOfOrder && job.progressMessageId !== undefined) {
      this.deleteProgress(job);
      this.timers.after(OUT_OF_ORDER_GAP_MS, () => this.postResult(job, answers));
      return;
    }
    this.postResult(job, answers);
    this.deleteProgress(job);
  }

  private postResult(job: Job, answers: boolean): void {
    const o = this.options();
    const { record } = job;
    const filename = gridFilename(job.user.username, job.prompt.slug, record.id);
    const attachment =
      job.result === 'grid'
        ? gridAttachment(this.world, record.channelId, filename, job.colours, o.gridSize)
        : singleAttachment(
            this.world,
            record.channelId,
            filename,
            job.imageColour ?? job.colours[0],
            o.gridSize,
          );
    const content =
      job.instant && record.index !== undefined
        ? imageContent(record.echo, record.index, record.userId)
        : doneContent(this.subject(job), this.mode(job));
    const components = job.result === 'grid' ? gridComponents(record.id) : upscaleComponents(record.id);
    const moderated = record.outcome === 'ephemeral-moderation';
    const style = job.rule?.ephemeralStyle ?? 'deleted';
    const message = this.post(
      job,
      { content, attachments: [attachment], components },
      answers,
      moderated && style === 'ephemeral',
    );
    record.resultMessageId = message.id;
    record.resultPostedAt = this.world.clock.now();
    record.progress = 100;
    this.finish(job, 'completed');
    if (moderated && style === 'deleted') {
      this.timers.after(job.rule?.deleteAfterMs ?? o.ephemeralDeleteMs, () => {
        this.world.deleteMessage(record.channelId, message.id);
        record.state = 'deleted';
        record.takenDownAt = this.world.clock.now();
      });
    }
  }

  private deleteProgress(job: Job): void {
    if (job.progressMessageId === undefined) return;
    this.world.deleteMessage(job.record.channelId, job.progressMessageId);
    delete job.progressMessageId;
  }

  /**
   * Posts a message of the job. Messages that answer the interaction (the first one, a notice, the
   * waiting message after "Job queued") carry the nonce and the interaction objects, as the gateway
   * shows them; button jobs reply to the message whose button was pressed. Which of these a message
   * carries, and whether notices keep their footer, is the evidence policy's draw.
   */
  private post(job: Job, draft: BotMessageDraft, answers: boolean, ephemeral = false): APIMessage {
    const { record, interaction } = job;
    const evidence = this.evidence.next();
    const full: BotMessageDraft = { mentions: [job.user], ...draft };
    const isButton = interaction.payload.type === InteractionType.MessageComponent;
    if (
      isButton &&
      job.sourceMessageId !== undefined &&
      full.message_reference === undefined &&
      evidence.reference
    ) {
      full.message_reference = { message_id: job.sourceMessageId, channel_id: record.channelId };
    }
    full.type =
      full.message_reference !== undefined
        ? MessageType.Reply
        : answers
          ? MessageType.ChatInputCommand
          : MessageType.Default;
    if (answers) Object.assign(full, interactionFields(interaction, job.user, evidence));
    // The first reply carries the nonce; later messages only when the draw says so.
    const later = job.nonceSent === true && (this.evidence.strictNonce || !answers);
    if (!later || evidence.nonceOnLater) {
      if (answers || later) full.nonce = record.nonce;
    }
    if (!evidence.footer && full.embeds) full.embeds = withoutFooters(full.embeds);
    if (ephemeral) full.flags = MessageFlags.Ephemeral;
    const message = ephemeral
      ? this.world.postEphemeral(record.channelId, record.userId, full)
      : this.world.postMessage(record.channelId, full);
    record.messageIds.push(message.id);
    if (full.nonce !== undefined) job.nonceSent = true;
    return message;
  }

  private subject(job: Job): ContentSubject {
    return { echo: job.record.echo, userId: job.record.userId, label: job.label };
  }

  private mode(job: Job): string {
    return modeText(job.record.mode, this.options().stealth);
  }
}
