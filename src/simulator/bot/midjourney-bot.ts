/**
 * The simulated Midjourney bot: receives interactions from the simulated Discord, decides each
 * job's outcome, holds plan-like slots and a queue, and lets the JobPlayer play jobs out over
 * simulated time through the SimWorld seam.
 */

import type { Snowflake } from '../../discord/types.js';
import {
  type ApplicationCommandInteractionPayload,
  InteractionType,
  type MessageComponentInteractionPayload,
} from '../../discord/types.js';
import type { Random } from '../../util/clock.js';
import type { AcceptedInteraction, BotMessageDraft, SimBot, SimWorld } from '../world.js';
import { buttonJobSpec } from './buttons.js';
import { FAILED_TEXT } from './content.js';
import { parseCustomId } from './custom-id.js';
import { decideOutcome, validateScriptRule } from './decide.js';
import { EvidencePolicy } from './evidence.js';
import { createJob, type Job, type NewJobFields } from './job.js';
import { buildNotice, isNoticeOutcome, type NoticeOutcome } from './notices.js';
import {
  BotOptionsError,
  type MidjourneyBotFaults,
  type MidjourneyBotInput,
  type MidjourneyBotOptions,
  resolveBotOptions,
} from './options.js';
import { JobPlayer } from './player.js';
import { parsePrompt } from './prompt.js';
import { randomUuid, seededRandom } from './random.js';
import { postReply } from './reply.js';
import { SlotPool } from './slots.js';
import { Timers } from './timers.js';
import {
  ACCOUNT_STATES,
  type AccountState,
  type BotMode,
  type JobOutcome,
  type ScriptRule,
  type SimJobRecord,
  type SimJobState,
} from './types.js';

export interface MidjourneyBot extends SimBot {
  readonly options: Readonly<MidjourneyBotOptions>;
  /** Every job so far, oldest first (copies). */
  jobs(): SimJobRecord[];
  /** One job by its UUID (a copy). */
  job(id: string): SimJobRecord | undefined;
  /** Adds a per-prompt rule; rules are tried in the order added, after the deterministic ones. */
  script(rule: ScriptRule): void;
  /** Removes every scripted rule. */
  clearScripts(): void;
  /** The account state of every user, or of one user (`userId`), which then differs from the others. */
  setAccountState(state: AccountState, userId?: Snowflake): void;
  accountState(userId?: Snowflake): AccountState;
  /** Switches between fast, relaxed and turbo for jobs submitted from now on. */
  setMode(mode: BotMode): void;
  setFaults(faults: Partial<MidjourneyBotFaults>): void;
  /** Jobs holding a slot and jobs waiting for one. */
  load(): { running: number; queued: number };
}

/** Outcomes that take a slot and start before they end. */
const RUNNING_OUTCOMES = new Set<JobOutcome>([
  'success',
  'post-moderation',
  'ephemeral-moderation',
  'output-filter',
  'outage',
  'no-progress',
]);

const MODE_COMMANDS: Record<string, BotMode> = { fast: 'fast', relax: 'relaxed', turbo: 'turbo' };

export function createMidjourneyBot(world: SimWorld, options?: MidjourneyBotInput): MidjourneyBot {
  return new SimulatedMidjourneyBot(world, resolveBotOptions(options));
}

class SimulatedMidjourneyBot implements MidjourneyBot {
  private readonly random: Random;
  private readonly jobsById = new Map<string, Job>();
  private readonly order: Job[] = [];
  private readonly rules: ScriptRule[] = [];
  private state: AccountState;
  /** Users whose account state differs from `state`. */
  private readonly userStates = new Map<Snowflake, AccountState>();
  private readonly timers: Timers;
  /** Slots are per account, as Midjourney's plans are: one pool per user. */
  private readonly slotsByUser = new Map<Snowflake, SlotPool<Job>>();
  private readonly player: JobPlayer;
  private readonly evidence: EvidencePolicy;

  constructor(
    private readonly world: SimWorld,
    readonly options: MidjourneyBotOptions,
  ) {
    this.random = options.random ?? seededRandom(options.seed);
    this.state = options.accountState;
    this.timers = new Timers(world.clock);
    // Its own random source: varying evidence never changes which outcomes a seed plays.
    this.evidence = new EvidencePolicy(options.evidence);
    this.player = new JobPlayer(
      world,
      () => this.options,
      this.timers,
      (job, state) => this.finish(job, state),
      this.evidence,
    );
  }

