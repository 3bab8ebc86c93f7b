/**
 * `mjw settings [--remix on|off] [--speed fast|relax|turbo] [--version v] [--stylize n]
 * [--privacy public|stealth] [--json]`: the account's `/settings`, read (and changed on its panel),
 * over the gateway (Midjourney answers privately).
 */
import type { AccountSettings, SettingsChange } from '../../generation/commands/types.js';
import { parseCommandLine } from '../args.js';
import { type Command, type CommandContext, UsageError } from '../command.js';
import { type CommonArgs, parseTimeout, runCommand } from './command-run.js';

const USAGE = `Usage: mjw settings [--remix on|off] [--speed fast|relax|turbo] [--version <v>] [--stylize <n>]
                    [--privacy public|stealth] [--json] [--timeout <ms>]

Runs /settings and prints the account's settings. With options, presses the panel's controls whose
state differs (each confirmed by the edited panel) and prints the settings after. Midjourney answers
privately, so this connects to the gateway.

Options:
  --remix on|off            Remix mode (Vary / Reroll then answer with a form; see mjw act --prompt).
  --speed fast|relax|turbo  The account's speed from now on (as /fast, /relax, /turbo).
  --version <v>             The model version (the panel's select menu: 7, 6.1, ...).
  --stylize <n>             The stylize level the panel offers (50, 100, 250, 750).
  --privacy public|stealth  Visibility.
  --json                    One JSON object: {"ok":true,"version","stylize","speed","remix","privacy","suffix",...}
  --timeout <ms>            Deadline (default MJ_JOB_TIMEOUT_MS).`;

export function parseSettingsArgs(argv: string[]): CommonArgs & { change: SettingsChange } {
  const { values, positionals } = parseCommandLine(argv, {
    json: { type: 'boolean' },
    timeout: { type: 'string' },
    remix: { type: 'string' },
    speed: { type: 'string' },
    version: { type: 'string' },
    stylize: { type: 'string' },
    privacy: { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError('mjw settings takes no arguments, only options');
  const change: SettingsChange = {};
  if (values.remix !== undefined) {
    if (values.remix !== 'on' && values.remix !== 'off') throw new UsageError('--remix: expected on or off');
    change.remix = values.remix === 'on';
  }
  if (values.speed !== undefined) {
    if (!['fast', 'relax', 'turbo'].includes(values.speed))
      throw new UsageError('--speed: expected fast, relax or turbo');
    change.speed = values.speed as 'fast' | 'relax' | 'turbo';
  }
  if (values.version !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(values.version))
      throw new UsageError(`--version: not a model version: "${values.version}"`);
    change.version = values.version;
  }
  if (values.stylize !== undefined) {
    const n = Number(values.stylize);
    if (!Number.isInteger(n) || n < 0)
      throw new UsageError(`--stylize: expected an integer, got "${values.stylize}"`);
    change.stylize = n;
  }
  if (values.privacy !== undefined) {
    if (values.privacy !== 'public' && values.privacy !== 'stealth') {
      throw new UsageError('--privacy: expected public or stealth');
    }
    change.privacy = values.privacy;
  }
  const args = { change, json: values.json ?? false };
  parseTimeout(values.timeout, args);
  return args;
}

function text(s: AccountSettings): string {
  return [
    `version: ${s.version ?? '?'}`,
    `stylize: ${s.stylize ?? '?'}`,
    `speed: ${s.speed ?? '?'}`,
    `remix: ${s.remix ? 'on' : 'off'}`,
    `privacy: ${s.privacy ?? '?'}`,
    ...(s.suffix ? [`suffix: ${s.suffix}`] : []),
  ]
    .join('\n')
    .concat('\n');
}

async function run(ctx: CommandContext): Promise<number> {
  const args = parseSettingsArgs(ctx.argv);
  const changing = Object.keys(args.change).length > 0;
  return runCommand(
    'settings',
    ctx,
    args,
    (client, options) =>
      changing ? client.changeSettings(args.change, options) : client.getSettings(options),
    text,
    'gateway',
  );
}

export const settingsCommand: Command = {
  name: 'settings',
  summary: "Show or change the account's /settings (remix, speed, version, stylize, privacy)",
  usage: USAGE,
  run,
};
