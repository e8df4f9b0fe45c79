/**
 * The lock of each deployment target (one RUNNING run per target). Created with If-None-Match and
 * taken over with If-Match on the lock that was read, so two runners can never both hold it.
 */
import { ExternalError } from '../errors';
import type { Logger } from '../logging';
import { PreconditionFailedError, type ObjectStore } from '../store';
import { describeTarget, type DeploymentTarget } from '../target';
import { keys } from '../bucket-layout';
import {
  cancelAdvice,
  judgeHolder,
  type HolderVerdict,
  type WorkflowRunLiveness,
} from './holder-liveness';
import { readHeartbeat } from './heartbeat';
import { workersOf } from './worker-heartbeats';
import { CONFLICT_RETRIES } from './run-records';
import { isFinished, type RunLock, type RunRecord } from './run-record';

/** A second run on a target whose lock is held by a RUNNING run (not found dead). */
export class RunBlockedError extends ExternalError {
  override readonly name = 'RunBlockedError';
  constructor(message: string, retryable = true) {
    super(message, { retryable });
  }
}

export interface TargetLocksOptions {
  /** The lease of a lock whose holder no GitHub workflow run can vouch for (see holder-liveness.ts). */
  leaseMs: number;
  now: () => Date;
  /** The RUN_ID of a run, for messages. */
  runRef: (runId: string) => string;
  /**
   * Closes a dead holder ABORTED once its lock was taken from it, recording `by` as its successor.
   * Called by the winner only.
   */
  supersede: (holder: RunRecord, by: RunRecord, reason: string) => Promise<void>;
}

export class TargetLocks {
  constructor(
    private readonly store: ObjectStore,
    private readonly logger: Logger,
    private readonly options: TargetLocksOptions,
  ) {}

  /**
   * Takes the target's lock for `record`. A lock held by a finished (or missing) run is taken over;
   * one held by a RUNNING run only when `judge` is on and that run is found dead (see
   * holder-liveness.ts): then the lock is taken with If-Match on the lock that was read (of two
   * new runs racing for it, exactly one wins) and only the winner closes the dead run ABORTED,
   * recording itself as its successor. Otherwise RunBlockedError says why the lock is kept.
   */
  async acquire(
    record: RunRecord,
    acquiredAt: string,
    options: { judge: boolean; liveness?: WorkflowRunLiveness; leaseMs: number },
  ): Promise<void> {
    const key = keys.lock(record.target);
    const lock: RunLock = {
      runId: record.runId,
      workflowRunUrl: record.workflowRunUrl,
      acquiredAt,
      ...(record.workflowRun ? { workflowRun: record.workflowRun } : {}),
      ...(options.leaseMs !== this.options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    };
    for (let attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
      try {
        await this.store.putJson(key, lock, { ifNoneMatch: '*' });
        return;
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
      }
      const current = await this.store.getJson<RunLock>(key);
      if (!current) continue; // released meanwhile: try again
      if (current.value.runId === record.runId) return; // ours: an earlier attempt's answer was lost
      // Read fresh, not from this process's copy: the holder may have been closed elsewhere.
      const holder = (await this.store.getJson<RunRecord>(keys.run(current.value.runId)))?.value;
      let verdict: HolderVerdict | undefined;
      if (holder && !isFinished(holder.status)) {
        if (options.judge) {
          // The heartbeat is read only to judge: a resumed run never takes over a RUNNING holder.
          const heartbeat = holder.executor
            ? await readHeartbeat(this.store, holder.runId)
            : undefined;
          const workers = holder.pool ? await workersOf(this.store, holder.runId) : undefined;
          verdict = await judgeHolder({
            holder,
            lock: current.value,
            ...(heartbeat ? { heartbeat } : {}),
            ...(workers ? { workers } : {}),
            ...(options.liveness ? { liveness: options.liveness } : {}),
            now: this.options.now(),
            defaultLeaseMs: this.options.leaseMs,
            holderRef: this.options.runRef(holder.runId),
          });
        }
        if (!verdict?.dead) throw this.blocked(record.target, current.value, verdict);
      }
      try {
        await this.store.putJson(key, lock, { ifMatch: current.etag });
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        continue; // another run changed the lock first: judge its holder again
      }
      if (holder && verdict) await this.options.supersede(holder, record, verdict.reason);
      return;
    }
    throw new ExternalError(
      `Could not take the lock of ${describeTarget(record.target)}: it kept changing.`,
      { retryable: true },
    );
  }

  /** Releases the target's lock if `run` holds it; a lock someone else took meanwhile stays. */
  async release(run: RunRecord): Promise<void> {
    const key = keys.lock(run.target);
    const current = await this.store.getJson<RunLock>(key);
    if (!current || current.value.runId !== run.runId) return;
    try {
      await this.store.delete(key, { ifMatch: current.etag });
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
  }

  /** The lock of a target as stored (one read), undefined when it is free. */
  async lockOf(target: DeploymentTarget): Promise<RunLock | undefined> {
    return (await this.store.getJson<RunLock>(keys.lock(target)))?.value;
  }

  /** Removes a target's lock whatever holds it (CLI `unlock`, after the person confirmed). */
  async forceUnlock(target: DeploymentTarget): Promise<RunLock | undefined> {
    const stored = await this.store.getJson<RunLock>(keys.lock(target));
    if (!stored) return undefined;
    await this.store.delete(keys.lock(target), { ifMatch: stored.etag });
    this.logger.warning(
      `Lock of ${describeTarget(target)} held by run ${stored.value.runId} was removed by hand.`,
    );
    return stored.value;
  }

  private blocked(
    target: DeploymentTarget,
    lock: RunLock,
    verdict: HolderVerdict | undefined,
  ): RunBlockedError {
    const minutes = Math.round(
      (this.options.now().getTime() - new Date(lock.acquiredAt).getTime()) / 60000,
    );
    const ref = this.options.runRef(lock.runId);
    const why = verdict ? ` It keeps the lock: ${verdict.reason}.` : '';
    const what = verdict?.hint ?? `Wait for it to finish, or ${cancelAdvice(ref)}.`;
    return new RunBlockedError(
      `Another run is deploying ${describeTarget(target)}: run ${lock.runId} (RUNNING since ${lock.acquiredAt}, ${minutes} min ago), started by ${lock.workflowRunUrl}.${why} ${what}`,
      verdict?.retryable ?? true,
    );
  }
}
