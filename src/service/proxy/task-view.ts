/**
 * A job in midjourney-proxy's task shape (novicezk/midjourney-proxy and the trueai-org fork), so
 * apps written for it read this service's answers unchanged. Field meanings follow their docs:
 * status NOT_START / SUBMITTED / IN_PROGRESS / FAILURE / SUCCESS, progress as "31%", times in ms,
 * buttons as {customId, emoji, label, type, style}.
 */
import type { JobKind } from '../../generation/types.js';
import type { JobRecord, JobStatus } from '../jobs/job.js';

export type ProxyTaskStatus = 'NOT_START' | 'SUBMITTED' | 'IN_PROGRESS' | 'FAILURE' | 'SUCCESS';
export type ProxyTaskAction =
  | 'IMAGINE'
  | 'UPSCALE'
  | 'VARIATION'
  | 'REROLL'
  | 'BLEND'
  | 'DESCRIBE'
  | 'SHORTEN';

export interface ProxyButton {
  customId: string;
  emoji: string;
  label: string;
  /** Discord component type: 2, a button. */
  type: number;
  /** Discord button style: 1 primary, 2 secondary. */
  style: number;
}

export interface ProxyTask {
  id: string;
  action: ProxyTaskAction;
  prompt: string;
  promptEn: string;
  description: string;
  state: string | null;
  submitTime: number;
  startTime: number | null;
  finishTime: number | null;
  imageUrl: string | null;
  status: ProxyTaskStatus;
  progress: string;
  failReason: string | null;
  buttons: ProxyButton[];
  properties: Record<string, unknown>;
}

const STATUS: Record<JobStatus, ProxyTaskStatus> = {
  queued: 'NOT_START',
  submitting: 'SUBMITTED',
  submitted: 'SUBMITTED',
  running: 'IN_PROGRESS',
  succeeded: 'SUCCESS',
  failed: 'FAILURE',
  cancelled: 'FAILURE',
};

export const PROXY_ACTION: Record<JobKind, ProxyTaskAction> = {
  imagine: 'IMAGINE',
  upscale: 'UPSCALE',
  variation: 'VARIATION',
  reroll: 'REROLL',
  blend: 'BLEND',
};

/** Midjourney's button faces: the label or emoji Discord shows for each action. */
function buttonFace(action: string): { label: string; emoji: string; style: number } {
  if (action === 'reroll') return { label: '', emoji: '🔄', style: 2 };
  if (/^[UV][1-4]$/.test(action)) return { label: action, emoji: '', style: 2 };
  return { label: action, emoji: '', style: 2 };
}

/** The proxy's `description`: `/imagine <prompt>` or `/up <parent id> U1` (R for reroll). */
export function proxyDescription(job: JobRecord): string {
  if (job.kind === 'imagine') return `/imagine ${job.prompt}`;
  const button = job.action === 'reroll' ? 'R' : (job.action ?? '');
  return `/up ${job.parentId ?? ''} ${button}`.trim();
}

export function toProxyTask(job: JobRecord): ProxyTask {
  const result = job.result;
  const properties: Record<string, unknown> = {
    notifyHook: job.webhookFormat === 'midjourney-proxy' ? job.webhookUrl : null,
    finalPrompt: result?.echoedPrompt ?? job.prompt,
    // midjourney-proxy's names of the two bots.
    botType: job.botType === 'niji' ? 'NIJI_JOURNEY' : 'MID_JOURNEY',
  };
  if (job.ticket) {
    properties.nonce = job.ticket.nonce;
    properties.discordChannelId = job.ticket.channelId;
  }
  const accountId = result?.accountId ?? job.ticket?.accountId;
  // midjourney-proxy names the account that ran a task `discordInstanceId`.
  if (accountId !== undefined) properties.discordInstanceId = accountId;
  if (result) {
    properties.messageId = result.messageId;
    properties.messageHash = result.jobId;
    properties.flags = result.messageFlags;
  }
  if (job.error) {
    properties.errorName = job.error.name;
    properties.errorCode = job.error.code;
  }
  const state = job.metadata?.state;
  return {
    id: job.id,
    action: PROXY_ACTION[job.kind],
    prompt: job.prompt,
    promptEn: job.prompt,
    description: proxyDescription(job),
    state: typeof state === 'string' ? state : null,
    submitTime: job.createdAt,
    startTime: job.startedAt ?? job.submittedAt,
    finishTime: job.finishedAt,
    imageUrl: result?.imageUrl ?? job.previewUrl,
    status: STATUS[job.status],
    progress: `${job.status === 'succeeded' ? 100 : Math.round(job.progress)}%`,
    failReason: job.error ? `[${job.error.code}] ${job.error.message}` : null,
    buttons: result
      ? Object.entries(result.actions).map(([action, customId]) => ({
          customId,
          type: 2,
          ...buttonFace(action),
        }))
      : [],
    properties,
  };
}