  handleInteraction(interaction: AcceptedInteraction): void {
    if (this.timers.isStopped || interaction.payload.application_id !== this.options.applicationId) return;
    if (this.options.faults.botDown) {
      this.world.failInteraction?.(interaction.id, 'The application did not respond');
      return;
    }
    if (interaction.payload.type === InteractionType.ApplicationCommand) {
      this.command(interaction, interaction.payload);
    } else {
      this.button(interaction, interaction.payload);
    }
  }

  stop(): void {
    this.timers.stop();
    for (const slots of this.slotsByUser.values()) slots.clear();
  }

  jobs(): SimJobRecord[] {
    return this.order.map((job) => structuredClone(job.record));
  }

  job(id: string): SimJobRecord | undefined {
    const job = this.jobsById.get(id);
    return job && structuredClone(job.record);
  }

  script(rule: ScriptRule): void {
    validateScriptRule(rule);
    this.rules.push({ ...rule });
  }

  clearScripts(): void {
    this.rules.length = 0;
  }

  setAccountState(state: AccountState, userId?: Snowflake): void {
    if (!(ACCOUNT_STATES as readonly string[]).includes(state)) {
      throw new BotOptionsError('accountState', `unknown state ${JSON.stringify(state)}`);
    }
    if (userId !== undefined) {
      this.userStates.set(userId, state);
      return;
    }
    this.state = state;
    this.userStates.clear();
  }

  accountState(userId?: Snowflake): AccountState {
    return (userId === undefined ? undefined : this.userStates.get(userId)) ?? this.state;
  }

  setMode(mode: BotMode): void {
    if (!Object.values(MODE_COMMANDS).includes(mode)) {
      throw new BotOptionsError('mode', `expected fast, relaxed or turbo, got ${JSON.stringify(mode)}`);
    }
    this.options.mode = mode;
  }

  setFaults(faults: Partial<MidjourneyBotFaults>): void {
    this.options.faults = { ...this.options.faults, ...faults };
  }

  load(): { running: number; queued: number } {
    let running = 0;
    let queued = 0;
    for (const slots of this.slotsByUser.values()) {
      running += slots.runningCount;
      queued += slots.queuedCount;
    }
    return { running, queued };
  }

  private slotsOf(userId: Snowflake): SlotPool<Job> {
    let slots = this.slotsByUser.get(userId);
    if (slots === undefined) {
      slots = new SlotPool(this.options);
      this.slotsByUser.set(userId, slots);
    }
    return slots;
  }

  private command(interaction: AcceptedInteraction, payload: ApplicationCommandInteractionPayload): void {
    const name = payload.data.name;
    if (name === 'imagine') {
      const raw = payload.data.options.find((option) => option.name === 'prompt')?.value ?? '';
      const prompt = parsePrompt(String(raw), {
        suffix: this.options.echoSuffix,
        dropDefaults: this.options.dropDefaultParameters,
      });
      this.submit(
        createJob(interaction, { kind: 'imagine', prompt, label: '', result: 'grid' }, this.newJobFields()),
        true,
      );
      return;
    }
    const mode = MODE_COMMANDS[name];
    if (mode !== undefined) {
      this.options.mode = mode;
      this.reply(interaction, { content: `Done! Your jobs now run in ${mode} mode.` });
      return;
    }
    this.reply(interaction, { content: FAILED_TEXT }, false);
  }

  private button(interaction: AcceptedInteraction, payload: MessageComponentInteractionPayload): void {
    const action = parseCustomId(payload.data.custom_id);
    if (action.kind === 'captcha') {
      const userId = interaction.user.id;
      if (this.accountState(userId) === 'human-check') {
        if (this.userStates.has(userId)) this.userStates.set(userId, 'active');
        else this.state = 'active';
      }
      this.reply(interaction, { content: "Thank you! You're verified and can keep using Midjourney." });
      return;
    }
    if (action.kind === 'unsupported') {
      this.replyNotice(
        interaction,
        'invalid-request',
        `This action is not available: \`${action.customId}\``,
      );
      return;
    }
    const parent = this.jobsById.get(action.jobId);
    const usable =
      parent !== undefined &&
      parent.record.userId === interaction.user.id &&
      (action.kind === 'appeal'
        ? parent.record.outcome === 'appeal-needed'
        : parent.record.state === 'completed');
    if (!usable) {
      this.replyNotice(
        interaction,
        'job-action-restricted',
        'You can only use the buttons on your own finished jobs.',
      );
      return;
    }
    const job = createJob(interaction, buttonJobSpec(action, parent), this.newJobFields());
    job.sourceMessageId = payload.message_id;
    this.submit(job, false);
  }

