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
