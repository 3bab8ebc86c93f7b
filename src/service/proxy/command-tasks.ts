/**
 * midjourney-proxy tasks for DESCRIBE, BLEND and SHORTEN. These commands answer within seconds to
 * a minute and are not queued jobs of the job store: each runs at once, and its task lives here,
 * in memory, for `/mj/task/{id}/fetch` (the newest `MAX_TASKS` are kept; a restart forgets them).
 * The fields follow the proxy's task: DESCRIBE puts the four prompts in `prompt` / `promptEn`
 * and `properties.finalPrompt`, SHORTEN the analysis in `properties.finalPrompt`, BLEND the grid
 * in `imageUrl` with its buttons. A task with a `notifyHook` is delivered to it once settled (the
 * proxy task as the body, through the webhook dispatcher: stored, signed, retried).
 */
import { randomInt } from 'node:crypto';
import type { ProxyButton, ProxyTask, ProxyTaskAction } from './task-view.js';

const MAX_TASKS = 1_000;

interface CommandTask {
  clientId: string;
  task: ProxyTask;
}

export interface CommandTaskAnswer {
  prompt?: string;
  imageUrl?: string | null;
  buttons?: ProxyButton[];
  properties?: Record<string, unknown>;
}

export class CommandTaskTable {
  private readonly tasks = new Map<string, CommandTask>();

  /** A new task IN_PROGRESS; `run` settles it. Returns the task id. */
  start(
    clientId: string,
    action: ProxyTaskAction,
    description: string,
    state: string | null,
    run: () => Promise<CommandTaskAnswer>,
    /** Called once with the settled task (SUCCESS or FAILURE): the notifyHook delivery. */
    settled?: (task: ProxyTask) => void,
  ): string {
    const id = `${Date.now()}${String(randomInt(0, 1_000)).padStart(3, '0')}`;
    const now = Date.now();
    const task: ProxyTask = {
      id,
      action,
      prompt: '',
      promptEn: '',
      description,
      state,
      submitTime: now,
      startTime: now,
      finishTime: null,
      imageUrl: null,
      status: 'IN_PROGRESS',
      progress: '0%',
      failReason: null,
      buttons: [],
      properties: {},
    };
    this.tasks.set(id, { clientId, task });
    while (this.tasks.size > MAX_TASKS) {
      const oldest = this.tasks.keys().next().value;
      if (oldest === undefined) break;
      this.tasks.delete(oldest);
    }
    run().then(
      (answer) => {
        task.status = 'SUCCESS';
        task.progress = '100%';
        task.finishTime = Date.now();
        if (answer.prompt !== undefined) {
          task.prompt = answer.prompt;
          task.promptEn = answer.prompt;
        }
        if (answer.imageUrl !== undefined) task.imageUrl = answer.imageUrl;
        if (answer.buttons) task.buttons = answer.buttons;
        task.properties = { ...task.properties, ...answer.properties };
        settled?.(structuredClone(task));
      },
      (error: unknown) => {
        task.status = 'FAILURE';
        task.finishTime = Date.now();
        const e = error as { code?: unknown; message?: unknown };
        task.failReason = typeof e.message === 'string' ? e.message.split('\n')[0]! : String(error);
        if (typeof e.code === 'string') task.properties = { ...task.properties, errorCode: e.code };
        settled?.(structuredClone(task));
      },
    );
    return id;
  }

  /** The caller's task (another key's answers undefined). */
  get(id: string, clientId: string): ProxyTask | undefined {
    const entry = this.tasks.get(id);
    return entry?.clientId === clientId ? structuredClone(entry.task) : undefined;
  }
}
