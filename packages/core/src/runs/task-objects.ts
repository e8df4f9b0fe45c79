/**
 * The current state of each task of a RUNNING run, one small object per task
 * (`runs/<ulid>/tasks/<runTaskId>.json`), so that a task transition writes O(1) bytes instead of
 * rewriting the whole run record. A task has no object until it is first started or claimed
 * (its status until then is the record's: PENDING or READY_TO_RUN); the object is created with
 * If-None-Match and every later write is If-Match on the version read, with a fresh `revision`
 * per write so a writer whose answer was lost recognises its own write. Closing the run folds the
 * objects' states into the record (run-finish.ts), which is then all a finished run is read from.
 *
 * A resumed run (a re-run of its failed job) starts a new attempt: objects written in an earlier
 * attempt (`runAttempt` below the record's) are ignored and overwritten, the record's folded
 * state of that attempt counts.
 */
import { ExternalError } from '../errors';
import { PreconditionFailedError, type ObjectStore, type StoredJson } from '../store';
import type { TaskStatus } from '../tasks';
import { keys } from '../bucket-layout';
import { CONFLICT_RETRIES, newRunId } from './run-records';
import type { FinalRunStatus, RunError, RunRecord, RunTask } from './run-record';

/** The stored object of one task (docs/formats.md#task-objects). */
export interface StoredTask {
  runId: string;
  runTaskId: string;
  /** The attempt of the run it was written in: 0, then one more per resume (RunRecord.attempts). */
  runAttempt: number;
  status: TaskStatus;
  /** Claims taken in this attempt of the run (a re-claim after a lost worker adds one). */
  attempt: number;
  /** The worker (RunWorker.id) holding it; absent when a single step executes the run. */
  worker?: string;
  startedAt?: string;
  finishedAt?: string;
  error?: RunError;
  /**
   * Set by the close of the run (its final status) on each task it found unfinished, now ABORTED:
   * no start, claim or finish is taken after it (task-transitions.ts).
   */
  runEnded?: FinalRunStatus;
  /** A fresh id per write: a writer whose answer was lost recognises its own write by it. */
  revision: string;
  updatedAt: string;
}

/** The attempt a run is in: 0, and one more per resume. */
export function runAttemptOf(run: Pick<RunRecord, 'attempts'>): number {
  return run.attempts?.length ?? 0;
}

/** The task as the record has it, with the object's state over it when it is of this attempt. */
export function mergeTask(
  task: RunTask,
  stored: StoredTask | undefined,
  runAttempt: number,
): RunTask {
  if (!stored || stored.runAttempt !== runAttempt) return task;
  const merged: RunTask = {
    runTaskId: task.runTaskId,
    taskType: task.taskType,
    pluginAppliedAlias: task.pluginAppliedAlias,
    status: stored.status,
  };
  if (stored.startedAt) merged.startedAt = stored.startedAt;
  if (stored.finishedAt) merged.finishedAt = stored.finishedAt;
  if (stored.error) merged.error = stored.error;
  if (stored.worker) merged.worker = stored.worker;
  if (stored.attempt) merged.attempt = stored.attempt;
  return merged;
}

/** The record with every task's current state (a new object; `run` is left as it is). */
export function mergeRun(run: RunRecord, stored: ReadonlyMap<string, StoredTask>): RunRecord {
  const runAttempt = runAttemptOf(run);
  return {
    ...run,
    tasks: run.tasks.map((t) => mergeTask(t, stored.get(t.runTaskId), runAttempt)),
  };
}

/** What a task's next state carries over from its object: all but its end (status, finish, error). */
export function carriedState(current: StoredTask): TaskState {
  return {
    runAttempt: current.runAttempt,
    status: current.status,
    attempt: current.attempt,
    ...(current.worker ? { worker: current.worker } : {}),
    ...(current.startedAt ? { startedAt: current.startedAt } : {}),
  };
}

/** A task object's state: what a write decides (the store adds the rest). */
export type TaskState = Omit<StoredTask, 'revision' | 'updatedAt' | 'runId' | 'runTaskId'>;

