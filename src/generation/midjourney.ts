/**
 * `Midjourney`: the library's front door. It wires the REST client (and its one RateLimiter), the
 * channel watcher (polling, or the gateway with polling as fallback), the command resolver, the
 * local slots and the account guard into the job pipeline, and exposes `imagine`, the buttons,
 * `resume`, typed events, `stats()` and `close()`.
 *
 *   const mj = new Midjourney({ config: loadConfig() });
 *   const result = await mj.imagine('a lighthouse at dusk --ar 3:2', { onProgress: (p) => ... });
 *   await mj.upscale(result, 2);
 *   await mj.close();
 */
import { setMaxListeners } from 'node:events';
import { EventEmitter } from 'eventemitter3';
import { type Config, ConfigError, type LoadConfigOptions, loadConfig } from '../config/index.js';

import type { GatewayClient } from '../discord/gateway/index.js';
import type { DiscordApi } from '../discord/rest/api.js';
import type { Snowflake } from '../discord/types.js';
import { ValidationError } from '../errors.js';
import { type ImageLoadOptions, loadImages } from '../images/image-source.js';
import { CommandResolver } from '../midjourney/commands.js';
import { BOT_TYPES, type BotType } from '../midjourney/constants.js';
import type { AccountInfo } from '../midjourney/info-answer.js';
import { ModalRequiredError, ModalUnavailableError } from '../midjourney/modal-errors.js';
import { needsMask, opensModal } from '../midjourney/modals.js';
import { parseMessage } from '../midjourney/parser.js';
import { buildComponentInteraction, buildImagineInteraction } from '../midjourney/payloads.js';
import type { AccountSettings, SettingsChange, Speed } from '../midjourney/settings-answer.js';
import { type Clock, systemClock } from '../util/clock.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { AccountGuard } from './account-guard.js';
import { indexedAction, planAction } from './actions.js';
import type { ChannelWatcher } from './channel-watcher.js';
import type { GenerationStats, MidjourneyOptions, RestApi } from './client-options.js';
import { CommandRunner, type CommandRunnerDeps } from './commands/command-runner.js';
import { composeImagePrompt, flattenRefs, type ImagePromptRefs } from './commands/image-prompt.js';
import { SettingsRunner } from './commands/settings-runner.js';
import type {
  BlendOptions,
  CommandOptions,
  DescribeOptions,
  DescribeResult,
  ImageInput,
  SeedResult,
  SeedSource,
  ShortenResult,
} from './commands/types.js';
import { UnknownActionError } from './errors.js';
import { GatewayWatcher } from './gateway-watcher.js';
import type { ModalRequest } from './modal-flow.js';
import {
  type GenerationSettings,
  pickSettings,
  resolveGenerationSettings,
  settingsFromConfig,
} from './options.js';
import { type JobSpec, Pipeline } from './orchestrator.js';
import { PollingWatcher } from './polling-watcher.js';
import { toGenerationResult } from './result.js';
import { DiscordSession } from './session.js';
import { Slots } from './slots.js';
import { assertTicket, imageIndexOf, resumedMatchPrompt } from './ticket.js';
import { openTransports, type Transports } from './transports.js';
import type {
  ActionOptions,
  GenerationEvents,
  GenerationResult,
  Generator,
  JobAction,
  JobOptions,
  ResumeOptions,
  SubmissionTicket,
} from './types.js';

export type { GenerationStats, MidjourneyOptions } from './client-options.js';

/** Midjourney's per-prompt speed parameters. */
const SPEED_PARAMETER = /(?:^|\s)--(?:fast|relax|turbo)(?=\s|$)/;

