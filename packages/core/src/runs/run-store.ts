/**
 * Run records and their locks in the IaC bucket. Every write that could race is conditional: the
 * lock is created with If-None-Match and taken over with If-Match; every record update is a
 * read-modify-write with If-Match, retried on conflict. So two runners can never both hold a lock
 * or silently overwrite each other's record.
 *
 * The parts: run-records.ts (reads and conditional updates), run-locks.ts (the target's lock),
 * run-open.ts (create, resume), run-finish.ts (finish, cancel, supersede), run-artifacts.ts (what a
 * run stores besides its record). RunStore is the one object the rest of the engine uses.
 */
import type { StoredObjectRef } from '../errors';
import type { Logger } from '../logging';
import type { ObjectStore } from '../store';
import type { DeploymentTarget } from '../target';
import { keys } from '../bucket-layout';
import { formatRunRef } from './run-ref';
import { markReady } from './transitions';
import { dropClaim, takeClaim } from './executor-claim';
import { startHeartbeat, type HeartbeatHandle } from './heartbeat';
import { joinPool } from './run-pool';
import type { TaskClaim } from './task-claims';
import { mergeRun, TaskObjects } from './task-objects';
import { TaskTransitions, type FinishStatus } from './task-transitions';
import { lastSeenRun, readRun, type RunParts } from './run-view';
import {
  isGone,
  leaveWorker,
  registerWorker,
  startWorkerHeartbeat,
  workersOf,
} from './worker-heartbeats';
import { RunArtifacts } from './run-artifacts';
import {
  cancelRecord,
  finishRecord,
  supersedeRecord,
  type CancelOutcome,
  type RunEnding,
} from './run-finish';
import { TargetLocks } from './run-locks';
import {
  createRunRecord,
  resumeRunRecord,
  type CreateRunInput,
  type CreateRunOptions,
  type RunOpening,
} from './run-open';
import { missingRecord, RunRecords } from './run-records';
import type {
  FinalRunStatus,
  RunError,
  RunExecutor,
  RunLock,
  RunRecord,
  RunWorker,
  RunWorkerState,
} from './run-record';
import { isFinished } from './run-record';
import type { RunApproval } from '../audit';

export interface RunStoreOptions {
  /**
   * How long a run opened outside GitHub Actions keeps its lock while no step executes it before
   * a new run may take it over. Default 6 hours.
   */
  leaseMs?: number;
  /** Heartbeat interval and silence of the steps executing runs (see heartbeat.ts), for tests. */
  heartbeat?: { intervalMs?: number; silenceMs?: number };
  now?: () => Date;
  /** The IaC bucket's region, for the RUN_IDs shown in messages. */
  region?: string;
}

export class RunStore {
  private readonly now: () => Date;
  private readonly records: RunRecords;
  private readonly parts: RunParts;
  private readonly transitions: TaskTransitions;
  private readonly locks: TargetLocks;
  private readonly artifacts: RunArtifacts;
  private readonly opening: RunOpening;
  private readonly ending: RunEnding;

  constructor(
    private readonly store: ObjectStore,
    private readonly logger: Logger,
    private readonly options: RunStoreOptions = {},
  ) {
    const leaseMs = options.leaseMs ?? 6 * 60 * 60 * 1000;
    const now = options.now ?? (() => new Date());
    const runRef = (runId: string): string => this.runRef(runId);
    this.now = now;
    this.records = new RunRecords(store, now);
    this.parts = { records: this.records, tasks: new TaskObjects(store, now) };
    this.transitions = new TaskTransitions(this.parts, store, now);
    this.locks = new TargetLocks(store, logger, {
      leaseMs,
      now,
      runRef,
      supersede: (holder, by, reason) => supersedeRecord(this.ending, holder, by, reason),
    });
    this.artifacts = new RunArtifacts(store, this.records);
    this.opening = { store, records: this.records, locks: this.locks, now, leaseMs, runRef };
    this.ending = { ...this.parts, locks: this.locks, logger, now };
  }

