/**
 * Runs the commands that are not `/imagine` grids of a prompt: `/describe`, `/shorten` and
 * `/blend`. Sequence, per call:
 *
 *   load + check every image (images/, before anything is sent) -> our slot for this command
 *   -> upload slots (POST, through the RateLimiter) -> PUT the bytes (upload host, no token)
 *   -> snapshot the channel's newest message -> POST /interactions (refresh once if outdated)
 *   -> read the channel until the answer, a refusal, or the deadline
 *
 * Which message answers us (pure rules in answer-match.ts): the reply whose
 * `interaction_metadata` names this command and our user (and whose nonce, when Discord echoes
 * one, is ours); for blend, the grid whose echoed prompt equals the one of that reply. One call
 * per command name and bot is in flight at a time on a client: the reply carries no prompt, so two
 * describes at once could not be told apart over REST. `/describe` and `/blend` go to either bot
 * (`botType`: Midjourney or niji・journey, each its own command and application); only the chosen
 * bot's messages are read, so one call of each bot may run at once in one channel. Answers are
 * read over REST polling (the same limiter); ephemeral refusals never appear there, so silence
 * until the deadline is reported as InferredPreModerationError, as for `/imagine`.
 */

import type { GatewayDispatch } from '../../discord/gateway/events.js';
import type { GatewayClient } from '../../discord/gateway/index.js';
import type { RestRequester } from '../../discord/rest/attachments.js';
import { postUploadedFiles, requestAttachmentSlots, uploadToSlot } from '../../discord/rest/attachments.js';
import { addReaction, openDmChannel } from '../../discord/rest/reactions.js';
import type { APIApplicationCommand, APIMessage, Snowflake } from '../../discord/types.js';
import { ValidationError } from '../../errors.js';
import {
  type ImageInput,
  type ImageLoadOptions,
  type LoadedImage,
  loadImages,
} from '../../images/image-source.js';
import {
  buildCommandInteraction,
  type CommandOptionValue,
  OptionType,
  type UploadedAttachment,
} from '../../midjourney/command-payloads.js';
import { isOutdatedCommandError } from '../../midjourney/commands.js';
import { BOT_TYPES, type BotType } from '../../midjourney/constants.js';
import { JobTimeoutError } from '../../midjourney/errors.js';
import { type AccountInfo, parseInfoAnswer } from '../../midjourney/info-answer.js';
import { anySignal } from '../../util/abort.js';
import type { Clock } from '../../util/clock.js';
import { generateSnowflake } from '../../util/snowflake.js';
import type { RestApi } from '../client-options.js';
import { GeneratorClosedError, InferredPreModerationError } from '../errors.js';
import type { GenerationSettings } from '../options.js';
import type { SessionInfo } from '../orchestrator.js';
import { Slots } from '../slots.js';
import type { GenerationResult } from '../types.js';
import { type AnswerMatcher, blendMatcher, describeMatcher, shortenMatcher } from './answer-match.js';
import {
  BLEND_DIMENSIONS,
  type BlendOptions,
  type CommandOptions,
  type DescribeOptions,
  type DescribeResult,
  type SeedResult,
  type SeedSource,
  type ShortenResult,
} from './types.js';

/** How many times `/info` is asked before giving up. */
const INFO_ATTEMPTS = 3;

/** The ✉️ reaction Midjourney answers with the seed. */
const SEED_EMOJI = '✉️';

export interface CommandRunnerDeps {
  api: RestApi;
  /** A bot's command by name (discovered and cached per bot by CommandResolver); default Midjourney. */
  command: (name: string, signal: AbortSignal | undefined, bot?: BotType) => Promise<APIApplicationCommand>;
  refreshCommands: (signal: AbortSignal | undefined, bot?: BotType) => Promise<void>;
  session: (signal: AbortSignal | undefined) => Promise<SessionInfo>;
  settings: GenerationSettings;
  clock: Clock;
  random: () => number;
  closing: AbortSignal;
  /** Size cap and URL policy for images. */
  images: ImageLoadOptions;
  /** The Midjourney bot's user id (its DM channel carries seeds). */
  botUserId: Snowflake;
  /** The niji・journey bot's user id (its application id): the author of its answers. */
  nijiBotUserId: Snowflake;
  /**
   * The DM channel with the Midjourney bot, when configured; else opened with
   * `POST /users/@me/channels`. niji・journey's DM channel is always opened.
   */
  dmChannelId?: Snowflake | undefined;
  /** The gateway, when watching over it: `/info` answers privately and is only seen there. */
  gateway?: GatewayClient | undefined;
  debug: (message: string) => void;
}

