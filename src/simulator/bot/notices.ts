/**
 * The embeds Midjourney answers with when a job does not run (or dies): title, description,
 * colour and whether only the user sees it. Titles are the ones clients classify on
 * (see /work/shared/MIDJOURNEY.md, "Embeds"); 16711680 is red (error), 16776960 yellow (warning).
 */
import type { APIActionRowComponent, APIEmbed } from '../../discord/types.js';
import { appealComponents, captchaComponents } from './components.js';
import type { JobOutcome } from './types.js';

export const COLOR_ERROR = 16_711_680;
export const COLOR_WARNING = 16_776_960;

/** Outcomes answered with a single notice instead of a generation. */
export type NoticeOutcome = Extract<
  JobOutcome,
  | 'pre-moderation'
  | 'appeal-needed'
  | 'queue-full'
  | 'invalid-parameter'
  | 'invalid-link'
  | 'unrecognized-parameter'
  | 'invalid-prompt'
  | 'empty-prompt'
  | 'job-action-restricted'
  | 'invalid-request'
  | 'credits-exhausted'
  | 'pending-mod-message'
  | 'blocked'
  | 'plan-cancelled'
  | 'subscription-required'
  | 'subscription-paused'
  | 'tos-not-accepted'
  | 'human-check'
  | 'output-filter'
  | 'duplicate-images'
  | 'outage'
>;

/** What a notice needs to say about its job. */
export interface NoticeContext {
  jobId: string;
  /** The prompt as the user sent it (shown in the footer as `/imagine <prompt>`). */
  prompt: string;
  /** A specific reason (e.g. "Unrecognized parameter(s): `--foo`"), when the rule produced one. */
  detail?: string;
  bannedWord?: string;
  running?: number;
  queued?: number;
  queueSize?: number;
}

export interface Notice {
  embed: APIEmbed;
  components: APIActionRowComponent[];
  /** Ephemeral notices reach the user over the gateway only (flag 64). */
  ephemeral: boolean;
}

interface NoticeSpec {
  title: string;
  color: number;
  ephemeral: boolean;
  description: (ctx: NoticeContext) => string;
  components?: (ctx: NoticeContext) => APIActionRowComponent[];
  /** The footer repeats the command; account notices have none. */
  footer?: boolean;
}

const invalid = (title: string, fallback: string): NoticeSpec => ({
  title,
  color: COLOR_ERROR,
  ephemeral: true,
  footer: true,
  description: (ctx) => ctx.detail ?? fallback,
});

const account = (title: string, description: string): NoticeSpec => ({
  title,
  color: COLOR_ERROR,
  ephemeral: true,
  description: () => description,
});

