/**
 * Run records and their locks in the IaC bucket. Every write that could race is conditional: the
 * lock is created with If-None-Match and taken over with If-Match; every record update is a
 * read-modify-write with If-Match, retried on conflict. So two runners can never both hold a lock
 * or silently overwrite each other's record.
 */
import { monotonicFactory } from 'ulid';
import { ConfigurationError, ExternalError } from '../errors';
import type { Logger } from '../logging';
import { PreconditionFailedError, type ObjectStore, type StoredJson } from '../store';
import type { TaskType } from '../tasks';
import { describeTarget, type DeploymentTarget } from '../workspace';
import { keys } from './keys';
import { formatRunRef } from './run-ref';
import { checkRunFinish, checkTaskTransition, markReady } from './transitions';
import { dropClaim, RunClaimedError, takeClaim } from './executor-claim';
import { artifactDigest, readRecordedArtifact } from './artifact-integrity';
import {
  cancelAdvice,
  judgeHolder,
  type HolderVerdict,
  type WorkflowRunLiveness,
} from './holder-liveness';
import { readHeartbeat, startHeartbeat, type HeartbeatHandle } from './heartbeat';
import { SupersededRunError } from './superseded';
import {
  isFinished,
  isTaskFinished,
  type FinalRunStatus,
  type RunError,
  type RunLock,
  type RunRecord,
  type RunTask,
  type RunAttempt,
  type RunApproval,
  type RunAudit,
  type RunExecutor,
  type RunType,
  type WorkflowRunRef,
} from './run-types';

const newId = monotonicFactory();
const CONFLICT_RETRIES = 8;

/** A second run on a target whose lock is held by a RUNNING run (not found dead). */
export class RunBlockedError extends ExternalError {
  override readonly name = 'RunBlockedError';
  constructor(
    message: string,
    readonly holder: RunRecord | undefined,
    retryable = true,
  ) {
    super(message, { retryable });
  }
}

export interface CreateRunInput {
  type: RunType;
  target: DeploymentTarget;
  version: string;
  workflowRunUrl: string;
  tfstate: { bucket: string; region: string };
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

export interface CancelOutcome {
  outcome: 'not-found' | 'already-finished' | 'cancelled';
  record?: RunRecord;
  aborted: RunTask[];
}

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
  private readonly leaseMs: number;
  private readonly now: () => Date;
  /** The last queued update of each run (see update). */
  private readonly updates = new Map<string, Promise<void>>();
  /**
   * Each run's record as this process last wrote or read it, with its ETag: the next update starts
   * from it instead of reading it again (If-Match still catches a writer elsewhere).
   */
  private readonly known = new Map<string, StoredJson<RunRecord>>();

