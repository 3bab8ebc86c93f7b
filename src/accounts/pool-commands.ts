/**
 * The commands beyond `/imagine` on an account pool: `/describe`, `/blend`, `/shorten`, image
 * hosting, `/info` and `/settings` go to one account of the pool, the one named by
 * `options.account`, else the least busy enabled account whose client runs these commands; the
 * seed goes to the account that ran the job (its `accountId`, else the account of its channel).
 * A blend's grid carries the account's id, so its buttons go back to it. Commands do not take a
 * job slot of the pool (they answer within seconds).
 */
import {
  type AccountSettings,
  type BlendOptions,
  type CommandGenerator,
  type CommandOptions,
  type DescribeOptions,
  type DescribeResult,
  type ImageInput,
  isCommandGenerator,
  type SeedResult,
  type SettingsChange,
  type ShortenResult,
} from '../generation/commands/types.js';
import type { GenerationResult } from '../generation/types.js';
import type { AccountInfo } from '../midjourney/info-answer.js';
import { NoAccountAvailableError, UnknownAccountError } from './errors.js';
import type { PoolAccount } from './pool-account.js';

/** Options of a command on a pool: which account (its `id`); default the least busy. */
export interface PoolCommandOptions extends CommandOptions {
  account?: string;
}

export interface PoolCommandsDeps {
  members: () => Iterable<PoolAccount>;
  /** The account of a result: its `accountId`, else the one whose channel it is in. */
  ownerOf: (source: { accountId?: string | undefined; channelId: string }) => PoolAccount | undefined;
}

type Commands = CommandGenerator;

export class PoolCommands {
  constructor(private readonly deps: PoolCommandsDeps) {}

  describe(image: ImageInput, options: PoolCommandOptions & DescribeOptions = {}): Promise<DescribeResult> {
    return this.on(options, (c, o) => c.describe(image, o));
  }

  async blend(
    images: readonly ImageInput[],
    options: PoolCommandOptions & BlendOptions = {},
  ): Promise<GenerationResult> {
    let id = '';
    const result = await this.on(options, (c, o, account) => {
      id = account.id;
      return c.blend(images, o);
    });
    return { ...result, accountId: id };
  }

  shorten(prompt: string, options: PoolCommandOptions = {}): Promise<ShortenResult> {
    return this.on(options, (c, o) => c.shorten(prompt, o));
  }

  hostImages(images: readonly ImageInput[], options: PoolCommandOptions = {}): Promise<string[]> {
    return this.on(options, (c, o) => c.hostImages(images, o));
  }

  info(options: PoolCommandOptions = {}): Promise<AccountInfo> {
    return this.on(options, (c, o) => {
      if (c.info === undefined) throw new NoAccountAvailableError('/info', ['the account has no info()']);
      return c.info(o);
    });
  }

  getSettings(options: PoolCommandOptions = {}): Promise<AccountSettings> {
    return this.on(options, (c, o) => {
      if (c.getSettings === undefined) throw new NoAccountAvailableError('/settings', ['no getSettings()']);
      return c.getSettings(o);
    });
  }

  changeSettings(change: SettingsChange, options: PoolCommandOptions = {}): Promise<AccountSettings> {
    return this.on(options, (c, o) => {
      if (c.changeSettings === undefined)
        throw new NoAccountAvailableError('/settings', ['no changeSettings()']);
      return c.changeSettings(change, o);
    });
  }

  seed(
    source: Pick<GenerationResult, 'messageId' | 'channelId' | 'jobId'> & { accountId?: string },
    options: CommandOptions = {},
  ): Promise<SeedResult> {
    const account = this.deps.ownerOf(source);
    if (account === undefined || !isCommandGenerator(account.generator)) {
      return Promise.reject(
        new NoAccountAvailableError(`the account of channel ${source.channelId}`, ['no account runs it']),
      );
    }
    return account.generator.seed(source, options);
  }

  private async on<T>(
    options: PoolCommandOptions,
    work: (commands: Commands, options: CommandOptions, account: PoolAccount) => Promise<T>,
  ): Promise<T> {
    const { account: wanted, ...rest } = options;
    const account = this.pick(wanted);
    const commands = account.generator as unknown as Commands;
    account.busy += 1;
    try {
      return await work(commands, rest, account);
    } finally {
      account.busy -= 1;
    }
  }

  private pick(wanted: string | undefined): PoolAccount {
    const all = [...this.deps.members()];
    if (wanted !== undefined) {
      const account = all.find((a) => a.id === wanted);
      if (account === undefined) throw new UnknownAccountError(wanted);
      if (account.disabled !== undefined || account.removing || !isCommandGenerator(account.generator)) {
        throw new NoAccountAvailableError(`account ${wanted}`, [
          `${wanted}: ${account.disabled ? `disabled (${account.disabled.reason})` : 'cannot run commands'}`,
        ]);
      }
      return account;
    }
    const usable = all.filter(
      (a) => a.disabled === undefined && !a.removing && isCommandGenerator(a.generator),
    );
    if (usable.length === 0) {
      throw new NoAccountAvailableError(
        'a command',
        all.map((a) => `${a.id}: ${a.disabled ? `disabled (${a.disabled.reason})` : 'cannot run commands'}`),
      );
    }
    return usable.reduce((best, a) => (a.busy / a.slots < best.busy / best.slots ? a : best));
  }
}