  /** The RUN_ID of a run of this store. */
  runRef(runId: string): string {
    return formatRunRef({
      runId,
      bucket: this.store.bucket,
      region: this.options.region ?? 'us-east-1',
    });
  }

  /**
   * Opens a run: writes its record, then takes the target's lock. If the lock is held by a RUNNING
   * run, the record is deleted again and RunBlockedError names the holder (see run-open.ts).
   */
  async createRun(input: CreateRunInput, options: CreateRunOptions = {}): Promise<RunRecord> {
    return createRunRecord(this.opening, input, options);
  }

  /**
   * Opens a failed run again, for a re-run of its failed job (same RUN_ID and TASK_LIST); refused
   * when the run was not a failure or another run of the target started since (see run-open.ts).
   * The tasks in `ready` (those the step executes) become READY_TO_RUN in the same write.
   */
  async resumeRun(
    runId: string,
    executor?: RunExecutor,
    ready: readonly string[] = [],
  ): Promise<RunRecord> {
    return this.current(await resumeRunRecord(this.opening, runId, executor, ready));
  }

  /**
   * Opens a failed run again for a worker of a pool of `pool` (a re-run of the failed jobs of a
   * matrix): reopened and joined in one conditional write, the earlier attempt's pool dropped; a
   * worker finding it reopened meanwhile by another worker of the pool joins it. Registers the
   * worker as joinRun does. The same refusals as resumeRun and joinRun.
   */
  async resumeRunAsWorker(
    runId: string,
    worker: RunWorker,
    pool: number,
    ready: readonly string[],
  ): Promise<RunRecord> {
    const record = await resumeRunRecord(this.opening, runId, undefined, ready, {
      worker,
      size: pool,
    });
    await registerWorker(this.store, runId, worker, {
      now: this.now,
      ...(this.options.heartbeat?.silenceMs ? { silenceMs: this.options.heartbeat.silenceMs } : {}),
    });
    return this.current(record);
  }

  /**
   * The run with its tasks' current state (see run-view.ts): a finished run in one GET, a RUNNING
   * one in one GET, one LIST and a GET of each task object that changed since this process last
   * read it. Undefined when the run has no record.
   */
  async getRun(runId: string): Promise<RunRecord | undefined> {
    return readRun(this.parts, runId);
  }

  /**
   * The run record alone as stored, in one GET (the watch's read every second): its status,
   * executor claim and pool are current, its tasks' statuses only as of the run's last open or
   * close (getRun has them current).
   */
  async getRecord(runId: string): Promise<RunRecord | undefined> {
    return this.records.get(runId);
  }

  /**
   * Takes the executor claim of a RUNNING run for this step (see executor-claim.ts) and, in the
   * same write, sets the tasks `ready` (those the step will execute) READY_TO_RUN: throws
   * RunClaimedError, having written nothing, when another step holds it.
   */
  async claimRun(
    runId: string,
    executor: RunExecutor,
    ready: readonly string[] = [],
  ): Promise<RunRecord> {
    return this.current(
      await this.records.update(runId, (run) => {
        const claimed = takeClaim(run, executor);
        const marked = markReady(run, ready);
        return claimed || marked;
      }),
    );
  }

  /**
   * Joins `worker` to the pool of `pool` workers executing the run (runtime-tasks with WORKERS > 1,
   * see run-pool.ts): the first joiner records the pool and sets the tasks `ready` READY_TO_RUN.
   * Refused (ConfigurationError, nothing changed) when the run is not RUNNING, a single step holds
   * its executor claim, or its pool has another size. Registers the worker (worker-heartbeats.ts);
   * idempotent for the same worker id.
   */
  async joinRun(
    runId: string,
    worker: RunWorker,
    pool: number,
    ready: readonly string[],
  ): Promise<RunRecord> {
    const at = this.now().toISOString();
    const record = await this.records.update(runId, (run) =>
      joinPool(run, worker, pool, ready, at),
    );
    await registerWorker(this.store, runId, worker, {
      now: this.now,
      ...(this.options.heartbeat?.silenceMs ? { silenceMs: this.options.heartbeat.silenceMs } : {}),
    });
    return this.current(record);
  }