  constructor(
    private readonly store: ObjectStore,
    private readonly logger: Logger,
    private readonly options: RunStoreOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 6 * 60 * 60 * 1000;
    this.now = options.now ?? (() => new Date());
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
   * run, the record is deleted again and RunBlockedError names the holder. The record is written
   * first so that no crash can leave a lock that points at no run.
   */
  async createRun(input: CreateRunInput, options: CreateRunOptions = {}): Promise<RunRecord> {
    const at = this.now().toISOString();
    const runId = newId(this.now().getTime());
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
        runTaskId: newId(this.now().getTime()),
        taskType: t.taskType,
        pluginAppliedAlias: t.pluginAppliedAlias,
        status: 'PENDING',
      })),
      ...(input.audit ? { audit: input.audit } : {}),
    };
    const etag = await this.createRecord(runId, record);
    this.known.set(runId, { value: structuredClone(record), etag });
    const marker = keys.targetRun(record.target, runId);
    try {
      await this.store.putJson(marker, { runId, type: record.type, createdAt: at });
      await this.acquireLock(record, at, {
        judge: true,
        ...(options.liveness ? { liveness: options.liveness } : {}),
        leaseMs: options.leaseMs ?? this.leaseMs,
      });
    } catch (error) {
      await this.store.delete(marker).catch(() => undefined);
      this.known.delete(runId);
      await this.store.delete(keys.run(runId), { ifMatch: etag }).catch(() => undefined);
      throw error;
    }
    return record;
  }

  /**
   * Opens a failed run again, for a re-run of its failed job (same RUN_ID and TASK_LIST): takes the
   * target's lock again and sets the tasks that did not succeed back to PENDING (those in
   * `ready`, which the resuming step executes, READY_TO_RUN), keeping how the attempt ended in
   * `attempts`. Refused, saying why and what to do, when the run was not a failure (a cancelled
   * run stays cancelled) or when another run of the target started since.
   */
  async resumeRun(
    runId: string,
    executor?: RunExecutor,
    ready: readonly string[] = [],
  ): Promise<RunRecord> {
    const run = await this.getRun(runId);
    if (!run) throw new ExternalError(`run ${runId} does not exist in ${this.store.bucket}`);
    if (run.supersededBy) throw new SupersededRunError(run, this.runRef(run.supersededBy.runId));
    if (run.status !== 'USER_ERROR' && run.status !== 'RUNTIME_ERROR') {
      throw new ConfigurationError({
        message: `Run ${runId} ended ${run.status}${run.finishedAt ? ` at ${run.finishedAt}` : ''}${run.error ? ` (${run.error.message})` : ''}; only a run that failed can be resumed.`,
        hint:
          run.status === 'ABORTED'
            ? 'A cancelled run is never resumed: whoever cancelled it meant it to stop. Start a new run: "Re-run all jobs" in GitHub, or run the workflow again, and review its plan.'
            : 'Start a new run: "Re-run all jobs" in GitHub, or run the workflow again.',
      });
    }
    const later = await this.runsSince(run);
    if (later.length > 0) {
      throw new ConfigurationError({
        message: `Run ${runId} failed at ${run.finishedAt ?? '?'} and cannot be resumed: ${later.length} other run(s) of ${describeTarget(run.target)} started since (${later.slice(0, 3).join(', ')}). Resuming would apply what this run planned over what they did.`,
        hint: 'Start a new run: "Re-run all jobs" in GitHub, or run the workflow again, and review its plan.',
      });
    }
    const at = this.now().toISOString();
    await this.acquireLock(run, at, { judge: false, leaseMs: this.leaseMs });
    try {
      return await this.update(runId, (current) => {
        if (current.status === 'RUNNING') {
          if (current.executor) throw new RunClaimedError(current, current.executor);
          throw new ConfigurationError({
            message: `Run ${runId} was resumed by another job meanwhile.`,
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
        delete current.finishedAt;
        delete current.error;
        for (const task of current.tasks) {
          if (task.status === 'SUCCEEDED') continue;
          task.status = 'PENDING';
          delete task.startedAt;
          delete task.finishedAt;
          delete task.error;
        }
        markReady(current, ready);
        return true;
      });
    } catch (error) {
      const now = await this.getRun(runId);
      if (now && now.status !== 'RUNNING') await this.releaseLock(now);
      throw error;
    }
  }

  /** Ids of the runs of the same target created after `run`, oldest first. */
  private async runsSince(run: RunRecord): Promise<string[]> {
    const prefix = keys.targetRunsPrefix(run.target);
    return (await this.store.list(prefix))
      .map((key) => key.slice(prefix.length, -'.json'.length))
      .filter((id) => id > run.runId)
      .sort();
  }

  /**
   * Writes a new run record. Run ids are fresh, so when the write is refused because the object
   * exists, it is this very record, written by an attempt whose answer was lost (a timeout retried
   * by the store): read back and go on.
   */
  private async createRecord(runId: string, record: RunRecord): Promise<string> {
    try {
      return await this.store.putJson(keys.run(runId), record, { ifNoneMatch: '*' });
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      const stored = await this.store.getJson<RunRecord>(keys.run(runId));
      if (!stored || !sameJson(stored.value, record)) throw error;
      return stored.etag;
    }
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const stored = await this.store.getJson<RunRecord>(keys.run(runId));
    if (stored && !this.known.has(runId)) this.known.set(runId, structuredClone(stored));
    return stored?.value;
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
    return this.update(runId, (run) => {
      const claimed = takeClaim(run, executor);
      // In the same write: the tasks the step will execute are READY_TO_RUN.
      const marked = markReady(run, ready);
      return claimed || marked;
    });
  }

  /** Adds to the run's audit who approved it (or why that is not known), replacing an earlier one. */
  async recordApproval(runId: string, approval: RunApproval): Promise<RunRecord> {
    return this.update(runId, (run) => {
      run.audit = { ...run.audit, approval };
      return true;
    });
  }

  /** Gives the claim up (orchestrate-and-plan handing the run on); nothing when not held. */
  async releaseClaim(runId: string, executorId: string): Promise<RunRecord> {
    return this.update(runId, (run) => dropClaim(run, executorId));
  }

  async startTask(runId: string, runTaskId: string): Promise<RunRecord> {
    return this.updateTask(runId, runTaskId, (run, task) => {
      checkTaskTransition(run, task, 'RUNNING');
      task.status = 'RUNNING';
      task.startedAt = this.now().toISOString();
      delete task.error;
    });
  }

  async finishTask(
    runId: string,
    runTaskId: string,
    status: 'SUCCEEDED' | 'FAILED' | 'INTERNAL_ERROR' | 'ABORTED',
    error?: RunError,
  ): Promise<RunRecord> {
    return this.updateTask(runId, runTaskId, (run, task) => {
      checkTaskTransition(run, task, status);
      task.status = status;
      task.finishedAt = this.now().toISOString();
      if (error) task.error = error;
    });
  }

  /**
   * Ends a run: unfinished tasks become ABORTED, the lock is released. On a run that is already
   * finished it changes nothing and returns the record (a retried close must not fail).
   */
  async finishRun(runId: string, status: FinalRunStatus, error?: RunError): Promise<RunRecord> {
    return (await this.finish(runId, status, error)).record;
  }

  private async finish(
    runId: string,
    status: FinalRunStatus,
    error?: RunError,
    also?: (run: RunRecord) => void,
  ): Promise<{ record: RunRecord; changed: boolean }> {
    let changed = false;
    const record = await this.update(runId, (run) => {
      changed = false; // a conflict re-runs this on the fresh record
      if (isFinished(run.status)) return false;
      checkRunFinish(run, status);
      const at = this.now().toISOString();
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
    await this.releaseLock(record);
    return { record, changed };
  }

  /** Cancels a run (cancel-run): idempotent, safe under two cancels racing. */
  async cancelRun(
    runId: string,
    options: { force?: boolean; reason?: string } = {},
  ): Promise<CancelOutcome> {
    const before = await this.getRun(runId);
    if (!before) return { outcome: 'not-found', aborted: [] };
    if (isFinished(before.status)) {
      await this.releaseLock(before);
      return { outcome: 'already-finished', record: before, aborted: [] };
    }
    const running = before.tasks.filter((t) => t.status === 'RUNNING');
    if (running.length > 0 && options.force === false) {
      throw new RunBlockedError(
        `Run ${runId} has task(s) still RUNNING (${running.map((t) => `${t.taskType} ${t.pluginAppliedAlias ?? ''}`.trim()).join(', ')}); FORCE_CANCEL is false, so it was not cancelled.`,
        before,
      );
    }
    const unfinished = new Set(
      before.tasks.filter((t) => !isTaskFinished(t.status)).map((t) => t.runTaskId),
    );
    const { record, changed } = await this.finish(runId, 'ABORTED', {
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

  /** The object key an artifact of the run is stored at (the history points at rendered IaC). */
  artifactKey(runId: string, name: string): string {
    return keys.artifact(runId, name);
  }

  async putArtifact(runId: string, name: string, value: unknown): Promise<void> {
    await this.store.putJson(keys.artifact(runId, name), value);
  }

  /**
   * Stores an artifact whose digest the run record is to keep (the manifest and plugin snapshots
   * orchestrate-and-plan stores for the approved job) and returns that digest: pass the digests to
   * recordArtifacts once all are stored. getArtifact checks them when they are read back.
   */
  async putCheckedArtifact(runId: string, name: string, value: unknown): Promise<string> {
    const body = Buffer.from(JSON.stringify(value), 'utf8');
    await this.store.putBytes(keys.artifact(runId, name), body, 'application/json');
    return artifactDigest(body);
  }

  /** Records artifact digests (by artifact name) in the run record, in one write. */
  async recordArtifacts(runId: string, digests: Record<string, string>): Promise<RunRecord> {
    return this.update(runId, (run) => {
      run.artifacts = { ...run.artifacts, ...digests };
      return true;
    });
  }

  /**
   * Checks every artifact whose digest the run recorded, a few at a time, before anything is
   * applied: a changed object is refused before the first task, not halfway through the run.
   */
  async verifyRecordedArtifacts(runId: string): Promise<void> {
    const names = Object.keys((await this.getRun(runId))?.artifacts ?? {});
    const next = async (): Promise<void> => {
      for (let name = names.pop(); name !== undefined; name = names.pop())
        await this.getArtifact(runId, name);
    };
    await Promise.all(Array.from({ length: 8 }, next));
  }

  /**
   * Reads an artifact back. One whose digest the run recorded is checked against it: changed,
   * corrupt or missing, it is an ExternalError naming its key (see artifact-integrity.ts).
   */
  async getArtifact<T>(runId: string, name: string): Promise<T | undefined> {
    const key = keys.artifact(runId, name);
    const recorded =
      this.known.get(runId)?.value.artifacts ?? (await this.getRun(runId))?.artifacts;
    const expected = recorded?.[name];
    if (expected === undefined) return (await this.store.getJson<T>(key))?.value;
    return readRecordedArtifact<T>(
      { bucket: this.store.bucket, key, runId },
      await this.store.getBytes(key),
      expected,
    );
  }

  /** The object key of a raw file of the run (plan files, plan texts). */
  fileKey(runId: string, name: string): string {
    return keys.file(runId, name);
  }

  async putFile(
    runId: string,
    name: string,
    body: Uint8Array,
    contentType: string,
  ): Promise<string> {
    const key = keys.file(runId, name);
    await this.store.putBytes(key, body, contentType);
    return key;
  }

  async getFile(runId: string, name: string): Promise<Uint8Array | undefined> {
    return this.store.getBytes(keys.file(runId, name));
  }

  /** Recent runs, newest first (ULIDs sort by time). */
  async listRuns(
    filter: { workspace?: string; environment?: string; limit?: number } = {},
  ): Promise<RunRecord[]> {
    const ids = (await this.store.list(keys.runsPrefix))
      .filter((k) => k.endsWith('/record.json'))
      .map((k) => k.split('/')[1] as string)
      .sort()
      .reverse();
    const result: RunRecord[] = [];
    for (const id of ids) {
      const run = await this.getRun(id);
      if (!run) continue;
      if (filter.workspace && run.target.workspace !== filter.workspace) continue;
      if (filter.environment && run.target.environment !== filter.environment) continue;
      result.push(run);
      if (result.length >= (filter.limit ?? 20)) break;
    }
    return result;
  }

  /** The lock of a target and the run holding it, for the CLI. */
  async getLock(
    target: DeploymentTarget,
  ): Promise<{ lock: RunLock; holder?: RunRecord } | undefined> {
    const stored = await this.store.getJson<RunLock>(keys.lock(target));
    if (!stored) return undefined;
    return { lock: stored.value, holder: await this.getRun(stored.value.runId) };
  }

  /** The lock of a target as stored (one read), undefined when it is free. */
  async lockOf(target: DeploymentTarget): Promise<RunLock | undefined> {
    return (await this.store.getJson<RunLock>(keys.lock(target)))?.value;
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
    const stored = await this.store.getJson<RunLock>(keys.lock(target));
    if (!stored) return undefined;
    await this.store.delete(keys.lock(target), { ifMatch: stored.etag });
    this.logger.warning(
      `Lock of ${describeTarget(target)} held by run ${stored.value.runId} was removed by hand.`,
    );
    return stored.value;
  }

  /**
   * Takes the target's lock for `record`. A lock held by a finished (or missing) run is taken over;
   * one held by a RUNNING run only when `judge` is on and that run is found dead (see
   * holder-liveness.ts): then the lock is taken with If-Match on the lock that was read (of two
   * new runs racing for it, exactly one wins) and only the winner closes the dead run ABORTED,
   * recording itself as its successor. Otherwise RunBlockedError says why the lock is kept.
   */
  private async acquireLock(
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
      ...(options.leaseMs !== this.leaseMs ? { leaseMs: options.leaseMs } : {}),
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
          verdict = await judgeHolder({
            holder,
            lock: current.value,
            ...(heartbeat ? { heartbeat } : {}),
            ...(options.liveness ? { liveness: options.liveness } : {}),
            now: this.now(),
            defaultLeaseMs: this.leaseMs,
            holderRef: this.runRef(holder.runId),
          });
        }
        if (!verdict?.dead) throw this.blocked(record.target, current.value, holder, verdict);
      }
      try {
        await this.store.putJson(key, lock, { ifMatch: current.etag });
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        continue; // another run changed the lock first: judge its holder again
      }
      if (holder && verdict) await this.supersede(holder, record, verdict.reason);
      return;
    }
    throw new ExternalError(
      `Could not take the lock of ${describeTarget(record.target)}: it kept changing.`,
      { retryable: true },
    );
  }

  /**
   * Closes a dead holder ABORTED on behalf of `by`, which has just taken its lock: recorded as its
   * successor, so it is never applied or resumed afterwards. A failure here is a warning: the
   * lock is already `by`'s, and runtime-tasks refuses a run that does not hold its lock.
   */
  private async supersede(holder: RunRecord, by: RunRecord, reason: string): Promise<void> {
    const at = this.now().toISOString();
    try {
      const { changed } = await this.finish(
        holder.runId,
        'ABORTED',
        { kind: 'ABORTED', message: `${reason}; superseded by run ${by.runId}` },
        (run) => {
          run.supersededBy = { runId: by.runId, at, workflowRunUrl: by.workflowRunUrl, reason };
        },
      );
      this.logger.warning(
        changed
          ? `Run ${holder.runId} held the lock of ${describeTarget(holder.target)}, but ${reason}. It is now ABORTED, superseded by this run ${by.runId}, and can never be applied.`
          : `Run ${holder.runId} closed itself while this run ${by.runId} took the lock of ${describeTarget(holder.target)} from it.`,
      );
    } catch (error) {
      this.logger.warning(
        `Run ${holder.runId} held the lock of ${describeTarget(holder.target)}, but ${reason}. This run took the lock; closing ${holder.runId} failed (${(error as Error).message}). It no longer holds the lock, so runtime-tasks refuses it.`,
      );
    }
  }

  private blocked(
    target: DeploymentTarget,
    lock: RunLock,
    holder: RunRecord,
    verdict: HolderVerdict | undefined,
  ): RunBlockedError {
    const minutes = Math.round(
      (this.now().getTime() - new Date(lock.acquiredAt).getTime()) / 60000,
    );
    const ref = this.runRef(lock.runId);
    const why = verdict ? ` It keeps the lock: ${verdict.reason}.` : '';
    const what = verdict?.hint ?? `Wait for it to finish, or ${cancelAdvice(ref)}.`;
    return new RunBlockedError(
      `Another run is deploying ${describeTarget(target)}: run ${lock.runId} (RUNNING since ${lock.acquiredAt}, ${minutes} min ago), started by ${lock.workflowRunUrl}.${why} ${what}`,
      holder,
      verdict?.retryable ?? true,
    );
  }

  private async releaseLock(run: RunRecord): Promise<void> {
    const key = keys.lock(run.target);
    const current = await this.store.getJson<RunLock>(key);
    if (!current || current.value.runId !== run.runId) return;
    try {
      await this.store.delete(key, { ifMatch: current.etag });
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
  }

  private async updateTask(
    runId: string,
    runTaskId: string,
    mutate: (run: RunRecord, task: RunTask) => void,
  ): Promise<RunRecord> {
    return this.update(runId, (run) => {
      const task = run.tasks.find((t) => t.runTaskId === runTaskId);
      if (!task) throw new ExternalError(`run ${runId} has no task ${runTaskId}`);
      mutate(run, task);
      return true;
    });
  }

  /**
   * Read-modify-write with If-Match; `mutate` returns false to leave the record as it is. Updates
   * of one run from this process take turns (tasks running at once would otherwise keep
   * invalidating each other's If-Match); a writer in another process (cancel-run) is still caught
   * by If-Match and retried, after a short random pause.
   */
  private update(runId: string, mutate: (run: RunRecord) => boolean): Promise<RunRecord> {
    const previous = this.updates.get(runId) ?? Promise.resolve();
    const next = previous.then(() => this.updateNow(runId, mutate));
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.updates.set(runId, settled);
    void settled.then(() => {
      if (this.updates.get(runId) === settled) this.updates.delete(runId);
    });
    return next;
  }

  private async updateNow(runId: string, mutate: (run: RunRecord) => boolean): Promise<RunRecord> {
    const key = keys.run(runId);
    let current = this.known.get(runId);
    // A copy kept in memory may miss a write made elsewhere (cancel-run): it may start a write,
    // which If-Match then checks, but any other outcome is decided again on a fresh read.
    let fresh = false;
    for (let attempt = 0; attempt < CONFLICT_RETRIES;) {
      if (!current) {
        current = await this.store.getJson<RunRecord>(key);
        if (!current)
          throw new ExternalError(`run ${runId} does not exist in ${this.store.bucket}`);
        fresh = true;
      }
      const run = structuredClone(current.value);
      let write: boolean;
      try {
        write = mutate(run);
      } catch (error) {
        if (fresh) throw error;
        current = undefined;
        continue;
      }
      if (!write) {
        if (fresh) return run;
        current = undefined;
        continue;
      }
      run.updatedAt = this.now().toISOString();
      run.revision = newId(this.now().getTime());
      try {
        const etag = await this.store.putJson(key, run, { ifMatch: current.etag });
        this.known.set(runId, { value: structuredClone(run), etag });
        return run;
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        this.known.delete(runId);
        // Refused because the record changed: maybe by this very write, retried after a timeout.
        const now = await this.store.getJson<RunRecord>(key);
        if (now && sameJson(now.value, run)) {
          this.known.set(runId, now);
          return run;
        }
      }
      current = undefined;
      attempt++;
      await new Promise((r) => setTimeout(r, Math.random() * 50 * attempt));
    }
    throw new ExternalError(`run ${runId} kept changing while it was being updated`, {
      retryable: true,
    });
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