export class Midjourney extends EventEmitter<GenerationEvents> implements Generator {
  readonly settings: GenerationSettings;
  private readonly transports: Transports;
  private readonly rest: RestApi;
  private readonly gateway: GatewayClient | undefined;
  private readonly watcher: ChannelWatcher;
  /** The Midjourney bot's commands (imagine, describe, blend, settings...). */
  private readonly resolver: CommandResolver;
  /** Each bot's own commands, discovered and cached apart (niji's only once a niji job runs). */
  private readonly resolvers: Record<BotType, CommandResolver>;
  private readonly slots: Slots;
  private readonly guard: AccountGuard;
  private readonly pipeline: Pipeline;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly life = new AbortController();
  private readonly session: DiscordSession;
  private readonly commands: CommandRunner;
  private readonly settingsRunner: SettingsRunner;
  private closing: Promise<void> | undefined;
  private readonly imageOptions: ImageLoadOptions;

  constructor(options: MidjourneyOptions) {
    super();
    // Every job in flight listens on the client's life signal: many listeners are expected.
    setMaxListeners(0, this.life.signal);
    const { config } = options;
    const fromConfig = config ? settingsFromConfig(config) : {};
    this.settings = resolveGenerationSettings({ ...fromConfig, ...pickSettings(options) });
    this.clock = options.clock ?? systemClock;
    const random = options.random ?? Math.random;
    this.logger = (options.logger ?? silentLogger).child({ component: 'generation' });
    this.transports = openTransports(options, this.settings);
    this.rest = this.transports.rest;
    this.gateway = this.transports.gateway;

    const pollOptions = {
      api: this.rest,
      clock: this.clock,
      random,
      pollMinMs: this.settings.pollMinMs,
      pollMaxMs: this.settings.pollMaxMs,
      confirmReadGapMs: this.settings.confirmReadGapMs,
      pageLimit: this.settings.pageLimit,
      maxPagesPerPoll: this.settings.maxPagesPerPoll,
      userId: () => this.session.userId,
      debug: (message: string) => this.debug(message),
    };
    this.watcher = this.gateway
      ? new GatewayWatcher({ ...pollOptions, gateway: this.gateway, deferMs: this.settings.deferMs })
      : new PollingWatcher(pollOptions);

    const { guildId, channelId, applicationId } = this.settings;
    this.session = new DiscordSession({
      api: this.rest,
      gateway: this.gateway,
      clock: this.clock,
      life: this.life.signal,
      userId: options.userId,
      debug: (message) => this.debug(message),
    });
    this.resolver = new CommandResolver({
      api: this.rest as DiscordApi,
      applicationId,
      clock: this.clock,
      ...(guildId !== undefined ? { guildId } : { channelId }),
    });
    this.resolver.on('debug', (message) => this.debug(message));
    const niji = new CommandResolver({
      api: this.rest as DiscordApi,
      applicationId: this.settings.nijiApplicationId,
      clock: this.clock,
      ...(guildId !== undefined ? { guildId } : { channelId }),
    });
    niji.on('debug', (message) => this.debug(`niji: ${message}`));
    this.resolvers = { midjourney: this.resolver, niji };
    this.slots = new Slots(this.settings.concurrentJobs);
    this.guard = new AccountGuard({
      clock: this.clock,
      random,
      submitGapMinMs: this.settings.submitGapMinMs,
      submitGapMaxMs: this.settings.submitGapMaxMs,
      dailyJobCap: this.settings.dailyJobCap,
      haltOnAccountNotice: this.settings.haltOnAccountNotice,
    });
    this.pipeline = new Pipeline({
      api: this.rest,
      watcher: this.watcher,
      slots: this.slots,
      guard: this.guard,
      clock: this.clock,
      settings: this.settings,
      events: this,
      session: (signal) => this.session.current(signal),
      refreshCommand: (signal, bot) => this.resolvers[bot].refresh(signal ? { signal } : {}),
      closing: this.life.signal,
      gateway: this.gateway,
      inpaintUrl: options.inpaintUrl ?? config?.inpaintUrl,
      debug: (message) => this.debug(message),
    });
    this.imageOptions = {
      ...(options.imageMaxBytes !== undefined ? { maxBytes: options.imageMaxBytes } : {}),
      ...(options.imageUrlPolicy !== undefined ? { urlPolicy: options.imageUrlPolicy } : {}),
    };
    const commandDeps: CommandRunnerDeps = {
      api: this.rest,
      // Each bot's commands from its own resolver (niji's describe and blend are niji's ids).
      command: (name, signal, bot = 'midjourney') =>
        this.resolvers[bot].resolve(name, signal ? { signal } : {}),
      refreshCommands: (signal, bot = 'midjourney') => this.resolvers[bot].refresh(signal ? { signal } : {}),
      session: (signal) => this.session.current(signal),
      settings: this.settings,
      clock: this.clock,
      random,
      closing: this.life.signal,
      // The bot's user id is its application id (both 936929561302675456 for Midjourney).
      botUserId: this.settings.applicationId,
      nijiBotUserId: this.settings.nijiApplicationId,
      dmChannelId: options.dmChannelId,
      gateway: this.gateway,
      images: {
        ...(options.imageMaxBytes !== undefined ? { maxBytes: options.imageMaxBytes } : {}),
        ...(options.imageUrlPolicy !== undefined ? { urlPolicy: options.imageUrlPolicy } : {}),
      },
      debug: (message) => this.debug(message),
    };
    this.commands = new CommandRunner(commandDeps);
    this.settingsRunner = new SettingsRunner(commandDeps);
  }

