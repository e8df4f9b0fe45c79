/** Which status changes are allowed, for runs and for their tasks. */
import type { TaskStatus } from '../tasks';
import {
  isFinished,
  isTaskFinished,
  type RunRecord,
  type RunStatus,
  type RunTask,
} from './run-record';

/** A status change that would corrupt a record: a bug or a race the caller must not hide. */
export class InvalidTransitionError extends Error {
  override readonly name = 'InvalidTransitionError';
}

const TASK_NEXT: Record<TaskStatus, readonly TaskStatus[]> = {
  PENDING: ['READY_TO_RUN', 'RUNNING', 'ABORTED'],
  READY_TO_RUN: ['RUNNING', 'ABORTED'],
  RUNNING: ['SUCCEEDED', 'FAILED', 'INTERNAL_ERROR', 'ABORTED'],
  SUCCEEDED: [],
  FAILED: [],
  INTERNAL_ERROR: [],
  ABORTED: [],
};

export function checkTaskTransition(run: RunRecord, task: RunTask, next: TaskStatus): void {
  if (next === 'RUNNING' && isFinished(run.status)) {
    throw new InvalidTransitionError(
      `task ${task.runTaskId} cannot start: run ${run.runId} is ${run.status}`,
    );
  }
  if (!TASK_NEXT[task.status].includes(next)) {
    throw new InvalidTransitionError(
      `task ${task.runTaskId} cannot go from ${task.status} to ${next}`,
    );
  }
}

/**
 * The tasks a step claimed the run for, PENDING -> READY_TO_RUN (`run` mutated), in the same write
 * as the claim: no write per task. Tasks already further along are left as they are, and the
 * run's other tasks (those awaiting approval) stay PENDING. Returns whether anything changed.
 */
export function markReady(run: RunRecord, runTaskIds: readonly string[]): boolean {
  const ready = new Set(runTaskIds);
  let changed = false;
  for (const task of run.tasks) {
    if (!ready.has(task.runTaskId) || task.status !== 'PENDING') continue;
    checkTaskTransition(run, task, 'READY_TO_RUN');
    task.status = 'READY_TO_RUN';
    changed = true;
  }
  return changed;
}

export function checkRunFinish(run: RunRecord, next?: RunStatus): void {
  if (isFinished(run.status)) {
    throw new InvalidTransitionError(`run ${run.runId} is already ${run.status}`);
  }
  // A run succeeds only when every task of its manifest did, in this attempt or an earlier one.
  const unfinished = run.tasks.filter((t) => t.status !== 'SUCCEEDED');
  if (next === 'SUCCEEDED' && unfinished.length > 0) {
    throw new InvalidTransitionError(
      `run ${run.runId} cannot succeed: ${unfinished.length} task(s) did not succeed (${unfinished
        .map((t) => `${t.taskType} ${t.pluginAppliedAlias ?? ''}`.trim() + ` ${t.status}`)
        .join(', ')})`,
    );
  }
}

export { isTaskFinished };