  /**
   * Claims a task for a worker of the pool (see task-claims.ts) and sets it RUNNING in the same
   * conditional write: of workers claiming it at once exactly one wins. A task RUNNING under a worker
   * that left or whose heartbeat is silent for longer than `leaseMs` (default: that worker's own
   * silence, 5 min) is claimed again; `reclaimedFrom` names that worker.
   */
  async claimTask(
    runId: string,
    runTaskId: string,
    workerId: string,
    options: { leaseMs?: number } = {},
  ): Promise<TaskClaim> {
    return this.transitions.claim(runId, runTaskId, workerId, options.leaseMs);
  }

  /** Starts the heartbeat of a pool's worker (see worker-heartbeats.ts) until stopped. */
  startWorkerHeartbeat(runId: string, workerId: string): HeartbeatHandle {
    return startWorkerHeartbeat(this.store, runId, workerId, this.logger, {
      ...this.options.heartbeat,
      now: this.now,
    });
  }

  /**
   * The worker is done with the run (whatever the reason): marked as left. `remaining` counts the
   * workers still in: joined, not left, and not silent for longer than their heartbeat allows.
   */
  async leaveRun(runId: string, workerId: string): Promise<{ remaining: number }> {
    await leaveWorker(this.store, runId, workerId, this.now);
    const now = this.now();
    const workers = await workersOf(this.store, runId);
    return { remaining: workers.filter((w) => !isGone(w, now)).length };
  }

  /** Each worker that joined the run, with its last heartbeat, left or not (oldest first). */
  async workersOf(runId: string): Promise<RunWorkerState[]> {
    return workersOf(this.store, runId);
  }

  /** Adds to the run's audit who approved it (or why that is not known), replacing an earlier one. */
  async recordApproval(runId: string, approval: RunApproval): Promise<RunRecord> {
    return this.current(
      await this.records.update(runId, (run) => {
        run.audit = { ...run.audit, approval };
        return true;
      }),
    );
  }

  /** Gives the claim up (orchestrate-and-plan handing the run on); nothing when not held. */
  async releaseClaim(runId: string, executorId: string): Promise<RunRecord> {
    return this.current(await this.records.update(runId, (run) => dropClaim(run, executorId)));
  }

  /** The single step executing the run starts a task (one write of the task's object). */
  async startTask(runId: string, runTaskId: string): Promise<RunRecord> {
    await this.transitions.start(runId, runTaskId);
    return this.seen(runId);
  }

  /**
   * Records how a task ended (one write of the task's object). With `workerId` (a pool's worker):
   * refused with TaskClaimLostError, recording nothing, when the task is no longer claimed by that
   * worker (re-claimed after its heartbeat was silent for longer than the lease).
   */
  async finishTask(
    runId: string,
    runTaskId: string,
    status: FinishStatus,
    error?: RunError,
    options: { workerId?: string } = {},
  ): Promise<RunRecord> {
    await this.transitions.finish(runId, runTaskId, status, error, options.workerId);
    return this.seen(runId);
  }

  /**
   * Ends a run: unfinished tasks become ABORTED, the lock is released. On a run that is already
   * finished it changes nothing and returns the record (a retried close must not fail).
   */
  async finishRun(runId: string, status: FinalRunStatus, error?: RunError): Promise<RunRecord> {
    return (await finishRecord(this.ending, runId, status, error)).record; // folded: current
  }

  /** Cancels a run (cancel-run): idempotent, safe under two cancels racing. */
  async cancelRun(
    runId: string,
    options: { force?: boolean; reason?: string } = {},
  ): Promise<CancelOutcome> {
    return cancelRecord(this.ending, runId, options);
  }

  /** The object key an artifact of the run is stored at (the history points at rendered IaC). */
  artifactKey(runId: string, name: string): string {
    return keys.artifact(runId, name);
  }

  /** Bucket and key of an artifact of the run, for messages about it. */
  artifactObject(runId: string, name: string): StoredObjectRef {
    return this.artifacts.artifactObject(runId, name);
  }

  async putArtifact(runId: string, name: string, value: unknown): Promise<void> {
    await this.artifacts.putArtifact(runId, name, value);
  }