/** What a write decides from the task's current object: the next state, or to stop with a value. */
export type TaskWrite<R> = { write: TaskState; result: R } | { stop: R };

export class TaskObjects {
  /** Each task object as this process last wrote or read it, with its ETag, by key. */
  private readonly known = new Map<string, StoredJson<StoredTask>>();

  constructor(
    private readonly store: ObjectStore,
    private readonly now: () => Date,
  ) {}

  /**
   * The current objects of a run's tasks, by runTaskId: one LIST, then a GET of each object whose
   * ETag differs from the one this process holds (all of them the first time), in parallel.
   */
  async readAll(runId: string): Promise<Map<string, StoredTask>> {
    const prefix = keys.tasksPrefix(runId);
    const listed = this.store.listTagged
      ? await this.store.listTagged(prefix)
      : (await this.store.list(prefix)).map((key) => ({ key, etag: '' }));
    const result = new Map<string, StoredTask>();
    await Promise.all(
      listed.map(async ({ key, etag }) => {
        let stored = this.known.get(key);
        if (!stored || !etag || stored.etag !== etag) {
          stored = await this.store.getJson<StoredTask>(key);
          if (!stored) return; // deleted meanwhile (a prune)
          this.known.set(key, stored);
        }
        result.set(stored.value.runTaskId, stored.value);
      }),
    );
    return result;
  }

  /** The objects of a run's tasks as this process last saw them (no request). */
  lastSeen(runId: string): Map<string, StoredTask> {
    const prefix = keys.tasksPrefix(runId);
    const result = new Map<string, StoredTask>();
    for (const [key, stored] of this.known)
      if (key.startsWith(prefix)) result.set(stored.value.runTaskId, stored.value);
    return result;
  }

  /**
   * A conditional read-modify-write of one task's object: `decide` gets the current object
   * (undefined: none yet) and returns the next state or a value to stop with. It starts from this
   * process's copy when it has one (If-Match catches a writer elsewhere; a decision to stop, or an
   * error, on that copy is taken again on a fresh read). A refused write whose object turns out to
   * carry this write's revision was this write, its answer lost: done.
   */
  async write<R>(
    runId: string,
    runTaskId: string,
    decide: (current: StoredTask | undefined) => Promise<TaskWrite<R>> | TaskWrite<R>,
  ): Promise<R> {
    const key = keys.task(runId, runTaskId);
    let current: StoredJson<StoredTask> | undefined = this.known.get(key);
    // Without a copy: assume there is no object yet (If-None-Match checks it); a decision to stop,
    // or an error, on that assumption is taken again on a fresh read.
    let fresh = false;
    for (let attempt = 0; attempt < CONFLICT_RETRIES;) {
      let decision: TaskWrite<R>;
      try {
        decision = await decide(current?.value);
      } catch (error) {
        if (fresh) throw error;
        current = await this.readFresh(key);
        fresh = true;
        continue;
      }
      if ('stop' in decision) {
        if (fresh) return decision.stop;
        current = await this.readFresh(key);
        fresh = true;
        continue;
      }
      const at = this.now();
      const next: StoredTask = {
        runId,
        runTaskId,
        ...decision.write,
        revision: newRunId(at),
        updatedAt: at.toISOString(),
      };
      try {
        const etag = await this.store.putJson(
          key,
          next,
          current ? { ifMatch: current.etag } : { ifNoneMatch: '*' },
        );
        this.known.set(key, { value: next, etag });
        return decision.result;
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        current = await this.readFresh(key);
        fresh = true;
        if (current?.value.revision === next.revision) return decision.result;
      }
      attempt++;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
    }
    throw new ExternalError(
      `task ${runTaskId} of run ${runId} kept changing while it was being updated`,
      {
        retryable: true,
      },
    );
  }

  private async readFresh(key: string): Promise<StoredJson<StoredTask> | undefined> {
    const stored = await this.store.getJson<StoredTask>(key);
    if (stored) this.known.set(key, stored);
    else this.known.delete(key);
    return stored;
  }
}
