/**
 * midjourney-proxy's DESCRIBE / BLEND / SHORTEN tasks as the job store keeps them. They are not
 * jobs (nothing to resume: each runs at once, ../proxy/command-tasks.ts), only their task
 * document, written when the task starts and again when it settles, so `/mj/task/{id}/fetch` and
 * `list-by-condition` answer them after a restart. Each store keeps the newest
 * COMMAND_TASKS_KEEP.
 */

export interface CommandTaskRecord {
  /** The task id (16 digits). */
  id: string;
  /** The API key name that submitted it; only its owner reads it. */
  clientId: string;
  createdAt: number;
  /** The proxy task as JSON. */
  task: string;
}

/** How many command tasks a store keeps (the newest by id). */
export const COMMAND_TASKS_KEEP = 10_000;