  /**
   * Stores an artifact whose digest the run record is to keep (the manifest and plugin snapshots
   * orchestrate-and-plan stores for the approved job) and returns that digest: pass the digests to
   * recordArtifacts once all are stored. getArtifact checks them when they are read back.
   */
  async putCheckedArtifact(runId: string, name: string, value: unknown): Promise<string> {
    return this.artifacts.putCheckedArtifact(runId, name, value);
  }

  /** Records artifact digests (by artifact name) in the run record, in one write. */
  async recordArtifacts(runId: string, digests: Record<string, string>): Promise<RunRecord> {
    return this.current(
      await this.records.update(runId, (run) => {
        run.artifacts = { ...run.artifacts, ...digests };
        return true;
      }),
    );
  }

  /**
   * Checks every artifact whose digest the run recorded, before anything is applied: a changed
   * object is refused before the first task, not halfway through the run.
   */
  async verifyRecordedArtifacts(runId: string): Promise<void> {
    await this.artifacts.verifyRecorded(runId);
  }

  /**
   * Reads an artifact back (undefined when missing). One whose digest the run recorded is checked:
   * changed, corrupt or missing, it is a StoredObjectError naming its key.
   */
  async getArtifact<T>(runId: string, name: string): Promise<T | undefined> {
    return this.artifacts.get<T>(runId, name);
  }

  /**
   * Reads an artifact the run must have stored. Missing, it is a StoredObjectError naming its key,
   * saying `missing` (continuing "s3://bucket/key ...") and to start a new run.
   */
  async requireArtifact<T>(runId: string, name: string, missing: string): Promise<T> {
    return this.artifacts.require<T>(runId, name, missing);
  }

  async putFile(
    runId: string,
    name: string,
    body: Uint8Array,
    contentType: string,
  ): Promise<string> {
    return this.artifacts.putFile(runId, name, body, contentType);
  }

  async getFile(runId: string, name: string): Promise<Uint8Array | undefined> {
    return this.artifacts.getFile(runId, name);
  }

  /** Recent runs, newest first (ULIDs sort by time). */
  async listRuns(
    filter: { workspace?: string; environment?: string; limit?: number } = {},
  ): Promise<RunRecord[]> {
    return this.records.recent(filter);
  }

  /** The lock of a target and the run holding it, for the CLI. */
  async getLock(
    target: DeploymentTarget,
  ): Promise<{ lock: RunLock; holder?: RunRecord } | undefined> {
    const lock = await this.locks.lockOf(target);
    if (!lock) return undefined;
    return { lock, holder: await this.getRun(lock.runId) };
  }

  /** The lock of a target as stored (one read), undefined when it is free. */
  async lockOf(target: DeploymentTarget): Promise<RunLock | undefined> {
    return this.locks.lockOf(target);
  }

  /**
   * Starts the heartbeat of the step holding `executorId`'s claim on run `runId` (see
   * heartbeat.ts): written now and every 30 s until stopped.
   */
  startHeartbeat(runId: string, executorId: string): HeartbeatHandle {
    return startHeartbeat(this.store, runId, executorId, this.logger, {
      ...this.options.heartbeat,
      now: this.now,
    });
  }

  /** Removes a target's lock whatever holds it (CLI `unlock`, after the person confirmed). */
  async forceUnlock(target: DeploymentTarget): Promise<RunLock | undefined> {
    return this.locks.forceUnlock(target);
  }

  /**
   * A record just written or read, with its tasks' current state: a RUNNING run's task objects
   * read (a LIST and the GETs of those that changed), a finished one's record as it is.
   */
  private async current(record: RunRecord): Promise<RunRecord> {
    if (isFinished(record.status)) return record;
    return mergeRun(record, await this.parts.tasks.readAll(record.runId));
  }

  /** The run as this process knows it after its own write (no request when it knows it). */
  private async seen(runId: string): Promise<RunRecord> {
    const known = lastSeenRun(this.parts, runId) ?? (await readRun(this.parts, runId));
    if (!known) throw missingRecord(this.store.bucket, runId);
    return known;
  }
}