export class CommandRunner {
  private readonly turns = new Map<string, Slots>();

  constructor(private readonly deps: CommandRunnerDeps) {}

  async describe(image: ImageInput, options: DescribeOptions = {}): Promise<DescribeResult> {
    const bot = botTypeOf(options, 'Invalid describe');
    const [loaded] = await this.load([image], options);
    return this.run('describe', options, bot, async (signal) => ({
      options: [{ type: OptionType.Attachment, name: 'image', value: '0' }],
      attachments: await this.upload(loaded ? [loaded] : [], signal),
      prompt: loaded?.filename ?? 'image',
      matcher: describeMatcher,
    }));
  }

  async shorten(prompt: string, options: CommandOptions = {}): Promise<ShortenResult> {
    if (typeof prompt !== 'string' || prompt.trim() === '') {
      throw new ValidationError('Invalid prompt', [
        `prompt: expected a non-empty string, got ${JSON.stringify(prompt)}`,
      ]);
    }
    const result = await this.run('shorten', options, 'midjourney', async () => ({
      options: [{ type: OptionType.String, name: 'prompt', value: prompt }],
      attachments: [],
      prompt,
      matcher: shortenMatcher(prompt),
    }));
    return result;
  }

  async blend(images: readonly ImageInput[], options: BlendOptions = {}): Promise<GenerationResult> {
    const problems: string[] = [];
    if (!Array.isArray(images) || images.length < 2 || images.length > 5) {
      problems.push(
        `images: /blend takes 2 to 5 images, got ${Array.isArray(images) ? images.length : typeof images}`,
      );
    }
    const dimensions = options.dimensions ?? 'square';
    if (!(dimensions in BLEND_DIMENSIONS)) {
      problems.push(`dimensions: expected portrait, square or landscape, got ${JSON.stringify(dimensions)}`);
    }
    if (options.botType !== undefined && !BOT_TYPES.includes(options.botType)) {
      problems.push(botTypeProblem(options.botType));
    }
    if (problems.length > 0) throw new ValidationError('Invalid blend', problems);
    const bot = options.botType ?? 'midjourney';
    const loaded = await this.load(images, options);
    return this.run('blend', options, bot, async (signal) => {
      const attachments = await this.upload(loaded, signal);
      const imageOptions: CommandOptionValue[] = attachments.map((a, i) => ({
        type: OptionType.Attachment,
        name: `image${i + 1}`,
        value: a.id,
      }));
      const ar = BLEND_DIMENSIONS[dimensions];
      return {
        options: [...imageOptions, { type: OptionType.String, name: 'dimensions', value: ar }],
        attachments,
        prompt: `${loaded.map((image) => image.filename).join(' ')} ${ar}`,
        matcher: blendMatcher(loaded.length),
      };
    });
  }

  /**
   * Makes images usable in an `/imagine` prompt: checks and uploads them, then posts them in the
   * channel (`POST /channels/{id}/messages`, through the limiter) and returns their CDN URLs, in
   * order. Nothing is uploaded unless every image passes the checks.
   */
  async hostImages(images: readonly ImageInput[], options: CommandOptions = {}): Promise<string[]> {
    if (images.length === 0) return [];
    if (images.length > 10) {
      throw new ValidationError('Too many images', [`images: at most 10 per prompt, got ${images.length}`]);
    }
    const loaded = await this.load(images, options);
    const signal = anySignal(options.signal, this.deps.closing);
    const attachments = await this.upload(loaded, signal);
    const message = await postUploadedFiles(
      this.deps.api as RestApi & RestRequester,
      this.deps.settings.channelId,
      attachments,
      signal ? { signal } : {},
    );
    if (message.attachments.length !== loaded.length) {
      throw new ValidationError('Discord did not show every uploaded image', [
        `attachments: expected ${loaded.length}, got ${message.attachments.length}`,
      ]);
    }
    return message.attachments.map((a) => a.url);
  }

