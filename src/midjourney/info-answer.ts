/**
 * Reads Midjourney's `/info` answer: an embed titled "Your info - <name>" whose description has
 * one `**Key**: value` line per fact (see /work/shared/MIDJOURNEY.md, "Beyond /imagine" § 6, from
 * erictik's formatInfo and mj-plus's AccountInfoHandler). Unknown lines are kept in `fields`.
 */
import type { APIMessage } from '../discord/types.js';

export interface AccountInfo {
  /** `Pro (Active monthly, renews next on <t:…>)`, as shown. */
  subscription?: string;
  /** `Fast`, `Relaxed` or `Turbo`. */
  jobMode?: string;
  /** `Public` or `Stealth`. */
  visibility?: string;
  fastTimeRemaining?: { hours: number; totalHours: number; percent: number };
  lifetimeUsage?: { images: number; hours: number };
  relaxedUsage?: { images: number; hours: number };
  queuedFast?: number;
  queuedRelax?: number;
  /** Running jobs (`None` is 0). */
  running?: number;
  /** Every `**Key**: value` line, as shown. */
  fields: Record<string, string>;
}

const LINE = /^\s*\*\*([^*]+)\*\*:\s*(.*?)\s*$/;

function usage(value: string | undefined): { images: number; hours: number } | undefined {
  const m = /(\d+)\s+images?\s*\(([\d.]+)\s*hours?\)/i.exec(value ?? '');
  return m ? { images: Number(m[1]), hours: Number(m[2]) } : undefined;
}

function count(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^none$/i.test(value)) return 0;
  const m = /^(\d+)/.exec(value);
  return m ? Number(m[1]) : undefined;
}

/** The facts of an `/info` answer, or undefined when the message is not one. */
export function parseInfoAnswer(message: Pick<APIMessage, 'embeds'>): AccountInfo | undefined {
  const embed = message.embeds?.[0];
  if (!embed?.title || !/your info/i.test(embed.title) || typeof embed.description !== 'string')
    return undefined;
  const fields: Record<string, string> = {};
  for (const line of embed.description.split('\n')) {
    const m = LINE.exec(line);
    if (m?.[1] && m[2] !== undefined) fields[m[1].trim()] = m[2];
  }
  const info: AccountInfo = { fields };
  const set = <K extends keyof AccountInfo>(key: K, value: AccountInfo[K] | undefined): void => {
    if (value !== undefined) info[key] = value;
  };
  set('subscription', fields.Subscription);
  set('jobMode', fields['Job Mode']);
  set('visibility', fields['Visibility Mode']);
  const fast = /([\d.]+)\s*\/\s*([\d.]+)\s*hours?\s*\(([\d.]+)%\)/i.exec(fields['Fast Time Remaining'] ?? '');
  if (fast)
    set('fastTimeRemaining', {
      hours: Number(fast[1]),
      totalHours: Number(fast[2]),
      percent: Number(fast[3]),
    });
  set('lifetimeUsage', usage(fields['Lifetime Usage']));
  set('relaxedUsage', usage(fields['Relaxed Usage']));
  set('queuedFast', count(fields['Queued Jobs (fast)']));
  set('queuedRelax', count(fields['Queued Jobs (relax)']));
  set('running', count(fields['Running Jobs']));
  return info;
}
