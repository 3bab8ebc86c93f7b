/**
 * The account's settings and speed: `/settings` (read the panel, press its controls), `/prefer
 * remix`, `/fast`, `/relax`, `/turbo`. Midjourney answers all of them privately (flag 64), so they
 * are read over the gateway only (`watch: 'gateway'`), like `/info`. Sequence, per call:
 *
 *   our turn (one settings call at a time) -> listen on the gateway -> POST the command (or the
 *   control press on the panel, `message_flags: 64`) -> the reply carrying our nonce, or naming the
 *   command and our user (a control press: the panel's MESSAGE_UPDATE showing the new state)
 *
 * A change presses only the controls whose state differs, one at a time, each confirmed by the
 * edited panel before the next. `/prefer remix` toggles: it is sent once, never again on silence.
 */
import type { GatewayDispatch } from '../../discord/gateway/events.js';
import type { APIMessage } from '../../discord/types.js';
import { ValidationError } from '../../errors.js';
import {
  buildCommandInteraction,
  type CommandOptionValue,
  OptionType,
} from '../../midjourney/command-payloads.js';
import { JobTimeoutError } from '../../midjourney/errors.js';
import { buildComponentInteraction } from '../../midjourney/payloads.js';
import {
  type AccountSettings,
  parseSettingsPanel,
  type SettingsChange,
  type Speed,
} from '../../midjourney/settings-answer.js';
import { anySignal } from '../../util/abort.js';
import { generateSnowflake } from '../../util/snowflake.js';
import { GeneratorClosedError } from '../errors.js';
import { Slots } from '../slots.js';
import type { CommandRunnerDeps } from './command-runner.js';
import type { CommandOptions } from './types.js';

const SPEED_COMMANDS: Readonly<Record<Speed, string>> = { fast: 'fast', relax: 'relax', turbo: 'turbo' };

type Message = Partial<APIMessage> & { id: string };

interface Ask {
  signal: AbortSignal | undefined;
  deadline: number;
  sessionId: string;
  userId: string;
}

export class SettingsRunner {
  private readonly turn = new Slots(1);

  constructor(private readonly deps: CommandRunnerDeps) {}

  /** `/settings`: the panel read back (version, stylize, speed, remix, privacy). */
  settings(options: CommandOptions = {}): Promise<AccountSettings> {
    return this.exclusive('/settings', options, (ask) => this.readPanel(ask));
  }

