/**
 * Which worker of a pool executes a task (runtime-tasks with WORKERS > 1). A worker claims a task
 * by setting it RUNNING under its id in one conditional write: of two workers claiming the same
 * task, exactly one wins. A task RUNNING under a worker that is gone (it left, or its heartbeat is
 * silent for longer than the lease, see worker-heartbeats.ts) may be claimed again, If-Match on
 * what was read, so of two workers re-claiming it exactly one wins too. A worker whose task was
 * re-claimed meanwhile cannot record its result (TaskClaimLostError): what the new holder records
 * is what counts.
 */
import { ExternalError } from '../errors';
import { isGone } from './worker-heartbeats';
import { isTaskFinished, type RunTask, type RunWorker, type RunWorkerState } from './run-record';

export type TaskClaim =
  | { claimed: true; reclaimedFrom?: RunWorker }
  | { claimed: false; why: 'finished' | 'held' | 'run-finished'; holder?: RunWorker };

/**
 * A worker tried to record the result of a task another worker claimed meanwhile (its heartbeat
 * was silent for longer than the lease). Nothing was recorded.
 */
export class TaskClaimLostError extends ExternalError {
  override readonly name = 'TaskClaimLostError';
  constructor(
    readonly runId: string,
    readonly runTaskId: string,
    readonly workerId: string,
    readonly holder: string | undefined,
  ) {
    super(
      `Task ${runTaskId} of run ${runId} is no longer claimed by this worker (${workerId}): ${holder ? `worker ${holder} claimed it again` : 'another step took it'} after this worker's heartbeat was silent for longer than the lease. This worker's result was not recorded; the task's holder records its own.`,
      { retryable: false },
    );
  }
}

/** What a claim of `task` by `workerId` does, given the worker holding it now (if any). */
export type ClaimDecision =
  { take: true; reclaimedFrom?: RunWorker } | { take: false; result: TaskClaim };

/**
 * Decides a claim on the task as read. `holder` is the state of the worker the task is RUNNING
 * under (undefined: none, or it never registered: then silent since the task started).
 */
export function decideClaim(
  task: RunTask,
  workerId: string,
  holder: RunWorkerState | undefined,
  now: Date,
  leaseMs: number | undefined,
): ClaimDecision {
  if (isTaskFinished(task.status))
    return { take: false, result: { claimed: false, why: 'finished' } };
  if (task.status !== 'RUNNING') return { take: true };
  if (task.worker === workerId) return { take: false, result: { claimed: true } };
  const gone = holder
    ? isGone(holder, now, leaseMs)
    : task.worker !== undefined &&
      now.getTime() - new Date(task.startedAt ?? 0).getTime() > (leaseMs ?? Infinity);
  if (gone) return { take: true, ...(holder ? { reclaimedFrom: holder.worker } : {}) };
  return {
    take: false,
    result: { claimed: false, why: 'held', ...(holder ? { holder: holder.worker } : {}) },
  };
}

/** Sets `task` RUNNING under `workerId` (mutated): one more claim of it. */
export function claimInto(task: RunTask, workerId: string, at: string): void {
  task.status = 'RUNNING';
  task.startedAt = at;
  task.worker = workerId;
  task.attempt = (task.attempt ?? 0) + 1;
  delete task.finishedAt;
  delete task.error;
}