  /**
   * A client for a loaded configuration (credentials required), with optional overrides. Without
   * credentials (and no token and channel given as overrides) it throws a ConfigError naming the
   * DISCORD_* variables to set, rather than an option error about `channelId`.
   */
  static fromConfig(config: Config, overrides: Omit<MidjourneyOptions, 'config'> = {}): Midjourney {
    if (config.credentials === null) {
      const missing = [
        ...(overrides.token === undefined && overrides.rest === undefined
          ? ['DISCORD_TOKEN: required (the Discord user token)']
          : []),
        ...(overrides.guildId === undefined ? ['DISCORD_GUILD_ID: required (the server id)'] : []),
        ...(overrides.channelId === undefined ? ['DISCORD_CHANNEL_ID: required (the channel id)'] : []),
      ];
      if (missing.length > 0 && overrides.channelId === undefined) throw new ConfigError(missing);
    }
    return new Midjourney({ ...overrides, config });
  }

  /**
   * Sends `/imagine` and resolves with the finished grid, or rejects with a typed error. With
   * `options.mode`, the job runs at that speed whatever the account's: the prompt gets Midjourney's
   * `--fast` / `--relax` / `--turbo` parameter (unless it names one), so the account's speed is
   * never switched under the other jobs in flight.
   */
  imagine(prompt: string, options: JobOptions = {}): Promise<GenerationResult> {
    if (typeof prompt !== 'string' || prompt.trim() === '') {
      return Promise.reject(
        new ValidationError('Invalid prompt', [
          `prompt: expected a non-empty string, got ${JSON.stringify(prompt)}`,
        ]),
      );
    }
    if (options.botType !== undefined && !BOT_TYPES.includes(options.botType)) {
      return Promise.reject(
        new ValidationError('Invalid job options', [
          `botType: expected midjourney or niji, got ${JSON.stringify(options.botType)}`,
        ]),
      );
    }
    if (options.mode !== undefined) {
      if (!['fast', 'relax', 'turbo'].includes(options.mode)) {
        return Promise.reject(
          new ValidationError('Invalid job options', [
            `mode: expected fast, relax or turbo, got ${JSON.stringify(options.mode)}`,
          ]),
        );
      }
      if (!SPEED_PARAMETER.test(prompt)) {
        const { mode, ...rest } = options;
        return this.imagine(`${prompt} --${mode}`, rest).then((result) => ({ ...result, prompt }));
      }
    }
    const { guildId, channelId } = this.settings;
    const bot = this.botOf(options.botType ?? 'midjourney');
    const resolver = this.resolvers[bot.type];
    const spec: JobSpec = {
      kind: 'imagine',
      bot,
      prompt,
      matchPrompt: prompt,
      channelId,
      build: async (session, nonce, signal) =>
        buildImagineInteraction({
          ...(guildId !== undefined ? { guildId } : {}),
          channelId,
          sessionId: session.sessionId,
          command: await resolver.resolve('imagine', signal ? { signal } : {}),
          prompt,
          nonce,
        }),
    };
    return this.pipeline.run(spec, options);
  }

