/**
 * How a run starts: a new run's record and its target's lock (createRun), and a failed run opened
 * again for a re-run of its failed job (resumeRun).
 */
import { ConfigurationError } from '../errors';
import type { ObjectStore } from '../store';
import type { TaskType } from '../tasks';
import { describeTarget, type DeploymentTarget } from '../target';
import { RunClaimedError } from './executor-claim';
import type { WorkflowRunLiveness } from './holder-liveness';
import { keys } from '../bucket-layout';
import type { TargetLocks } from './run-locks';
import { missingRecord, newRunId, type RunRecords } from './run-records';
import { joinPool } from './run-pool';
import { markReady } from './transitions';
import { SupersededRunError } from './superseded';
import type { RunAttempt, RunExecutor, RunRecord, RunWorker, WorkflowRunRef } from './run-record';
import type { RunAudit, RunType } from '../audit';

export interface CreateRunInput {
  type: RunType;
  target: DeploymentTarget;
  version: string;
  workflowRunUrl: string;
  tfstate: RunRecord['tfstate'];
  /** The region Terraform plans in (see RunRecord.awsRegion). */
  awsRegion?: string;
  manifestDigest: string;
  tasks: { taskType: TaskType; pluginAppliedAlias: string | null }[];
  /** Who started the run and from which commit (see RunAudit). */
  audit?: RunAudit;
  /** The GitHub workflow run opening it (absent outside GitHub Actions). */
  workflowRun?: WorkflowRunRef;
}

export interface CreateRunOptions {
  /**
   * Asks GitHub whether the workflow run of a lock's holder ended (see holder-liveness.ts).
   * Undefined outside GitHub Actions: a holder opened by a GitHub workflow run is then never taken
   * over; one opened elsewhere still is, by its lease and heartbeat.
   */
  liveness?: WorkflowRunLiveness;
  /**
   * How long the lock is kept while no step executes the run, when no GitHub workflow run can
   * tell (outside GitHub Actions). Default: the store's leaseMs (6 hours).
   */
  leaseMs?: number;
}

/** What opening a run needs. */
export interface RunOpening {
  store: ObjectStore;
  records: RunRecords;
  locks: TargetLocks;
  now: () => Date;
  /** The default lease of a lock (see RunStoreOptions.leaseMs). */
  leaseMs: number;
  runRef: (runId: string) => string;
}

/**
 * Writes the run's record, then takes the target's lock. If the lock is held by a RUNNING run, the
 * record is deleted again and RunBlockedError names the holder. The record is written first so
 * that no crash can leave a lock that points at no run.
 */
export async function createRunRecord(
  opening: RunOpening,
  input: CreateRunInput,
  options: CreateRunOptions,
): Promise<RunRecord> {
  const now = opening.now();
  const at = now.toISOString();
  const runId = newRunId(now);
  const record: RunRecord = {
    runId,
    type: input.type,
    status: 'RUNNING',
    target: input.target,
    version: input.version,
    workflowRunUrl: input.workflowRunUrl,
    tfstate: input.tfstate,
    ...(input.awsRegion ? { awsRegion: input.awsRegion } : {}),
    manifestDigest: input.manifestDigest,
    createdAt: at,
    updatedAt: at,
    revision: runId,
    ...(input.workflowRun ? { workflowRun: input.workflowRun } : {}),
    tasks: input.tasks.map((t) => ({
      runTaskId: newRunId(opening.now()),
      taskType: t.taskType,
      pluginAppliedAlias: t.pluginAppliedAlias,
      status: 'PENDING',
    })),
    ...(input.audit ? { audit: input.audit } : {}),
  };
  const etag = await opening.records.create(record);
  const marker = keys.targetRun(record.target, runId);
  try {
    await opening.store.putJson(marker, { runId, type: record.type, createdAt: at });
    await opening.locks.acquire(record, at, {
      judge: true,
      ...(options.liveness ? { liveness: options.liveness } : {}),
      leaseMs: options.leaseMs ?? opening.leaseMs,
    });
  } catch (error) {
    await opening.store.delete(marker).catch(() => undefined);
    await opening.records.remove(runId, etag);
    throw error;
  }
  return record;
}

/**
 * Opens a failed run again (same RUN_ID and TASK_LIST): takes the target's lock again and sets the
 * tasks that did not succeed back to PENDING (those in `ready`, which the resuming step executes,
 * READY_TO_RUN), keeping how the attempt ended in `attempts`. Refused,
 * saying why and what to do, when the run was not a failure (a cancelled run stays cancelled) or
 * when another run of the target started since. The earlier attempt's executor claim or pool is
 * dropped: whoever executes the new attempt (`executor`, or the `pool` worker joining it in the
 * same write) is the one judged alive. A pool's worker finding the run reopened meanwhile by
 * another worker of the pool joins it instead.
 */
