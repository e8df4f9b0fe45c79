/**
 * How a run ends: its status and end time set once (unfinished tasks ABORTED) and the target's lock
 * released; cancel-run's cancel and the closing of a dead lock holder by the run that took its lock.
 *
 * The close folds the tasks' current states (task-objects.ts) into the record, so a finished run
 * is read from its record alone. Before that it marks the task objects still RUNNING ABORTED
 * (If-Match on what it read): a step finishing such a task afterwards is refused, as it was when
 * the record held the tasks. A task started while the close was being written finds the run
 * closed when it reads the record after its start (task-transitions.ts) and takes its start back.
 */
import type { Logger } from '../logging';
import { describeTarget } from '../target';
import { RunBlockedError, type TargetLocks } from './run-locks';
import { checkRunFinish } from './transitions';
import { carriedState, mergeRun, runAttemptOf } from './task-objects';
import { readRun, type RunParts } from './run-view';
import {
  isFinished,
  isTaskFinished,
  type FinalRunStatus,
  type RunError,
  type RunRecord,
  type RunTask,
} from './run-record';

/** What ending a run needs: its records, the locks, and the clock. */
export interface RunEnding extends RunParts {
  locks: TargetLocks;
  logger: Logger;
  now: () => Date;
}

export interface CancelOutcome {
  outcome: 'not-found' | 'already-finished' | 'cancelled';
  record?: RunRecord;
  aborted: RunTask[];
}

/**
 * Ends a run with `status` (`also` adds to the same write) and releases its lock. A run already
 * finished is left as it is (`changed` false): a retried close must not fail.
 */
export async function finishRecord(
  ending: RunEnding,
  runId: string,
  status: FinalRunStatus,
  error?: RunError,
  also?: (run: RunRecord) => void,
): Promise<{ record: RunRecord; changed: boolean }> {
  await markUnfinishedTasks(ending, runId, status);
  const tasks = ending.tasks.lastSeen(runId);
  let changed = false;
  const record = await ending.records.update(runId, (run) => {
    changed = false; // a conflict re-runs this on the fresh record
    if (isFinished(run.status)) return false;
    run.tasks = mergeRun(run, tasks).tasks;
    checkRunFinish(run, status);
    const at = ending.now().toISOString();
    run.status = status;
    run.finishedAt = at;
    if (error) run.error = error;
    also?.(run);
    for (const task of run.tasks) {
      if (!isTaskFinished(task.status)) {
        task.status = 'ABORTED';
        task.finishedAt = at;
      }
    }
    changed = true;
    return true;
  });
  await ending.locks.release(record);
  return { record, changed };
}

/** How many task objects a close marks at once. */
const MARKS_AT_ONCE = 16;

/**
 * Before a RUNNING run is closed: its tasks' current states read, the close checked against them
 * (a run that cannot end so is refused before anything is written), and every unfinished task's
 * object marked ABORTED with the run's final status (created for a task never started), each
 * conditionally on what was read: from then on no task of the run can start or finish. A task
 * that finished meanwhile keeps its state. The states end up in `ending.tasks.lastSeen(runId)`.
 */
async function markUnfinishedTasks(
  ending: RunEnding,
  runId: string,
  status: FinalRunStatus,
): Promise<void> {
  const record = await ending.records.get(runId);
  if (!record || isFinished(record.status)) return;
  const run = mergeRun(record, await ending.tasks.readAll(runId));
  checkRunFinish(run, status);
  const runAttempt = runAttemptOf(run);
  const at = ending.now().toISOString();
  const queue = run.tasks.filter((t) => !isTaskFinished(t.status)).map((t) => t.runTaskId);
  const mark = (runTaskId: string) =>
    ending.tasks.write(runId, runTaskId, (current) => {
      const ours = current?.runAttempt === runAttempt ? current : undefined;
      if (ours && isTaskFinished(ours.status)) return { stop: undefined };
      return {
        write: {
          ...(ours ? carriedState(ours) : { attempt: 0 }),
          runAttempt,
          status: 'ABORTED',
          finishedAt: at,
          runEnded: status,
        },
        result: undefined,
      };
    });
  await Promise.all(
    Array.from({ length: Math.min(MARKS_AT_ONCE, queue.length) }, async () => {
      for (let id = queue.pop(); id !== undefined; id = queue.pop()) await mark(id);
    }),
  );
}

/** Cancels a run (cancel-run): idempotent, safe under two cancels racing. */
export async function cancelRecord(
  ending: RunEnding,
  runId: string,
  options: { force?: boolean; reason?: string },
): Promise<CancelOutcome> {
  const before = await readRun(ending, runId);
  if (!before) return { outcome: 'not-found', aborted: [] };
  if (isFinished(before.status)) {
    await ending.locks.release(before);
    return { outcome: 'already-finished', record: before, aborted: [] };
  }
  const running = before.tasks.filter((t) => t.status === 'RUNNING');
  if (running.length > 0 && options.force === false) {
    throw new RunBlockedError(
      `Run ${runId} has task(s) still RUNNING (${running.map((t) => `${t.taskType} ${t.pluginAppliedAlias ?? ''}`.trim()).join(', ')}); FORCE_CANCEL is false, so it was not cancelled.`,
    );
  }
  const unfinished = new Set(
    before.tasks.filter((t) => !isTaskFinished(t.status)).map((t) => t.runTaskId),
  );
  const { record, changed } = await finishRecord(ending, runId, 'ABORTED', {
    kind: 'ABORTED',
    message: options.reason ?? 'cancelled by cancel-run',
  });
  if (!changed) {
    // Another writer (a second cancel, the run itself) finished it between our read and write.
    return { outcome: 'already-finished', record, aborted: [] };
  }
  return {
    outcome: 'cancelled',
    record,
    aborted: record.tasks.filter((t) => unfinished.has(t.runTaskId)),
  };
}

/**
 * Closes a dead holder ABORTED on behalf of `by`, which has just taken its lock: recorded as its
 * successor, so it is never applied or resumed afterwards. A failure here is a warning: the
 * lock is already `by`'s, and runtime-tasks refuses a run that does not hold its lock.
 */
export async function supersedeRecord(
  ending: RunEnding,
  holder: RunRecord,
  by: RunRecord,
  reason: string,
): Promise<void> {
  const at = ending.now().toISOString();
  const where = describeTarget(holder.target);
  try {
    const { changed } = await finishRecord(
      ending,
      holder.runId,
      'ABORTED',
      { kind: 'ABORTED', message: `${reason}; superseded by run ${by.runId}` },
      (run) => {
        run.supersededBy = { runId: by.runId, at, workflowRunUrl: by.workflowRunUrl, reason };
      },
    );
    ending.logger.warning(
      changed
        ? `Run ${holder.runId} held the lock of ${where}, but ${reason}. It is now ABORTED, superseded by this run ${by.runId}, and can never be applied.`
        : `Run ${holder.runId} closed itself while this run ${by.runId} took the lock of ${where} from it.`,
    );
  } catch (error) {
    ending.logger.warning(
      `Run ${holder.runId} held the lock of ${where}, but ${reason}. This run took the lock; closing ${holder.runId} failed (${(error as Error).message}). It no longer holds the lock, so runtime-tasks refuses it.`,
    );
  }
}
