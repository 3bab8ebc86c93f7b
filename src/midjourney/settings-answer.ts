/**
 * Reads Midjourney's `/settings` panel (see /work/shared/MIDJOURNEY.md, "Beyond /imagine" § 6):
 * a private message whose controls are `MJ::Settings::...` buttons, style 3 (green) when on and 2
 * when off, plus the version select menu `MJ::Settings::VersionSelector` (its `default` option is
 * the current version). Pure.
 */
import type { APIMessage } from '../discord/types.js';

export type Speed = 'fast' | 'relax' | 'turbo';
export type Privacy = 'public' | 'stealth';

export interface AccountSettings {
  /** The model version chosen in the select menu (`6.1`, `7`...). */
  version?: string;
  /** The stylize level whose button is on (50, 100, 250, 750). */
  stylize?: number;
  speed?: Speed;
  remix: boolean;
  privacy?: Privacy;
  /** The suffix the settings add to prompts, as the panel says (`--v 6.1 --s 100`). */
  suffix?: string;
  /**
   * custom_id of each control: `remix`, `fast`, `relax`, `turbo`, `public`, `stealth`,
   * `stylize:<n>`, `version` (the select menu).
   */
  controls: Record<string, string>;
  /** The panel message (its controls act on it) and its flags (64: private). */
  messageId: string;
  messageFlags: number;
}

interface Control {
  type?: number;
  custom_id?: string;
  style?: number;
  options?: { value?: string; default?: boolean }[];
}

const ON = 3;

const NAMES: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [/^MJ::Settings::RemixMode/, () => 'remix'],
  [/^MJ::Settings::FastMode/, () => 'fast'],
  [/^MJ::Settings::RelaxMode/, () => 'relax'],
  [/^MJ::Settings::TurboMode/, () => 'turbo'],
  [/^MJ::Settings::PublicMode/, () => 'public'],
  [/^MJ::Settings::PrivateMode/, () => 'stealth'],
  [/^MJ::Settings::Stylization::(\d+)/, (m) => `stylize:${m[1]}`],
  [/^MJ::Settings::VersionSelector/, () => 'version'],
];

function controlName(customId: string): string | undefined {
  for (const [pattern, name] of NAMES) {
    const match = pattern.exec(customId);
    if (match) return name(match);
  }
  return undefined;
}

/** The panel's settings, or undefined when the message is no settings panel. */
export function parseSettingsPanel(
  message: Pick<APIMessage, 'id' | 'flags' | 'components' | 'content'>,
): AccountSettings | undefined {
  const controls: Record<string, string> = {};
  const on = new Set<string>();
  let version: string | undefined;
  for (const row of message.components ?? []) {
    for (const raw of (row.components ?? []) as Control[]) {
      const id = raw.custom_id;
      if (typeof id !== 'string' || !id.startsWith('MJ::Settings::')) continue;
      const name = controlName(id);
      if (name === undefined) continue;
      controls[name] = id;
      if (name === 'version') version = raw.options?.find((o) => o.default)?.value;
      else if (raw.style === ON) on.add(name);
    }
  }
  if (Object.keys(controls).length === 0) return undefined;
  const settings: AccountSettings = {
    remix: on.has('remix'),
    controls,
    messageId: message.id,
    messageFlags: message.flags ?? 0,
  };
  if (version !== undefined) settings.version = version;
  const stylize = [...on].find((n) => n.startsWith('stylize:'));
  if (stylize) settings.stylize = Number(stylize.slice('stylize:'.length));
  const speed = (['turbo', 'fast', 'relax'] as const).find((s) => on.has(s));
  if (speed) settings.speed = speed;
  if (on.has('stealth')) settings.privacy = 'stealth';
  else if (on.has('public')) settings.privacy = 'public';
  const suffix = /Current suffix:\s*`([^`]*)`/.exec(message.content ?? '')?.[1]?.trim();
  if (suffix) settings.suffix = suffix;
  return settings;
}

/** What a change asks for, checked: the control to press for each field that differs. */
export interface SettingsChange {
  version?: string;
  stylize?: number;
  speed?: Speed;
  remix?: boolean;
  privacy?: Privacy;
}
