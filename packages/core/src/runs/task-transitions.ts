/**
 * A task's transitions (start, claim, finish): each is one conditional write of the task's own
 * object (task-objects.ts), O(1) bytes whatever the size of the run, with no read when this
 * process wrote or read the object last. The run record is neither written nor read again: the
 * close of a run marks every unfinished task's object ABORTED with the run's status (`runEnded`,
 * run-finish.ts) before it writes the record, so a start, claim or finish after it meets that
 * mark in its conditional write and is refused, as it was when the record held the tasks.
 */
import type { ObjectStore } from '../store';
import { InvalidTransitionError, checkTaskTransition } from './transitions';
import { decideClaim, TaskClaimLostError, type TaskClaim } from './task-claims';
import { carriedState, mergeTask, runAttemptOf, type StoredTask } from './task-objects';
import { workerOf } from './worker-heartbeats';
import { findTask, recordToJudge, type RunParts } from './run-view';
import { isFinished, type RunError } from './run-record';

export type FinishStatus = 'SUCCEEDED' | 'FAILED' | 'INTERNAL_ERROR' | 'ABORTED';

export class TaskTransitions {
  constructor(
    private readonly parts: RunParts,
    private readonly store: ObjectStore,
    private readonly now: () => Date,
  ) {}

  /** The single step executing the run starts a task (PENDING or READY_TO_RUN -> RUNNING). */
  async start(runId: string, runTaskId: string): Promise<void> {
    const run = await recordToJudge(this.parts, runId);
    const task = findTask(run, runTaskId);
    const runAttempt = runAttemptOf(run);
    await this.parts.tasks.write(runId, runTaskId, (current) => {
      refuseEnded(runId, runTaskId, current, runAttempt);
      const merged = mergeTask(task, current, runAttempt);
      checkTaskTransition(run, merged, 'RUNNING');
      return {
        write: {
          runAttempt,
          status: 'RUNNING',
          attempt: (merged.attempt ?? 0) + 1,
          startedAt: this.now().toISOString(),
        },
        result: undefined,
      };
    });
  }

  /** A worker of the pool claims a task (see task-claims.ts). */
  async claim(
    runId: string,
    runTaskId: string,
    workerId: string,
    leaseMs: number | undefined,
  ): Promise<TaskClaim> {
    const run = await recordToJudge(this.parts, runId);
    if (isFinished(run.status)) return { claimed: false, why: 'run-finished' };
    const task = findTask(run, runTaskId);
    const runAttempt = runAttemptOf(run);
    return this.parts.tasks.write<TaskClaim>(runId, runTaskId, async (current) => {
      if (current?.runEnded && current.runAttempt === runAttempt)
        return { stop: { claimed: false, why: 'run-finished' } };
      const merged = mergeTask(task, current, runAttempt);
      const holder =
        merged.status === 'RUNNING' && merged.worker !== undefined && merged.worker !== workerId
          ? await workerOf(this.store, runId, merged.worker)
          : undefined;
      const decision = decideClaim(merged, workerId, holder, this.now(), leaseMs);
      if (!decision.take) return { stop: decision.result };
      return {
        write: {
          runAttempt,
          status: 'RUNNING',
          attempt: (merged.attempt ?? 0) + 1,
          worker: workerId,
          startedAt: this.now().toISOString(),
        },
        result: {
          claimed: true,
          ...(decision.reclaimedFrom ? { reclaimedFrom: decision.reclaimedFrom } : {}),
        },
      };
    });
  }

  /**
   * Records how a task ended. With `workerId`, refused (TaskClaimLostError, nothing written) when
   * another worker holds the task now.
   */
  async finish(
    runId: string,
    runTaskId: string,
    status: FinishStatus,
    error: RunError | undefined,
    workerId: string | undefined,
  ): Promise<void> {
    const run = await recordToJudge(this.parts, runId);
    const task = findTask(run, runTaskId);
    const runAttempt = runAttemptOf(run);
    await this.parts.tasks.write(runId, runTaskId, (current) => {
      const merged = mergeTask(task, current, runAttempt);
      if (workerId !== undefined && merged.worker !== workerId)
        throw new TaskClaimLostError(runId, runTaskId, workerId, merged.worker);
      checkTaskTransition(run, merged, status);
      return {
        write: {
          ...(current?.runAttempt === runAttempt ? carriedState(current) : { attempt: 0 }),
          runAttempt,
          status,
          finishedAt: this.now().toISOString(),
          ...(error ? { error } : {}),
        },
        result: undefined,
      };
    });
  }
}

/** A task the close of its run marked (`runEnded`) takes no transition: the run is over. */
function refuseEnded(
  runId: string,
  runTaskId: string,
  current: StoredTask | undefined,
  runAttempt: number,
): void {
  if (current?.runEnded && current.runAttempt === runAttempt)
    throw new InvalidTransitionError(
      `task ${runTaskId} cannot start: run ${runId} is ${current.runEnded}`,
    );
}