  /**
   * The seed of a finished result: reacts ✉️ on its message, then reads the DM channel with the
   * result's bot (Midjourney, or niji・journey for a niji result: each bot writes in its own DM
   * channel) for `**Job ID**: <uuid>` and `**seed** <digits>` from that bot (the DM is matched by
   * the job id, never by order). Reactions and DM reads go through the limiter like every Discord
   * call. The configured `dmChannelId` is the channel with Midjourney; niji's is opened.
   */
  async seed(source: SeedSource, options: CommandOptions = {}): Promise<SeedResult> {
    const { deps } = this;
    if (deps.closing.aborted) throw new GeneratorClosedError();
    const problems: string[] = [];
    if (!/^\d{16,20}$/.test(String(source?.messageId))) problems.push('messageId: not a snowflake');
    if (!/^[0-9a-f-]{36}$/i.test(String(source?.jobId))) problems.push('jobId: not a Midjourney job UUID');
    if (source?.botType !== undefined && !BOT_TYPES.includes(source.botType)) {
      problems.push(botTypeProblem(source.botType));
    }
    if (problems.length > 0) throw new ValidationError('Cannot ask for the seed', problems);
    const bot = source.botType ?? 'midjourney';
    const botUserId = this.userOf(bot);
    const timeoutMs = options.timeoutMs ?? deps.settings.jobTimeoutMs;
    const signal = anySignal(options.signal, deps.closing);
    const rest = deps.api as RestApi & RestRequester;
    const release = await this.turn('seed').acquire(signal);
    try {
      const configured = bot === 'midjourney' ? deps.dmChannelId : undefined;
      const dm = configured ?? (await openDmChannel(rest, botUserId, signal ? { signal } : {})).id;
      const newest = await deps.api.getMessages(dm, { limit: 1 }, signal ? { signal } : {});
      const after = newest[0]?.id;
      const submittedAt = deps.clock.now();
      await addReaction(rest, source.channelId, source.messageId, SEED_EMOJI, signal ? { signal } : {});
      const pattern = new RegExp(
        `\\*\\*Job ID\\*\\*:\\s*${source.jobId}[\\s\\S]*?\\*\\*seed\\*\\*\\s*(\\d+)`,
        'i',
      );
      for (;;) {
        const page = await deps.api.getMessages(
          dm,
          after === undefined ? { limit: 50 } : { after, limit: 50 },
          signal ? { signal } : {},
        );
        for (const message of page) {
          const found = pattern.exec(message.content ?? '');
          if (found?.[1] && message.author?.id === botUserId) {
            return { jobId: source.jobId, seed: found[1], messageId: message.id, dmChannelId: dm };
          }
        }
        const left = submittedAt + timeoutMs - deps.clock.now();
        if (left <= 0) {
          throw new JobTimeoutError({ prompt: `seed of ${source.jobId}`, jobId: source.jobId, timeoutMs });
        }
        const { pollMinMs, pollMaxMs } = deps.settings;
        await deps.clock.sleep(
          Math.min(left, Math.round(pollMinMs + deps.random() * (pollMaxMs - pollMinMs))),
          signal,
        );
      }
    } finally {
      release();
    }
  }