  private newJobFields(): NewJobFields {
    return {
      id: randomUuid(this.random),
      mode: this.options.mode,
      now: this.world.clock.now(),
      durationMs: this.options.jobDurationMs,
    };
  }

  private submit(job: Job, validate: boolean): void {
    const { record } = job;
    const o = this.options;
    const decision = decideOutcome({
      prompt: job.prompt,
      validate,
      accountState: this.accountState(record.userId),
      mode: record.mode,
      bannedWords: o.bannedWords,
      rules: this.rules,
      probabilities: o.probabilities,
      random: this.random,
      neverAnswer: o.faults.neverAnswer,
    });
    record.outcome = decision.outcome;
    if (decision.rule) job.rule = decision.rule;
    if (decision.detail !== undefined) job.detail = decision.detail;
    if (decision.bannedWord !== undefined) job.bannedWord = decision.bannedWord;
    const factor = record.mode === 'relaxed' ? o.relaxedFactor : record.mode === 'turbo' ? o.turboFactor : 1;
    job.durationMs = decision.rule?.durationMs ?? Math.round(o.jobDurationMs * factor);
    this.order.push(job);
    this.jobsById.set(record.id, job);

    if (record.outcome === 'never-answer') {
      record.state = 'silent';
      if (job.rule?.acknowledge === false) {
        this.world.failInteraction?.(job.interaction.id, 'The application did not respond');
      }
      return;
    }
    if (!RUNNING_OUTCOMES.has(record.outcome)) {
      this.timers.after(o.answerDelayMs, () => this.reject(job));
      return;
    }
    const slots = this.slotsOf(record.userId);
    const slot = slots.acquire(job, record.mode);
    if (slot === 'started') {
      this.timers.after(o.answerDelayMs, () => this.player.run(job));
    } else if (slot === 'queued') {
      record.state = 'queued';
      const position = slots.position(job);
      this.timers.after(o.answerDelayMs, () => this.player.queued(job, position));
    } else {
      record.outcome = 'queue-full';
      const counts = { running: slots.runningCount, queued: slots.queuedCount };
      this.timers.after(o.answerDelayMs, () => this.reject(job, counts));
    }
  }

  /** Answers a job that will not run with its notice (or the plain-text failure). */
  private reject(job: Job, counts: { running: number; queued: number } = { running: 0, queued: 0 }): void {
    const outcome = job.record.outcome;
    if (isNoticeOutcome(outcome)) {
      this.player.notice(job, outcome, { ...counts, queueSize: this.options.queueSize });
    } else {
      this.player.failedText(job);
    }
    job.finished = true;
    job.record.state = 'rejected';
    job.record.finishedAt = this.world.clock.now();
  }

  private finish(job: Job, state: SimJobState): void {
    job.record.state = state;
    if (job.finished) return;
    job.finished = true;
    job.record.finishedAt = this.world.clock.now();
    for (const next of this.slotsOf(job.record.userId).release(job)) {
      next.record.state = 'waiting';
      this.timers.after(this.options.answerDelayMs, () => this.player.run(next));
    }
  }

  /** Answers an interaction that is not a job (mode switch, captcha, refused button) after the usual delay. */
  private reply(interaction: AcceptedInteraction, draft: BotMessageDraft, ephemeral = true): void {
    this.timers.after(this.options.answerDelayMs, () =>
      postReply(this.world, interaction, draft, ephemeral, this.evidence.next()),
    );
  }

  private replyNotice(interaction: AcceptedInteraction, outcome: NoticeOutcome, detail: string): void {
    const notice = buildNotice(outcome, { jobId: '', prompt: '', detail }, this.options.publicNotices);
    delete notice.embed.footer;
    this.reply(interaction, { embeds: [notice.embed], components: notice.components }, notice.ephemeral);
  }
}