  /**
   * Presses a button (`U1`–`U4`, `V1`–`V4`, `reroll`, `vary-strong`, `zoom-custom`, ...) on an
   * earlier result. A button Midjourney answers with a form (Custom Zoom, Vary (Region), Vary and
   * Reroll in Remix mode) is answered with `options.prompt` / `fields` / `mask` (else the form's
   * prefilled values); that needs the gateway (ModalUnavailableError otherwise), and a form the
   * call cannot fill is a ModalRequiredError at once.
   */
  act(source: GenerationResult, action: JobAction, options: ActionOptions = {}): Promise<GenerationResult> {
    let plan: ReturnType<typeof planAction>;
    try {
      plan = planAction(source, action);
      this.checkForm(action, plan.customId, options);
    } catch (error) {
      return Promise.reject(error);
    }
    const { guildId } = this.settings;
    // The source's bot, never the caller's: a button answers only to the application that posted it.
    const bot = this.botOf(source.botType ?? 'midjourney');
    const { applicationId } = bot;
    const spec: JobSpec = {
      kind: plan.kind,
      bot,
      // A form's prompt (Remix, Custom Zoom) is the new job's prompt; the echo is matched on it
      // once the form is submitted (orchestrator.ts, modal step).
      prompt: options.prompt ?? source.prompt,
      matchPrompt: source.echoedPrompt,
      channelId: source.channelId,
      sourceMessageId: source.messageId,
      customId: plan.customId,
      ...(plan.imageIndex !== undefined ? { imageIndex: plan.imageIndex } : {}),
      ...(this.gateway !== undefined ? { modal: this.modalRequest(options) } : {}),
      build: async (session, nonce) =>
        buildComponentInteraction({
          applicationId,
          ...(guildId !== undefined ? { guildId } : {}),
          channelId: source.channelId,
          sessionId: session.sessionId,
          messageId: source.messageId,
          messageFlags: source.messageFlags,
          customId: plan.customId,
          nonce,
        }),
    };
    return this.pipeline.run(spec, options);
  }

  /**
   * Imagines prompt `index` of a `/describe` (1–4) or `/shorten` (1–5) answer: presses its button,
   * answers Midjourney's form with `options.prompt` (default: that prompt, as Midjourney prefills
   * it) and resolves with the grid. Needs the gateway (the form reaches only gateway sessions).
   * The button, its form and the grid are the bot's that answered (a niji describe's: niji's).
   */
  imagineFrom(
    answer: DescribeResult | ShortenResult,
    index: number,
    options: ActionOptions = {},
  ): Promise<GenerationResult> {
    const customId = answer?.buttons?.[String(index)];
    const prompt = options.prompt ?? answer?.prompts?.[index - 1];
    if (typeof customId !== 'string' || prompt === undefined) {
      return Promise.reject(
        new UnknownActionError(
          String(index),
          Object.keys(answer?.buttons ?? {}).filter((k) => /^\d$/.test(k)),
        ),
      );
    }
    try {
      this.checkForm(String(index), customId, options);
    } catch (error) {
      return Promise.reject(error);
    }
    const { guildId } = this.settings;
    // The answer's bot: its buttons answer only to the application that posted them (`/shorten`
    // is Midjourney's alone).
    const bot = this.botOf((answer.kind === 'describe' ? answer.botType : undefined) ?? 'midjourney');
    const { applicationId } = bot;
    const spec: JobSpec = {
      kind: 'imagine',
      bot,
      prompt,
      matchPrompt: prompt,
      channelId: answer.channelId,
      sourceMessageId: answer.messageId,
      customId,
      modal: this.modalRequest({ ...options, prompt }),
      build: async (session, nonce) =>
        buildComponentInteraction({
          applicationId,
          ...(guildId !== undefined ? { guildId } : {}),
          channelId: answer.channelId,
          sessionId: session.sessionId,
          messageId: answer.messageId,
          messageFlags: answer.messageFlags,
          customId,
          nonce,
        }),
    };
    return this.pipeline.run(spec, options);
  }

