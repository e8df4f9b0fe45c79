/**
 * How a run ends: its status and end time set once (unfinished tasks ABORTED) and the target's lock
 * released; cancel-run's cancel and the closing of a dead lock holder by the run that took its lock.
 */
import type { Logger } from '../logging';
import { describeTarget } from '../target';
import { RunBlockedError, type TargetLocks } from './run-locks';
import type { RunRecords } from './run-records';
import { checkRunFinish } from './transitions';
import {
  isFinished,
  isTaskFinished,
  type FinalRunStatus,
  type RunError,
  type RunRecord,
  type RunTask,
} from './run-record';

/** What ending a run needs: its records, the locks, and the clock. */
export interface RunEnding {
  records: RunRecords;
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
  let changed = false;
  const record = await ending.records.update(runId, (run) => {
    changed = false; // a conflict re-runs this on the fresh record
    if (isFinished(run.status)) return false;
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

/** Cancels a run (cancel-run): idempotent, safe under two cancels racing. */
export async function cancelRecord(
  ending: RunEnding,
  runId: string,
  options: { force?: boolean; reason?: string },
): Promise<CancelOutcome> {
  const before = await ending.records.get(runId);
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