export async function resumeRunRecord(
  opening: RunOpening,
  runId: string,
  executor?: RunExecutor,
  ready: readonly string[] = [],
  pool?: { worker: RunWorker; size: number },
): Promise<RunRecord> {
  const run = await opening.records.get(runId);
  if (!run) throw missingRecord(opening.store.bucket, runId);
  if (run.supersededBy) throw new SupersededRunError(run, opening.runRef(run.supersededBy.runId));
  const reopenedByPeer = (r: RunRecord) => r.status === 'RUNNING' && r.pool !== undefined;
  // Resumed meanwhile by a single step: that step executes it.
  if (pool && run.status === 'RUNNING' && run.executor)
    throw new RunClaimedError(run, run.executor);
  if (pool && reopenedByPeer(run)) {
    const at = opening.now().toISOString();
    return opening.records.update(runId, (current) =>
      joinPool(current, pool.worker, pool.size, ready, at),
    );
  }
  if (run.status !== 'USER_ERROR' && run.status !== 'RUNTIME_ERROR') {
    throw new ConfigurationError({
      message: `Run ${runId} ended ${run.status}${run.finishedAt ? ` at ${run.finishedAt}` : ''}${run.error ? ` (${run.error.message})` : ''}; only a run that failed can be resumed.`,
      hint:
        run.status === 'ABORTED'
          ? 'A cancelled run is never resumed: whoever cancelled it meant it to stop. Start a new run: "Re-run all jobs" in GitHub, or run the workflow again, and review its plan.'
          : 'Start a new run: "Re-run all jobs" in GitHub, or run the workflow again.',
    });
  }
  const later = await runsSince(opening.store, run);
  if (later.length > 0) {
    throw new ConfigurationError({
      message: `Run ${runId} failed at ${run.finishedAt ?? '?'} and cannot be resumed: ${later.length} other run(s) of ${describeTarget(run.target)} started since (${later.slice(0, 3).join(', ')}). Resuming would apply what this run planned over what they did.`,
      hint: 'Start a new run: "Re-run all jobs" in GitHub, or run the workflow again, and review its plan.',
    });
  }
  const at = opening.now().toISOString();
  await opening.locks.acquire(run, at, { judge: false, leaseMs: opening.leaseMs });
  try {
    return await opening.records.update(runId, (current) => {
      if (pool && reopenedByPeer(current))
        return joinPool(current, pool.worker, pool.size, ready, at);
      reopen(current, at, executor, ready);
      if (pool) joinPool(current, pool.worker, pool.size, ready, at);
      return true;
    });
  } catch (error) {
    const now = await opening.records.get(runId);
    if (now && now.status !== 'RUNNING') await opening.locks.release(now);
    throw error;
  }
}

/** Sets a failed run RUNNING again, keeping how the attempt ended; refused when it runs already. */
function reopen(
  current: RunRecord,
  at: string,
  executor: RunExecutor | undefined,
  ready: readonly string[],
): boolean {
  if (current.status === 'RUNNING') {
    if (current.executor) throw new RunClaimedError(current, current.executor);
    throw new ConfigurationError({
      message: `Run ${current.runId} was resumed by another job meanwhile.`,
      hint: 'Let that job finish; cancel-run stops it.',
    });
  }
  const attempt: RunAttempt = {
    status: current.status,
    resumedAt: at,
    ...(current.finishedAt ? { finishedAt: current.finishedAt } : {}),
    ...(current.error ? { error: current.error } : {}),
    tasks: current.tasks
      .filter((t) => t.status !== 'SUCCEEDED')
      .map((t) => ({
        runTaskId: t.runTaskId,
        status: t.status,
        ...(t.error ? { error: t.error } : {}),
      })),
  };
  current.attempts = [...(current.attempts ?? []), attempt];
  current.status = 'RUNNING';
  // The job that reopens the run executes it: claimed in the very write that reopens it.
  if (executor) current.executor = executor;
  else delete current.executor;
  // The earlier attempt's workers are gone: a pool joining now records itself anew.
  delete current.pool;
  delete current.finishedAt;
  delete current.error;
  for (const task of current.tasks) {
    if (task.status === 'SUCCEEDED') continue;
    task.status = 'PENDING';
    delete task.startedAt;
    delete task.finishedAt;
    delete task.error;
    delete task.worker;
    delete task.attempt;
  }
  markReady(current, ready);
  return true;
}

/** Ids of the runs of the same target created after `run`, oldest first. */
async function runsSince(store: ObjectStore, run: RunRecord): Promise<string[]> {
  const prefix = keys.targetRunsPrefix(run.target);
  return (await store.list(prefix))
    .map((key) => key.slice(prefix.length, -'.json'.length))
    .filter((id) => id > run.runId)
    .sort();
}
