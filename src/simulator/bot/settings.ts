/**
 * `/settings` as the simulated bot answers it: privately, a panel whose buttons show what is on
 * (style 3) and off (style 2), with the version select menu (see /work/shared/MIDJOURNEY.md,
 * "Beyond /imagine" § 6). Pressing a button or choosing a version changes the user's settings and
 * edits the panel. The content names the suffix the settings add: `Current suffix: --v 6.1 --s 100`.
 */
import {
  type APIActionRowComponent,
  type APIButtonComponent,
  ButtonStyle,
  ComponentType,
} from '../../discord/types.js';
import type { BotMode } from './types.js';

export interface UserSettings {
  version: string;
  stylize: number;
  mode: BotMode;
  remix: boolean;
  stealth: boolean;
}

export const SETTINGS_VERSIONS = ['7', '6.1', '6', '5.2'] as const;
export const STYLIZE_LEVELS: Readonly<Record<string, number>> = {
  low: 50,
  med: 100,
  high: 250,
  'very high': 750,
};

function toggle(customId: string, label: string, on: boolean): APIButtonComponent {
  return {
    type: ComponentType.Button,
    style: on ? ButtonStyle.Success : ButtonStyle.Secondary,
    custom_id: customId,
    label,
  };
}

export function settingsContent(s: UserSettings): string {
  return `Adjust your settings here. Current suffix: \`--v ${s.version} --s ${s.stylize}\``;
}

export function settingsComponents(s: UserSettings): APIActionRowComponent[] {
  const select = {
    type: 3,
    custom_id: 'MJ::Settings::VersionSelector',
    options: SETTINGS_VERSIONS.map((v) => ({
      label: `Midjourney Model V${v}`,
      value: v,
      ...(v === s.version ? { default: true } : {}),
    })),
  };
  const stylize = Object.entries(STYLIZE_LEVELS).map(([name, value]) =>
    toggle(`MJ::Settings::Stylization::${value}`, `Stylize ${name}`, s.stylize === value),
  );
  return [
    { type: ComponentType.ActionRow, components: [select as unknown as APIButtonComponent] },
    {
      type: ComponentType.ActionRow,
      components: [toggle('MJ::Settings::RemixMode', 'Remix mode', s.remix), ...stylize],
    },
    {
      type: ComponentType.ActionRow,
      components: [
        toggle('MJ::Settings::PublicMode', 'Public mode', !s.stealth),
        toggle('MJ::Settings::PrivateMode', 'Stealth mode', s.stealth),
      ],
    },
    {
      type: ComponentType.ActionRow,
      components: [
        toggle('MJ::Settings::TurboMode', 'Turbo mode', s.mode === 'turbo'),
        toggle('MJ::Settings::FastMode', 'Fast mode', s.mode === 'fast'),
        toggle('MJ::Settings::RelaxMode', 'Relax mode', s.mode === 'relaxed'),
      ],
    },
  ];
}

/**
 * A pressed settings button (or the version chosen) applied to `s`: the new settings, or undefined
 * for a custom id that is no settings control.
 */
export function applySetting(
  s: UserSettings,
  customId: string,
  values: readonly string[] = [],
): UserSettings | undefined {
  const next = { ...s };
  if (customId === 'MJ::Settings::VersionSelector') {
    const version = values[0];
    if (version === undefined || !(SETTINGS_VERSIONS as readonly string[]).includes(version))
      return undefined;
    next.version = version;
    return next;
  }
  const stylize = /^MJ::Settings::Stylization::(\d+)$/.exec(customId);
  if (stylize) {
    next.stylize = Number(stylize[1]);
    return next;
  }
  switch (customId) {
    case 'MJ::Settings::RemixMode':
      next.remix = !s.remix;
      return next;
    case 'MJ::Settings::PublicMode':
      next.stealth = false;
      return next;
    case 'MJ::Settings::PrivateMode':
      next.stealth = true;
      return next;
    case 'MJ::Settings::TurboMode':
      next.mode = 'turbo';
      return next;
    case 'MJ::Settings::FastMode':
      next.mode = 'fast';
      return next;
    case 'MJ::Settings::RelaxMode':
      next.mode = 'relaxed';
      return next;
    default:
      return undefined;
  }
}