  /**
   * `/info`: the account's plan, mode, fast time and jobs. Midjourney answers privately (flag 64),
   * so the answer is read from the gateway (`watch: 'gateway'`): the reply carrying our nonce, or
   * naming `/info` and our user, with a "Your info" embed.
   */
  async info(options: CommandOptions = {}): Promise<AccountInfo> {
    const { deps } = this;
    const gateway = deps.gateway;
    if (gateway === undefined) {
      throw new ValidationError('Cannot read /info', [
        'watch: /info is answered privately, only over the gateway; use watch: "gateway"',
      ]);
    }
    if (deps.closing.aborted) throw new GeneratorClosedError();
    const timeoutMs = options.timeoutMs ?? deps.settings.jobTimeoutMs;
    const signal = anySignal(options.signal, deps.closing);
    const release = await this.turn('info').acquire(signal);
    let listener: ((event: GatewayDispatch) => void) | undefined;
    const stopTimer = new AbortController();
    try {
      const session = await deps.session(signal);
      const nonces = new Set<string>();
      const answer = new Promise<AccountInfo>((resolve) => {
        listener = (event) => {
          if (event.name !== 'MESSAGE_CREATE' && event.name !== 'MESSAGE_UPDATE') return;
          const message = event.data as Partial<APIMessage>;
          const meta = message.interaction_metadata ?? message.interaction;
          const ours =
            (message.nonce !== undefined && nonces.has(String(message.nonce))) ||
            (meta?.name === 'info' && meta.user?.id === session.userId);
          if (!ours) return;
          const info = parseInfoAnswer({ embeds: message.embeds ?? [] });
          if (info) resolve(info);
        };
        gateway.on('dispatch', listener);
      });
      // A private answer missed while the gateway reconnects is gone for good; /info is a free
      // read, so it is asked again (up to INFO_ATTEMPTS times within the deadline).
      const attemptMs = Math.max(1_000, Math.floor(timeoutMs / INFO_ATTEMPTS));
      const started = deps.clock.now();
      for (let attempt = 1; ; attempt += 1) {
        const nonce = generateSnowflake();
        nonces.add(nonce);
        const command = await deps.command('info', signal);
        const payload = buildCommandInteraction({
          ...(deps.settings.guildId !== undefined ? { guildId: deps.settings.guildId } : {}),
          channelId: deps.settings.channelId,
          sessionId: (await deps.session(signal)).sessionId,
          command,
          options: [],
          nonce,
        });
        await deps.api.createInteraction(payload, signal ? { signal } : {});
        const left = timeoutMs - (deps.clock.now() - started);
        const wait = attempt >= INFO_ATTEMPTS ? left : Math.min(left, attemptMs);
        const waited = deps.clock
          .sleep(Math.max(0, wait), anySignal(signal, stopTimer.signal))
          .then(() => undefined);
        const info = await Promise.race([answer, waited]);
        if (info !== undefined) return info;
        if (deps.clock.now() - started >= timeoutMs || attempt >= INFO_ATTEMPTS) {
          throw new JobTimeoutError({ prompt: '/info', timeoutMs });
        }
        deps.debug(`/info: no answer after ${wait} ms, asking again`);
      }
    } finally {
      stopTimer.abort();
      if (listener) gateway.off('dispatch', listener);
      release();
    }
  }

  private load(images: readonly ImageInput[], options: CommandOptions): Promise<LoadedImage[]> {
    const { signal } = options;
    return loadImages(images, { ...this.deps.images, ...(signal ? { signal } : {}) });
  }

  /** Upload slots through the limiter, then the PUTs (no token: not spaced, see attachments.ts). */
  private async upload(
    images: readonly LoadedImage[],
    signal: AbortSignal | undefined,
  ): Promise<UploadedAttachment[]> {
    if (images.length === 0) return [];
    const rest = this.deps.api as RestApi & Partial<RestRequester>;
    if (typeof rest.request !== 'function') {
      throw new ValidationError('Cannot upload images', [
        'rest: this DiscordApi has no request() (use a RestClient)',
      ]);
    }
    const requester = rest as RestApi & RestRequester;
    const files = images.map((image, i) => ({
      id: String(i),
      filename: image.filename,
      file_size: image.bytes.length,
    }));
    const slots = await requestAttachmentSlots(
      requester,
      this.deps.settings.channelId,
      files,
      signal ? { signal } : {},
    );
    if (slots.length !== images.length) {
      throw new ValidationError('Discord returned the wrong number of upload slots', [
        `attachments: expected ${images.length}, got ${slots.length}`,
      ]);
    }
    return Promise.all(
      images.map(async (image, i) => {
        const slot = slots[i]!;
        await uploadToSlot(slot.upload_url, image.bytes, image.mime, signal ? { signal } : {});
        this.deps.debug(`uploaded ${image.filename} (${image.bytes.length} bytes)`);
        return { id: String(i), filename: image.filename, uploaded_filename: slot.upload_filename };
      }),
    );
  }

  private turn(name: string): Slots {
    let slots = this.turns.get(name);
    if (slots === undefined) {
      slots = new Slots(1);
      this.turns.set(name, slots);
    }
    return slots;
  }

  /** The bot user whose messages answer a command sent to `bot`. */
  private userOf(bot: BotType): Snowflake {
    return bot === 'niji' ? this.deps.nijiBotUserId : this.deps.botUserId;
  }