const NOTICES: Record<NoticeOutcome, NoticeSpec> = {
  'pre-moderation': {
    title: 'Banned prompt detected',
    color: COLOR_ERROR,
    ephemeral: true,
    footer: true,
    description: (ctx) =>
      'Sorry! Our AI moderators feel your prompt might be against our community standards.' +
      (ctx.bannedWord === undefined ? '' : `\n\nThe word \`${ctx.bannedWord}\` is banned.`) +
      '\n\nPlease review our current community guidelines before submitting another job.',
  },
  'appeal-needed': {
    title: 'Action needed to continue',
    color: COLOR_ERROR,
    ephemeral: true,
    footer: true,
    description: () =>
      'Sorry! Our AI moderator thinks this prompt is probably against our community standards.\n\n' +
      'If you think this is a mistake, press Appeal and a more sophisticated AI will double-check the result.',
    components: (ctx) => appealComponents(ctx.jobId),
  },
  'queue-full': {
    title: 'Queue full',
    color: COLOR_ERROR,
    ephemeral: true,
    footer: true,
    description: (ctx) =>
      `You have ${ctx.queued ?? 0} jobs queued and ${ctx.running ?? 0} running, the most your plan allows. ` +
      'Please wait for a job to finish before submitting another.',
  },
  'invalid-parameter': invalid('Invalid parameter', 'One of the parameters has an invalid value.'),
  'unrecognized-parameter': invalid('Invalid parameter', 'Unrecognized parameter(s)'),
  'invalid-link': invalid('Invalid link', 'One of the links in your prompt is not a valid image URL.'),
  'invalid-prompt': invalid('Invalid prompt', 'Your prompt could not be understood.'),
  'empty-prompt': invalid('Empty prompt', 'Your prompt is empty. Describe what you want to see.'),
  'invalid-request': invalid('Invalid request', 'This action is not available.'),
  'job-action-restricted': invalid('Job action restricted', 'You can only use the buttons on your own jobs.'),
  'credits-exhausted': account(
    'Credits exhausted',
    'You have run out of fast hours. Switch to relax mode with `/relax`, buy more fast hours, or upgrade your plan.',
  ),
  'pending-mod-message': account(
    'Pending mod message',
    'You have a pending message from the moderators. Read and acknowledge it on midjourney.com before submitting more jobs.',
  ),
  blocked: account(
    'Blocked',
    'You have been blocked from using Midjourney for violating the community guidelines.',
  ),
  'plan-cancelled': account('Plan Cancelled', 'Your plan has been cancelled. Subscribe again to continue.'),
  'subscription-required': account(
    'Subscription required',
    'You need an active subscription to use Midjourney. Manage it at https://www.midjourney.com/account',
  ),
  'subscription-paused': account(
    'Subscription paused',
    'Your subscription is paused. Resume it at https://www.midjourney.com/account to continue.',
  ),
  'tos-not-accepted': account(
    'Tos not accepted',
    'Please accept the Terms of Service at https://www.midjourney.com/account before using Midjourney.',
  ),
  'human-check': {
    title: 'Action required to continue',
    color: COLOR_WARNING,
    ephemeral: true,
    description: () => "Please verify you're human to continue. Pick the picture category below.",
    components: (ctx) => captchaComponents(ctx.jobId.replaceAll('-', '')),
  },
  'output-filter': {
    title: 'Request cancelled due to output filters',
    color: COLOR_ERROR,
    ephemeral: true,
    footer: true,
    description: () =>
      'Sorry! While the prompt you entered was deemed safe, the resulting image was detected as having content ' +
      'that might violate our community guidelines and has been blocked. Your account status will not be affected.',
  },
  'duplicate-images': invalid('Duplicate images detected', 'The same image was given more than once.'),
  outage: {
    title: 'Sorry! Could not complete the job!',
    color: COLOR_ERROR,
    ephemeral: false,
    footer: true,
    description: () => 'Something went wrong on our side while processing your job. Please try again later.',
  },
};

/** Whether an outcome is answered with a notice (rather than a generation or silence). */
export function isNoticeOutcome(outcome: JobOutcome): outcome is NoticeOutcome {
  return Object.hasOwn(NOTICES, outcome);
}

/** The notice for an outcome; `forcePublic` posts every notice in the channel (for REST-only demos). */
export function buildNotice(outcome: NoticeOutcome, ctx: NoticeContext, forcePublic = false): Notice {
  const spec = NOTICES[outcome];
  const embed: APIEmbed = {
    type: 'rich',
    title: spec.title,
    description: spec.description(ctx),
    color: spec.color,
  };
  if (spec.footer) embed.footer = { text: `/imagine ${ctx.prompt}` };
  return { embed, components: spec.components?.(ctx) ?? [], ephemeral: spec.ephemeral && !forcePublic };
}

/** "Job queued": not terminal, always in the channel, footer `/imagine <prompt>`. */
export function jobQueuedEmbed(ctx: NoticeContext): APIEmbed {
  return {
    type: 'rich',
    title: 'Job queued',
    description: `Your job will start as soon as one of your running jobs finishes. Position ${ctx.queued ?? 1} of ${ctx.queueSize ?? 10} in your queue.`,
    color: COLOR_WARNING,
    footer: { text: `/imagine ${ctx.prompt}` },
  };
}
