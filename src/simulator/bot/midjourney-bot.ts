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
  type ModalSubmitInteractionPayload,
} from '../../discord/types.js';
import type { Random } from '../../util/clock.js';
import type {
  AcceptedInteraction,
  AddedReaction,
  BotMessageDraft,
  InpaintSubmit,
  SimBot,
  SimWorld,
} from '../world.js';
import { buttonJobSpec } from './buttons.js';
import { FAILED_TEXT } from './content.js';
import { parseCustomId } from './custom-id.js';
import { decideOutcome, takeRule, validateScriptRule } from './decide.js';
import { EvidencePolicy } from './evidence.js';
import {
  describeComponents,
  describeEmbed,
  describePrompts,
  shortenComponents,
  shortenEmbed,
  shortenPrompt,
} from './image-commands.js';
import { infoEmbed } from './info.js';
import { createJob, type Job, type JobSpec, type NewJobFields } from './job.js';
import {
  customZoomModal,
  imaginePromptModal,
  type PendingModal,
  remixModal,
  submittedText,
  zoomOf,
} from './modals.js';
import { buildNotice, isNoticeOutcome, type NoticeOutcome } from './notices.js';
import {
  BotOptionsError,
  type MidjourneyBotFaults,
  type MidjourneyBotInput,
  type MidjourneyBotOptions,
  resolveBotOptions,
} from './options.js';
import { JobPlayer } from './player.js';
import { findBannedWord, parsePrompt } from './prompt.js';
import { randomUuid, seededRandom } from './random.js';
import { postReply } from './reply.js';
import { isSeedEmoji, seedContent } from './seed.js';
import { applySetting, settingsComponents, settingsContent, type UserSettings } from './settings.js';
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
  /** Remix mode for every user, or for one user (`userId`), as `/prefer remix` sets it. */
  setRemix(on: boolean, userId?: Snowflake): void;
  remix(userId?: Snowflake): boolean;
  /** A user's settings as `/settings` shows them. */
  settingsOf(userId: Snowflake): UserSettings;
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
  /** Users' own settings (`/settings`, `/fast`...), over the bot's options. */
  private readonly settingsByUser = new Map<Snowflake, Partial<UserSettings>>();
  /** Users whose remix mode differs from `options.remix`. */
  private readonly remixByUser = new Map<Snowflake, boolean>();
  /** Text modals opened, by modal id (the interaction id), until submitted. */
  private readonly modals = new Map<Snowflake, PendingModal>();
  /** Vary (Region) editors opened, by token. */
  private readonly iframes = new Map<string, { parent: Job; interaction: AcceptedInteraction }>();
  /** The prompts of describe / shorten answers, by message id (their buttons imagine one). */
  private readonly answers = new Map<Snowflake, string[]>();

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
    } else if (interaction.payload.type === InteractionType.ModalSubmit) {
      this.modalSubmit(interaction, interaction.payload);
    } else {
      this.button(interaction, interaction.payload);
    }
  }

  /**
   * Vary (Region): the editor posted the mask and the prompt for an iframe modal this bot opened.
   * The job runs as a reply to the pressed button's interaction (its nonce and id, as Midjourney's
   * `interaction_metadata.id` names the iframe modal, which is that interaction).
   */
  handleInpaint(submit: InpaintSubmit): 'accepted' | 'unknown' {
    const open = this.iframes.get(submit.customId);
    if (this.timers.isStopped || open === undefined) return 'unknown';
    this.iframes.delete(submit.customId);
    const { parent, interaction } = open;
    const text = submit.prompt.trim();
    const prompt =
      text === ''
        ? parent.prompt
        : parsePrompt(text, {
            suffix: this.options.echoSuffix,
            dropDefaults: this.options.dropDefaultParameters,
          });
    const job = createJob(
      interaction,
      { kind: 'variation', prompt, label: 'Variations (Region) by ', result: 'grid', parent },
      this.newJobFields(interaction.user.id),
    );
    if (interaction.payload.type === InteractionType.MessageComponent) {
      job.sourceMessageId = interaction.payload.message_id;
    }
    this.submit(job, text !== '');
    return 'accepted';
  }

  /** ✉️ on one of the user's finished results: the seed arrives by DM (seed.ts). */
  handleReaction(reaction: AddedReaction): void {
    if (this.timers.isStopped || !isSeedEmoji(reaction.emoji)) return;
    const job = this.order.find((j) => j.record.resultMessageId === reaction.messageId);
    if (job === undefined || job.record.userId !== reaction.user.id) return;
    this.timers.after(this.options.answerDelayMs, () => {
      this.world.postDirectMessage?.(reaction.user.id, {
        content: seedContent(job.record.echo, job.record.id),
      });
    });
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
    for (const overrides of this.settingsByUser.values()) delete overrides.mode;
  }

  setFaults(faults: Partial<MidjourneyBotFaults>): void {
    this.options.faults = { ...this.options.faults, ...faults };
  }

  setRemix(on: boolean, userId?: Snowflake): void {
    if (typeof on !== 'boolean')
      throw new BotOptionsError('remix', `expected true or false, got ${String(on)}`);
    if (userId !== undefined) {
      this.remixByUser.set(userId, on);
      return;
    }
    this.options.remix = on;
    this.remixByUser.clear();
  }

  remix(userId?: Snowflake): boolean {
    return (userId === undefined ? undefined : this.remixByUser.get(userId)) ?? this.options.remix;
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
        createJob(
          interaction,
          { kind: 'imagine', prompt, label: '', result: 'grid' },
          this.newJobFields(interaction.user.id),
        ),
        true,
      );
      return;
    }
    if (name === 'info') {
      const userId = interaction.user.id;
      const slots = this.slotsOf(userId);
      const settings = this.settingsOf(userId);
      const embed = infoEmbed({
        user: interaction.user,
        mode: settings.mode,
        accountState: this.accountState(userId),
        running: slots.runningCount,
        queuedFast: settings.mode === 'relaxed' ? 0 : slots.queuedCount,
        queuedRelax: settings.mode === 'relaxed' ? slots.queuedCount : 0,
        jobs: this.order.filter((job) => job.record.userId === userId).length,
        stealth: settings.stealth,
      });
      // Private, as Midjourney answers /info: only the user's gateway sessions see it.
      this.reply(interaction, { embeds: [embed] }, true);
      return;
    }
    if (name === 'describe' || name === 'shorten' || name === 'blend') {
      this.imageCommand(interaction, payload);
      return;
    }
    if (name === 'settings') {
      const settings = this.settingsOf(interaction.user.id);
      this.reply(interaction, {
        content: settingsContent(settings),
        components: settingsComponents(settings),
      });
      return;
    }
    if (name === 'prefer') {
      const sub = (payload.data.options as { name?: string }[])[0]?.name;
      if (sub === 'remix') {
        const on = !this.remix(interaction.user.id);
        this.setRemix(on, interaction.user.id);
        this.reply(interaction, { content: `Remix mode turned ${on ? 'on' : 'off'}!` });
        return;
      }
    }
    const mode = MODE_COMMANDS[name];
    if (mode !== undefined) {
      this.userSettings(interaction.user.id).mode = mode;
      const label = mode === 'relaxed' ? 'relax' : mode;
      this.reply(interaction, { content: `Done! Your jobs now run in ${label} mode.` });
      return;
    }
    this.reply(interaction, { content: FAILED_TEXT }, false);
  }

  /**
   * `/describe`, `/shorten` and `/blend`. The account state, the banned words (for images: in the
   * file names) and the scripted rules (matched on the file names or the prompt) decide first; a
   * refusal is a notice without a footer. Describe and shorten answer with one message edited
   * into an embed (image-commands.ts); blend runs as a grid job of kind `blend`.
   */
  private imageCommand(
    interaction: AcceptedInteraction,
    payload: ApplicationCommandInteractionPayload,
  ): void {
    const name = payload.data.name;
    const files = interaction.attachments ?? [];
    const promptOption = payload.data.options.find((option) => option.name === 'prompt')?.value ?? '';
    const subject = name === 'shorten' ? String(promptOption) : files.map((f) => f.filename).join(' ');
    const state = this.accountState(interaction.user.id);
    if (state !== 'active' && state !== 'credits-exhausted' && isNoticeOutcome(state)) {
      this.replyNotice(interaction, state, '');
      return;
    }
    if (name !== 'shorten' && files.length === 0) {
      this.replyNotice(interaction, 'invalid-request', 'Please attach an image.');
      return;
    }
    if (name === 'shorten' && subject.trim() === '') {
      this.replyNotice(interaction, 'empty-prompt', 'Please provide a prompt to shorten.');
      return;
    }
    const banned = findBannedWord(subject, this.options.bannedWords);
    const rule = banned === undefined ? takeRule(this.rules, subject) : undefined;
    if (banned !== undefined || (rule !== undefined && isNoticeOutcome(rule.outcome))) {
      const outcome = banned !== undefined ? 'pre-moderation' : (rule!.outcome as NoticeOutcome);
      const title = outcome === 'pre-moderation' && name !== 'shorten' ? 'Banned image prompt' : undefined;
      this.replyNotice(interaction, outcome, '', title);
      return;
    }
    if (rule?.outcome === 'never-answer') return;
    if (name === 'blend') {
      const dimensions = payload.data.options.find((option) => option.name === 'dimensions')?.value;
      const raw = `${files.map((f) => f.url).join(' ')} ${dimensions ?? '--ar 1:1'}`;
      const prompt = parsePrompt(raw, { suffix: this.options.echoSuffix, dropDefaults: false });
      this.submit(
        createJob(
          interaction,
          { kind: 'blend', prompt, label: '', result: 'grid' },
          this.newJobFields(interaction.user.id),
        ),
        false,
      );
      return;
    }
    const o = this.options;
    this.timers.after(o.answerDelayMs, () => {
      const first = postReply(
        this.world,
        interaction,
        { content: '', embeds: [] },
        false,
        this.evidence.next(),
      );
      this.timers.after(o.waitingMs, () => {
        const prompts =
          name === 'describe'
            ? describePrompts(files[0]!.filename, files[0]!.size)
            : shortenPrompt(subject).prompts;
        const answer =
          name === 'describe'
            ? { embeds: [describeEmbed(prompts, files[0]!.url)], components: describeComponents() }
            : { embeds: [shortenEmbed(shortenPrompt(subject))], components: shortenComponents() };
        this.answers.set(first.id, prompts);
        this.world.editMessage(payload.channel_id, first.id, answer);
      });
    });
  }

  /** The user's settings: their own changes over the bot's options. */
  settingsOf(userId: Snowflake): UserSettings {
    const own = this.settingsByUser.get(userId) ?? {};
    return {
      version: own.version ?? '6.1',
      stylize: own.stylize ?? 100,
      mode: own.mode ?? this.options.mode,
      remix: this.remix(userId),
      stealth: own.stealth ?? this.options.stealth,
    };
  }

  private userSettings(userId: Snowflake): Partial<UserSettings> {
    let own = this.settingsByUser.get(userId);
    if (own === undefined) {
      own = {};
      this.settingsByUser.set(userId, own);
    }
    return own;
  }

  /** A control of the `/settings` panel: the user's settings change and the panel is edited. */
  private settingsControl(
    interaction: AcceptedInteraction,
    payload: MessageComponentInteractionPayload,
  ): void {
    const userId = interaction.user.id;
    const next = applySetting(this.settingsOf(userId), payload.data.custom_id, payload.data.values ?? []);
    if (next === undefined) {
      this.replyNotice(
        interaction,
        'invalid-request',
        `This setting is not available: \`${payload.data.custom_id}\``,
      );
      return;
    }
    const own = this.userSettings(userId);
    own.version = next.version;
    own.stylize = next.stylize;
    own.mode = next.mode;
    own.stealth = next.stealth;
    if (next.remix !== this.remix(userId)) this.setRemix(next.remix, userId);
    this.timers.after(this.options.answerDelayMs, () => {
      this.world.editMessage(payload.channel_id, payload.message_id, {
        content: settingsContent(next),
        components: settingsComponents(next),
      });
    });
  }

  private button(interaction: AcceptedInteraction, payload: MessageComponentInteractionPayload): void {
    if (payload.data.custom_id.startsWith('MJ::Settings::')) {
      this.settingsControl(interaction, payload);
      return;
    }
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
    if (action.kind === 'imagine-prompt') {
      const prompt = this.answers.get(payload.message_id)?.[action.index - 1];
      if (prompt === undefined) {
        this.replyNotice(interaction, 'invalid-request', 'This prompt is no longer available.');
        return;
      }
      this.openModal(
        interaction,
        imaginePromptModal(action.source, action.index, payload.message_id, prompt),
        { kind: 'imagine', sourceMessageId: payload.message_id },
      );
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
    const sourceMessageId = payload.message_id;
    if (action.kind === 'custom-zoom') {
      this.openModal(interaction, customZoomModal(parent.record.id, parent.prompt.raw), {
        kind: 'zoom',
        parent,
        sourceMessageId,
      });
      return;
    }
    if (action.kind === 'inpaint') {
      const token = randomUuid(this.random).replaceAll('-', '');
      if (
        this.world.openModal?.(
          interaction.id,
          { custom_id: `MJ::iframe::${token}`, title: 'Vary (Region)' },
          true,
        )
      ) {
        this.iframes.set(token, { parent, interaction });
      }
      return;
    }
    if ((action.kind === 'variation' || action.kind === 'reroll') && this.remix(interaction.user.id)) {
      const index = action.kind === 'variation' ? action.index : 0;
      const solo = action.kind === 'reroll' || action.solo;
      this.openModal(interaction, remixModal(parent.record.id, index, solo, parent.prompt.raw), {
        kind: 'remix',
        action,
        parent,
        sourceMessageId,
      });
      return;
    }
    const job = createJob(interaction, buttonJobSpec(action, parent), this.newJobFields(interaction.user.id));
    job.sourceMessageId = sourceMessageId;
    this.submit(job, false);
  }

  private openModal(
    interaction: AcceptedInteraction,
    modal: ReturnType<typeof remixModal>,
    pending: PendingModal,
  ): void {
    if (this.world.openModal?.(interaction.id, modal)) this.modals.set(interaction.id, pending);
  }

  /**
   * A modal submitted: its text is the new prompt. Remix runs the pressed button's job with it,
   * Custom Zoom a zoom with its `--zoom` (1 to 2, else "Invalid parameter"), a describe / shorten
   * prompt an `/imagine`. Each is checked like a typed prompt.
   */
  private modalSubmit(interaction: AcceptedInteraction, payload: ModalSubmitInteractionPayload): void {
    const pending = this.modals.get(payload.data.id);
    if (pending === undefined) {
      this.replyNotice(interaction, 'invalid-request', 'This form is no longer available.');
      return;
    }
    this.modals.delete(payload.data.id);
    const text = submittedText(payload);
    if (text.trim() === '') {
      this.replyNotice(interaction, 'empty-prompt', 'Please provide a prompt.');
      return;
    }
    const prompt = parsePrompt(text, {
      suffix: this.options.echoSuffix,
      dropDefaults: this.options.dropDefaultParameters,
    });
    let spec: JobSpec;
    if (pending.kind === 'imagine') {
      spec = { kind: 'imagine', prompt, label: '', result: 'grid' };
    } else if (pending.kind === 'zoom') {
      if (zoomOf(text) === undefined) {
        this.replyNotice(
          interaction,
          'invalid-parameter',
          'Invalid value for `--zoom`: expected a number from 1 to 2.',
        );
        return;
      }
      spec = { kind: 'zoom', prompt, label: 'Zoom Out by ', result: 'grid', parent: pending.parent };
    } else {
      const base = buttonJobSpec(pending.action, pending.parent);
      const label =
        pending.action.kind === 'variation' ? `Remix (${pending.action.strength}) by ` : base.label;
      spec = { ...base, prompt, label };
    }
    const job = createJob(interaction, spec, this.newJobFields(interaction.user.id));
    if (pending.kind !== 'imagine') job.sourceMessageId = pending.sourceMessageId;
    this.submit(job, true);
  }

  private newJobFields(userId: Snowflake): NewJobFields {
    return {
      id: randomUuid(this.random),
      botType: this.options.botType,
      mode: this.settingsOf(userId).mode,
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

  private replyNotice(
    interaction: AcceptedInteraction,
    outcome: NoticeOutcome,
    detail: string,
    title?: string,
  ): void {
    const context = detail === '' ? { jobId: '', prompt: '' } : { jobId: '', prompt: '', detail };
    const notice = buildNotice(outcome, context, this.options.publicNotices);
    delete notice.embed.footer;
    if (title !== undefined) notice.embed.title = title;
    this.reply(interaction, { embeds: [notice.embed], components: notice.components }, notice.ephemeral);
  }
}