  private async run<T>(
    name: string,
    options: CommandOptions,
    bot: BotType,
    prepare: (signal: AbortSignal | undefined) => Promise<{
      options: CommandOptionValue[];
      attachments: UploadedAttachment[];
      prompt: string;
      matcher: AnswerMatcher<T>;
    }>,
  ): Promise<T> {
    const { deps } = this;
    if (deps.closing.aborted) throw new GeneratorClosedError();
    const timeoutMs = options.timeoutMs ?? deps.settings.jobTimeoutMs;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
      throw new ValidationError('Invalid command options', [
        `timeoutMs: expected a positive integer of ms, got ${String(timeoutMs)}`,
      ]);
    }
    const signal = anySignal(options.signal, deps.closing);
    // Each bot's answers are told apart by their author: one call per command name and bot.
    const release = await this.turn(bot === 'midjourney' ? name : `${bot}:${name}`).acquire(signal);
    try {
      const prepared = await prepare(signal);
      const session = await deps.session(signal);
      const channelId = deps.settings.channelId;
      const newest = await deps.api.getMessages(channelId, { limit: 1 }, signal ? { signal } : {});
      const after = newest[0]?.id;
      const nonce = generateSnowflake();
      const submittedAt = deps.clock.now();
      const send = async (): Promise<void> => {
        const command = await deps.command(name, signal, bot);
        const payload = buildCommandInteraction({
          ...(deps.settings.guildId !== undefined ? { guildId: deps.settings.guildId } : {}),
          channelId,
          sessionId: session.sessionId,
          command,
          options: prepared.options,
          attachments: prepared.attachments,
          nonce,
        });
        await deps.api.createInteraction(payload, signal ? { signal } : {});
      };
      try {
        await send();
      } catch (error) {
        if (!isOutdatedCommandError(error)) throw error;
        deps.debug(`/${name} is outdated: refreshing the command and sending once more`);
        await deps.refreshCommands(signal, bot);
        await send();
      }
      deps.debug(`/${name} sent to ${bot} (nonce ${nonce})`);
      return await this.watch(prepared.matcher, {
        bot,
        channelId,
        after,
        nonce,
        userId: session.userId,
        prompt: prepared.prompt,
        submittedAt,
        deadline: submittedAt + timeoutMs,
        signal,
      });
    } finally {
      release();
    }
  }

  private async watch<T>(
    matcher: AnswerMatcher<T>,
    job: {
      bot: BotType;
      channelId: Snowflake;
      /** The newest message before sending; undefined in an empty channel. */
      after: Snowflake | undefined;
      nonce: Snowflake;
      userId: Snowflake;
      prompt: string;
      submittedAt: number;
      deadline: number;
      signal: AbortSignal | undefined;
    },
  ): Promise<T> {
    const { deps } = this;
    const { clock, settings } = deps;
    const state = matcher.start();
    for (;;) {
      const page: APIMessage[] = await deps.api.getMessages(
        job.channelId,
        job.after === undefined ? { limit: 100 } : { after: job.after, limit: 100 },
        job.signal ? { signal: job.signal } : {},
      );
      // Newest first from Discord: read them in the order they were posted. Only the bot the
      // command went to answers it: the other bot's messages in the channel are never its answer.
      const author = this.userOf(job.bot);
      const messages = [...page].reverse().filter((m) => m.author?.id === author);
      const verdict = matcher.read(state, messages, {
        botType: job.bot,
        nonce: job.nonce,
        userId: job.userId,
        prompt: job.prompt,
        channelId: job.channelId,
        submittedAt: job.submittedAt,
        now: clock.now(),
      });
      if (verdict.kind === 'answer') return verdict.value;
      if (verdict.kind === 'error') throw verdict.error;
      const left = job.deadline - clock.now();
      if (left <= 0) throw new InferredPreModerationError(job.prompt, clock.now() - job.submittedAt);
      const jitter =
        settings.pollMinMs + deps.random() * Math.max(0, settings.pollMaxMs - settings.pollMinMs);
      await clock.sleep(Math.min(left, Math.round(jitter)), job.signal);
    }
  }
}

function botTypeProblem(value: unknown): string {
  return `botType: expected midjourney or niji, got ${JSON.stringify(value)}`;
}

/** The bot a call goes to (default Midjourney); an unknown one is refused before anything is sent. */
function botTypeOf(options: { botType?: BotType }, summary: string): BotType {
  if (options.botType !== undefined && !BOT_TYPES.includes(options.botType)) {
    throw new ValidationError(summary, [botTypeProblem(options.botType)]);
  }
  return options.botType ?? 'midjourney';
}