  /**
   * A finished result read back from its message (for a process that did not run the job, e.g.
   * `mjw act`): one REST read, parsed as the watcher parses it. A message that is no finished
   * Midjourney result is a ValidationError naming what it is.
   */
  async resultOf(
    messageId: Snowflake,
    options: { channelId?: Snowflake; signal?: AbortSignal } = {},
  ): Promise<GenerationResult> {
    const channelId = options.channelId ?? this.settings.channelId;
    const page = await this.rest.getMessages(
      channelId,
      { around: messageId, limit: 1 },
      options.signal ? { signal: options.signal } : {},
    );
    const message = page.find((m) => m.id === messageId);
    const botIds = [this.settings.applicationId, this.settings.nijiApplicationId];
    const parsed = message ? parseMessage(message, { botIds }) : undefined;
    const finished = parsed?.state === 'done' || parsed?.state === 'upscale' || parsed?.state === 'variation';
    if (!message || !parsed?.fromMidjourney || !finished || !parsed.imageUrl) {
      throw new ValidationError('Not a finished Midjourney result', [
        `message ${messageId} in channel ${channelId}: ${message ? `a ${parsed?.fromMidjourney ? parsed.state : 'non-Midjourney'} message` : 'not found'}`,
      ]);
    }
    const now = this.clock.now();
    return toGenerationResult({
      botType: parsed.authorId === this.settings.nijiApplicationId ? 'niji' : 'midjourney',
      kind: parsed.state === 'upscale' ? 'upscale' : parsed.state === 'variation' ? 'variation' : 'imagine',
      prompt: parsed.prompt ?? '',
      channelId,
      message,
      parsed,
      submittedAt: now,
      startedAt: undefined,
      completedAt: now,
    });
  }

  /** A bot's application (whose user, the same id, authors its messages). */
  private botOf(type: BotType): JobSpec['bot'] {
    return {
      type,
      applicationId: type === 'niji' ? this.settings.nijiApplicationId : this.settings.applicationId,
    };
  }

  /** Refuses, before sending, a form the client could not see or fill. */
  private checkForm(action: string, customId: string, options: ActionOptions): void {
    const formGiven =
      options.prompt !== undefined || options.fields !== undefined || options.mask !== undefined;
    if (this.gateway === undefined && (opensModal(customId) || formGiven)) {
      throw new ModalUnavailableError(action);
    }
    if (needsMask(customId) && options.mask === undefined) {
      throw new ModalRequiredError({
        customId,
        fields: ['mask'],
        message: `The "${action}" button (Vary (Region)) needs a mask image (option mask)`,
      });
    }
    if (
      options.prompt !== undefined &&
      (typeof options.prompt !== 'string' || options.prompt.trim() === '')
    ) {
      throw new ValidationError('Invalid prompt', [
        `prompt: expected a non-empty string, got ${JSON.stringify(options.prompt)}`,
      ]);
    }
  }

