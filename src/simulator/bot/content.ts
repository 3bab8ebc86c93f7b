/**
 * The bot's message `content` grammar: `**<echo>** - <label><@user> (<status>)`, as the real
 * Midjourney bot writes it (see /work/shared/MIDJOURNEY.md, "Message content grammar").
 */
import type { BotMode } from './types.js';

export interface ContentSubject {
  echo: string;
  userId: string;
  /** What the job is, before the mention: '' for /imagine and reroll, `Variations (Strong) by `, `Zoom Out by `... */
  label: string;
}

/** `fast`, `relaxed`, `turbo`, with `, stealth` appended in stealth mode. */
export function modeText(mode: BotMode, stealth: boolean): string {
  return stealth ? `${mode}, stealth` : mode;
}

function head(subject: ContentSubject): string {
  return `**${subject.echo}** - ${subject.label}<@${subject.userId}>`;
}

export function waitingContent(subject: ContentSubject): string {
  return `${head(subject)} (Waiting to start)`;
}

export function progressContent(subject: ContentSubject, percent: number, mode: string): string {
  return `${head(subject)} (${percent}%) (${mode})`;
}

export function doneContent(subject: ContentSubject, mode: string): string {
  return `${head(subject)} (${mode})`;
}

export function stoppedContent(subject: ContentSubject): string {
  return `${head(subject)} (Stopped)`;
}

/** The single-image message an upscale button posts: `**cat** - Image #2 <@123>`. */
export function imageContent(echo: string, index: number, userId: string): string {
  return `**${echo}** - Image #${index} <@${userId}>`;
}

export const FAILED_TEXT = 'Failed to process your command :c';
