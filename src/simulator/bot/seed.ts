/**
 * The seed Midjourney reveals when a user reacts ✉️ to a result: a DM
 * `**<prompt>**\n**Job ID**: <uuid>\n**seed** <digits>` (see /work/shared/MIDJOURNEY.md,
 * "Beyond /imagine" § 5). The simulated seed is a deterministic function of the job id.
 */
export const SEED_EMOJI = '✉️';

/** The seed of a job: 0 to 4294967295. */
export function seedOf(jobId: string): number {
  let h = 2_166_136_261;
  for (let i = 0; i < jobId.length; i += 1) h = Math.imul(h ^ jobId.charCodeAt(i), 16_777_619) >>> 0;
  return h;
}

export function seedContent(echo: string, jobId: string): string {
  return `**${echo}**\n**Job ID**: ${jobId}\n**seed** ${seedOf(jobId)}`;
}

/** ✉️ with or without the variation selector. */
export function isSeedEmoji(emoji: string): boolean {
  return emoji.replace(/\uFE0F/g, '') === '✉';
}