  private modalRequest(options: ActionOptions): ModalRequest {
    const { mask } = options;
    return {
      prompt: options.prompt,
      fields: options.fields,
      ...(mask !== undefined
        ? {
            mask: async () => {
              const [loaded] = await loadImages([mask], {
                ...this.imageOptions,
                ...(options.signal ? { signal: options.signal } : {}),
              });
              if (loaded?.mime !== 'image/png') {
                throw new ValidationError('Invalid mask', [
                  `mask: Vary (Region) takes a PNG, got ${loaded?.mime ?? 'nothing'}`,
                ]);
              }
              return loaded.bytes;
            },
          }
        : {}),
    };
  }

  /** Upscales image `index` (1–4) of a grid: the result is Midjourney's "Image #n". */
  async upscale(
    source: GenerationResult,
    index: number,
    options: JobOptions = {},
  ): Promise<GenerationResult> {
    return this.act(source, indexedAction('U', index), options);
  }

  /** Makes variations of image `index` (1–4) of a grid. */
  async variation(
    source: GenerationResult,
    index: number,
    options: JobOptions = {},
  ): Promise<GenerationResult> {
    return this.act(source, indexedAction('V', index), options);
  }

  /** Runs the grid's prompt again. */
  reroll(source: GenerationResult, options: JobOptions = {}): Promise<GenerationResult> {
    return this.act(source, 'reroll', options);
  }

  /**
   * Finds a job submitted earlier (e.g. before a crash) after `ticket.afterMessageId`, matching its
   * prompt (and nonce where visible), and follows it to its end. Nothing is sent. The restart rule
   * (restart-rule.ts) says how it ends when nothing of it appears: complete, successful reads
   * after `resumeGraceMs` show nothing -> JobNotFoundError only when `options.neverSent` proves
   * the POST was never attempted (only then resubmit), SubmissionUncertainError when the send was
   * not confirmed (it may have run), InferredPreModerationError when Discord had confirmed it (the
   * default); reads that keep failing -> ResumeUnresolvedError at the deadline (do not resubmit).
   * A button that may have answered a form is found whether the form was submitted (the ticket's
   * `formNonce` and `formPrompt`) or no form opened (its `nonce` and `sourcePrompt`).
   */
  resume(ticket: SubmissionTicket, options: ResumeOptions = {}): Promise<GenerationResult> {
    try {
      assertTicket(ticket);
    } catch (error) {
      return Promise.reject(error);
    }
    const imageIndex = imageIndexOf(ticket);
    const spec: JobSpec = {
      kind: ticket.kind,
      bot: this.botOf(ticket.botType ?? 'midjourney'),
      prompt: ticket.prompt,
      matchPrompt: resumedMatchPrompt(ticket),
      channelId: ticket.channelId,
      resumeFrom: ticket,
      sendConfirmed: options.sendConfirmed ?? true,
      neverSent: options.neverSent ?? false,
      ...(ticket.sourceMessageId ? { sourceMessageId: ticket.sourceMessageId } : {}),
      ...(ticket.customId ? { customId: ticket.customId } : {}),
      ...(imageIndex !== undefined ? { imageIndex } : {}),
    };
    return this.pipeline.run(spec, options);
  }

  /**
   * `/imagine` with image prompts and references: every image is checked (ImageInputError), then
   * uploaded and shown in the channel, and its CDN URL goes into the prompt (image prompts first,
   * then `--sref`, `--cref`, `--oref`). The rest is `imagine`.
   */
  async imagineWithImages(
    prompt: string,
    refs: ImagePromptRefs,
    options: JobOptions = {},
  ): Promise<GenerationResult> {
    const { inputs, split } = flattenRefs(refs);
    const urls = await this.commands.hostImages(inputs, options.signal ? { signal: options.signal } : {});
    return this.imagine(composeImagePrompt(prompt, split(urls)), options);
  }

  /** Uploads images and returns their CDN URLs, for prompts composed by hand. */
  hostImages(images: readonly ImageInput[], options: CommandOptions = {}): Promise<string[]> {
    return this.commands.hostImages(images, options);
  }

