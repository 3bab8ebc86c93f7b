/**
 * midjourney-proxy tasks for DESCRIBE, BLEND and SHORTEN. These commands answer within seconds to
 * a minute and are not queued jobs of the job store: each runs at once, and its task lives here,
 * in memory, while it runs (the newest `MAX_TASKS` are kept). Once settled, its final task is
 * written to the job store (../jobs/command-task-record.ts), so `/mj/task/{id}/fetch` and
 * `list-by-condition` answer it after a restart or from another instance on the same store. A task
 * still running when the service stops is not stored: nothing of it can be resumed.
 * The fields follow the proxy's task: DESCRIBE puts the four prompts in `prompt` / `promptEn`
 * and `properties.finalPrompt`, SHORTEN the analysis in `properties.finalPrompt`, BLEND the grid
 * in `imageUrl` with its buttons. A task with a `notifyHook` is delivered to it once settled (the
 * proxy task as the body, through the webhook dispatcher: stored, signed, retried).
 */
import { randomInt } from 'node:crypto';
import { COMMAND_TASKS_KEEP, type CommandTaskRecord } from '../jobs/command-task-record.js';
import type { JobStore } from '../jobs/job-store.js';
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

/** Where settled tasks are kept: the job store. */
export type CommandTaskStore = Pick<JobStore, 'saveCommandTask' | 'listCommandTasks'>;

export class CommandTaskTable {
  private readonly tasks = new Map<string, CommandTask>();

  constructor(
    private readonly store?: CommandTaskStore,
    /** Told when a settled task could not be stored (it is still answered from memory). */
    private readonly onStoreError: (error: unknown, id: string) => void = () => {},
  ) {}

  /** A new task IN_PROGRESS; `run` settles it. Returns the task id. */
  start(
    clientId: string,
    action: ProxyTaskAction,
    description: string,
    state: string | null,
    run: () => Promise<CommandTaskAnswer>,
    /** Called once with the settled task (SUCCESS or FAILURE): the notifyHook delivery. */
    settled?: (task: ProxyTask) => void,
    /** The task's properties from the start (kept once it settles, e.g. `botType`). */
    properties: Record<string, unknown> = {},
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
      properties: { ...properties },
    };
    this.tasks.set(id, { clientId, task });
    while (this.tasks.size > MAX_TASKS) {
      const oldest = this.tasks.keys().next().value;
      if (oldest === undefined) break;
      this.tasks.delete(oldest);
    }
    // The final task is built apart and shown here only once stored: a SUCCESS or FAILURE read
    // from this instance is one a restart (or another instance) answers too.
    run().then(
      (answer) => {
        const final: ProxyTask = { ...task, status: 'SUCCESS', progress: '100%', finishTime: Date.now() };
        if (answer.prompt !== undefined) {
          final.prompt = answer.prompt;
          final.promptEn = answer.prompt;
        }
        if (answer.imageUrl !== undefined) final.imageUrl = answer.imageUrl;
        if (answer.buttons) final.buttons = answer.buttons;
        final.properties = { ...task.properties, ...answer.properties };
        void this.settle(clientId, task, final, settled);
      },
      (error: unknown) => {
        const e = error as { code?: unknown; message?: unknown };
        const final: ProxyTask = {
          ...task,
          status: 'FAILURE',
          finishTime: Date.now(),
          failReason: typeof e.message === 'string' ? e.message.split('\n')[0]! : String(error),
        };
        if (typeof e.code === 'string') final.properties = { ...task.properties, errorCode: e.code };
        void this.settle(clientId, task, final, settled);
      },
    );
    return id;
  }

  /** Stores the final task, then tells `settled` (the webhook goes out once the task is durable). */
  private async settle(
    clientId: string,
    task: ProxyTask,
    final: ProxyTask,
    settled?: (task: ProxyTask) => void,
  ): Promise<void> {
    if (this.store !== undefined) {
      const record: CommandTaskRecord = {
        id: final.id,
        clientId,
        createdAt: final.submitTime,
        task: JSON.stringify(final),
      };
      await this.store
        .saveCommandTask(record, COMMAND_TASKS_KEEP)
        .catch((error: unknown) => this.onStoreError(error, final.id));
    }
    Object.assign(task, final);
    settled?.(structuredClone(final));
  }

  /** The caller's task (another key's answers undefined): from memory, else the store. */
  async get(id: string, clientId: string): Promise<ProxyTask | undefined> {
    const [task] = await this.list([id], clientId);
    return task;
  }

  /** The caller's tasks among `ids`, in the order given. */
  async list(ids: readonly string[], clientId: string): Promise<ProxyTask[]> {
    const found = new Map<string, ProxyTask>();
    const missing: string[] = [];
    for (const id of ids) {
      const entry = this.tasks.get(id);
      if (entry === undefined) missing.push(id);
      else if (entry.clientId === clientId) found.set(id, structuredClone(entry.task));
    }
    if (missing.length > 0 && this.store !== undefined) {
      for (const record of await this.store.listCommandTasks(missing)) {
        if (record.clientId === clientId) found.set(record.id, JSON.parse(record.task) as ProxyTask);
      }
    }
    return ids.flatMap((id) => {
      const task = found.get(id);
      return task === undefined ? [] : [task];
    });
  }
}