  /** Changes what differs from `change` on the `/settings` panel; resolves with the panel after. */
  changeSettings(change: SettingsChange, options: CommandOptions = {}): Promise<AccountSettings> {
    try {
      checkChange(change);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.exclusive('/settings', options, async (ask) => {
      let panel = await this.readPanel(ask);
      for (const step of plan(panel, change)) {
        panel = await this.press(ask, panel, step.control, step.values, step.done);
      }
      return panel;
    });
  }

  /** `/fast`, `/relax` or `/turbo`: the account's speed from now on; resolves with the bot's answer. */
  setSpeed(speed: Speed, options: CommandOptions = {}): Promise<string> {
    const name = SPEED_COMMANDS[speed];
    if (name === undefined) {
      return Promise.reject(
        new ValidationError('Invalid speed', [
          `speed: expected fast, relax or turbo, got ${JSON.stringify(speed)}`,
        ]),
      );
    }
    return this.exclusive(`/${name}`, options, async (ask) => {
      const reply = await this.command(ask, name, [], (m) => (m.content ? m.content : undefined));
      return reply;
    });
  }

  /** `/prefer remix`: toggles Remix mode; resolves with whether it is now on. */
  preferRemix(options: CommandOptions = {}): Promise<boolean> {
    return this.exclusive('/prefer remix', options, (ask) =>
      this.command(
        ask,
        'prefer',
        [{ type: OptionType.Subcommand, name: 'remix', options: [] }],
        (m) => {
          const found = /remix mode (?:turned|is now|is)\s+(on|off)/i.exec(m.content ?? '');
          return found ? found[1]?.toLowerCase() === 'on' : undefined;
        },
        'prefer remix',
      ),
    );
  }

  private async exclusive<T>(
    what: string,
    options: CommandOptions,
    work: (ask: Ask) => Promise<T>,
  ): Promise<T> {
    const { deps } = this;
    if (deps.gateway === undefined) {
      throw new ValidationError(`Cannot run ${what}`, [
        `watch: ${what} is answered privately, only over the gateway; use watch: "gateway"`,
      ]);
    }
    if (deps.closing.aborted) throw new GeneratorClosedError();
    const timeoutMs = options.timeoutMs ?? deps.settings.jobTimeoutMs;
    const signal = anySignal(options.signal, deps.closing);
    const release = await this.turn.acquire(signal);
    try {
      const session = await deps.session(signal);
      return await work({
        signal,
        deadline: deps.clock.now() + timeoutMs,
        sessionId: session.sessionId,
        userId: session.userId,
      });
    } finally {
      release();
    }
  }

  private readPanel(ask: Ask): Promise<AccountSettings> {
    return this.command(ask, 'settings', [], (m) => parseSettingsPanel(messageOf(m)));
  }

  /** Sends a command and resolves with the first private reply `parse` accepts. */
  private async command<T>(
    ask: Ask,
    name: string,
    options: CommandOptionValue[],
    parse: (message: Message) => T | undefined,
    replyName = name,
  ): Promise<T> {
    const { deps } = this;
    const nonce = generateSnowflake();
    return this.expect(
      ask,
      `/${replyName}`,
      (m) => {
        const meta = m.interaction_metadata ?? m.interaction;
        const ours =
          (m.nonce !== undefined && String(m.nonce) === nonce) ||
          (meta?.name === replyName && meta.user?.id === ask.userId);
        return ours ? parse(m) : undefined;
      },
      async () => {
        const command = await deps.command(name, ask.signal);
        const payload = buildCommandInteraction({
          ...(deps.settings.guildId !== undefined ? { guildId: deps.settings.guildId } : {}),
          channelId: deps.settings.channelId,
          sessionId: ask.sessionId,
          command,
          options,
          nonce,
        });
        await deps.api.createInteraction(payload, ask.signal ? { signal: ask.signal } : {});
      },
    );
  }

  /** Presses a control of the panel and waits until the edited panel shows `done`. */
  private press(
    ask: Ask,
    panel: AccountSettings,
    control: string,
    values: string[] | undefined,
    done: (after: AccountSettings) => boolean,
  ): Promise<AccountSettings> {
    const { deps } = this;
    const customId = panel.controls[control]!;
    return this.expect(
      ask,
      `/settings ${control}`,
      (m) => {
        if (m.id !== panel.messageId) return undefined;
        const after = parseSettingsPanel(messageOf(m));
        return after && done(after) ? after : undefined;
      },
      async () => {
        const payload = buildComponentInteraction({
          applicationId: deps.settings.applicationId,
          ...(deps.settings.guildId !== undefined ? { guildId: deps.settings.guildId } : {}),
          channelId: deps.settings.channelId,
          sessionId: ask.sessionId,
          messageId: panel.messageId,
          messageFlags: panel.messageFlags,
          customId,
          ...(values !== undefined ? { values } : {}),
        });
        await deps.api.createInteraction(payload, ask.signal ? { signal: ask.signal } : {});
      },
    );
  }

  /** Listens on the gateway, then sends, then waits for a dispatch `accept` takes, or the deadline. */
  private async expect<T>(
    ask: Ask,
    what: string,
    accept: (message: Message) => T | undefined,
    send: () => Promise<void>,
  ): Promise<T> {
    const { deps } = this;
    const gateway = deps.gateway!;
    let listener: ((event: GatewayDispatch) => void) | undefined;
    const stop = new AbortController();
    try {
      const answer = new Promise<T>((resolve) => {
        listener = (event) => {
          if (event.name !== 'MESSAGE_CREATE' && event.name !== 'MESSAGE_UPDATE') return;
          const value = accept(event.data as Message);
          if (value !== undefined) resolve(value);
        };
        gateway.on('dispatch', listener);
      });
      await send();
      const left = Math.max(0, ask.deadline - deps.clock.now());
      const timedOut = deps.clock.sleep(left, anySignal(ask.signal, stop.signal)).then(() => undefined);
      const value = await Promise.race([answer, timedOut]);
      if (value === undefined) throw new JobTimeoutError({ prompt: what, timeoutMs: left });
      return value;
    } finally {
      stop.abort();
      if (listener) gateway.off('dispatch', listener);
    }
  }
}

/** A gateway message (MESSAGE_UPDATE may be partial) as the panel parser reads it. */
function messageOf(m: Message): Pick<APIMessage, 'id' | 'flags' | 'components' | 'content'> {
  return { id: m.id, flags: m.flags ?? 0, components: m.components ?? [], content: m.content ?? '' };
}

function checkChange(change: SettingsChange): void {
  const problems: string[] = [];
  const c = (change ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(c)) {
    if (!['version', 'stylize', 'speed', 'remix', 'privacy'].includes(key))
      problems.push(`${key}: not a setting`);
  }
  if (c.speed !== undefined && !['fast', 'relax', 'turbo'].includes(String(c.speed))) {
    problems.push(`speed: expected fast, relax or turbo, got ${JSON.stringify(c.speed)}`);
  }
  if (c.privacy !== undefined && !['public', 'stealth'].includes(String(c.privacy))) {
    problems.push(`privacy: expected public or stealth, got ${JSON.stringify(c.privacy)}`);
  }
  if (c.remix !== undefined && typeof c.remix !== 'boolean') problems.push('remix: expected true or false');
  if (c.stylize !== undefined && !Number.isInteger(c.stylize)) problems.push('stylize: expected an integer');
  if (c.version !== undefined && (typeof c.version !== 'string' || !/^\d+(\.\d+)?$/.test(c.version))) {
    problems.push(`version: expected a model version such as "6.1", got ${JSON.stringify(c.version)}`);
  }
  if (problems.length > 0) throw new ValidationError('Invalid settings change', problems);
}

interface Step {
  control: string;
  values?: string[];
  done: (after: AccountSettings) => boolean;
}

/** The controls to press for the fields that differ, refusing what the panel does not offer. */
function plan(panel: AccountSettings, change: SettingsChange): Step[] {
  const steps: Step[] = [];
  const missing: string[] = [];
  const need = (control: string, step: Omit<Step, 'control'>): void => {
    if (panel.controls[control] === undefined) missing.push(control);
    else steps.push({ control, ...step });
  };
  if (change.version !== undefined && change.version !== panel.version) {
    const version = change.version;
    need('version', { values: [version], done: (a) => a.version === version });
  }
  if (change.stylize !== undefined && change.stylize !== panel.stylize) {
    const stylize = change.stylize;
    need(`stylize:${stylize}`, { done: (a) => a.stylize === stylize });
  }
  if (change.speed !== undefined && change.speed !== panel.speed) {
    const speed = change.speed;
    need(speed, { done: (a) => a.speed === speed });
  }
  if (change.remix !== undefined && change.remix !== panel.remix) {
    const remix = change.remix;
    need('remix', { done: (a) => a.remix === remix });
  }
  if (change.privacy !== undefined && change.privacy !== panel.privacy) {
    const privacy = change.privacy;
    need(privacy, { done: (a) => a.privacy === privacy });
  }
  if (missing.length > 0) {
    throw new ValidationError('The /settings panel has no such control', [
      ...missing.map((m) => `${m}: not offered (available: ${Object.keys(panel.controls).join(', ')})`),
    ]);
  }
  return steps;
}