  /**
   * `/describe`: uploads the image (a path, bytes, a `data:` URL or an http(s) URL, checked first:
   * ImageInputError) and resolves with the bot's four prompts and the buttons that imagine them.
   * `botType: 'niji'` sends niji・journey's own `/describe` and reads only niji's answer.
   */
  describe(image: ImageInput, options: DescribeOptions = {}): Promise<DescribeResult> {
    return this.commands.describe(image, options);
  }

  /**
   * `/blend`: 2–5 images into one grid (`dimensions` portrait, square or landscape). With
   * `botType: 'niji'`, niji・journey's own `/blend`; the grid's buttons go back to that bot.
   */
  blend(images: readonly ImageInput[], options: BlendOptions = {}): Promise<GenerationResult> {
    return this.commands.blend(images, options);
  }

  /**
   * The seed of a finished result: reacts ✉️ and reads the DM of the result's bot (a niji result's
   * seed comes from niji・journey, in its own DM channel).
   */
  seed(source: SeedSource, options: CommandOptions = {}): Promise<SeedResult> {
    return this.commands.seed(source, options);
  }

  /** `/info`: plan, job mode, fast time remaining, jobs queued and running. Needs `watch: 'gateway'`. */
  info(options: CommandOptions = {}): Promise<AccountInfo> {
    return this.commands.info(options);
  }

  /** `/shorten`: the prompt's important tokens and five shorter prompts. */
  shorten(prompt: string, options: CommandOptions = {}): Promise<ShortenResult> {
    return this.commands.shorten(prompt, options);
  }

  /** `/settings`: version, stylize, speed, remix and privacy, read from the panel (needs the gateway). */
  getSettings(options: CommandOptions = {}): Promise<AccountSettings> {
    return this.settingsRunner.settings(options);
  }

  /**
   * Changes settings on the `/settings` panel (only the controls whose state differs are pressed,
   * each confirmed by the edited panel); resolves with the panel after. Needs the gateway.
   */
  changeSettings(change: SettingsChange, options: CommandOptions = {}): Promise<AccountSettings> {
    return this.settingsRunner.changeSettings(change, options);
  }

  /** `/fast`, `/relax` or `/turbo` for the account; resolves with Midjourney's answer. Needs the gateway. */
  setSpeed(speed: Speed, options: CommandOptions = {}): Promise<string> {
    return this.settingsRunner.setSpeed(speed, options);
  }

  /** `/prefer remix`: toggles Remix mode; resolves with whether it is now on. Needs the gateway. */
  preferRemix(options: CommandOptions = {}): Promise<boolean> {
    return this.settingsRunner.preferRemix(options);
  }

  /** Lifts a halt after an account-fatal notice (once a person has fixed the account). */
  resumeSubmissions(): void {
    this.guard.resume();
  }

  stats(): GenerationStats {
    const slots = this.slots.stats();
    const stats: GenerationStats = {
      slots,
      queueDepth: slots.waiting,
      jobsInFlight: this.pipeline.jobsInFlight,
      watcher: this.watcher.stats(),
      account: this.guard.stats(),
    };
    const limiter = this.rest.limiter?.stats();
    if (limiter) stats.limiter = limiter;
    return stats;
  }

  /** Cancels every job in flight (they reject with an AbortError), then releases sockets and timers. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.life.abort(new DOMException('The Midjourney client was closed', 'AbortError'));
      await this.pipeline.drain();
      await this.watcher.close();
      await this.transports.close();
    })();
    return this.closing;
  }

  private debug(message: string): void {
    this.logger.debug(message);
    if (this.listenerCount('debug') > 0) this.emit('debug', message);
  }
}

/** Builds a client from the environment (and `.env`): credentials required. */
export function createMidjourney(
  options: LoadConfigOptions & { overrides?: Omit<MidjourneyOptions, 'config'> } = {},
): Midjourney {
  const { overrides, ...load } = options;
  return Midjourney.fromConfig(loadConfig({ requireCredentials: true, ...load }), overrides);
}
