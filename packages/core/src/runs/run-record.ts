/** Run records: one deployment operation on one target, and its tasks (docs/formats.md#the-run-record). */
import type { RunAudit, RunType } from '../audit';
import type { TaskStatus, TaskType } from '../tasks';
import type { DeploymentTarget } from '../target';

export const RUN_STATUSES = [
  'RUNNING',
  'SUCCEEDED',
  'USER_ERROR',
  'RUNTIME_ERROR',
  'ABORTED',
  'SKIPPED',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type FinalRunStatus = Exclude<RunStatus, 'RUNNING'>;

export interface RunError {
  kind: string;
  message: string;
}

export interface RunTask {
  runTaskId: string;
  taskType: TaskType;
  pluginAppliedAlias: string | null;
  status: TaskStatus;
  startedAt?: string;
  finishedAt?: string;
  error?: RunError;
  /** The pool worker (RunWorker.id) that ran it last; absent when a single step executes the run. */
  worker?: string;
  /** How many times it was claimed in this attempt of the run (a re-claim after a lost worker adds one). */
  attempt?: number;
}

/**
 * A state backend as the run record keeps it, a tagged value: `kind` names the backend
 * (state-backends/ opens it), the other fields are its settings (S3: `bucket`, `region`). Records
 * written before backends had a kind hold S3's `{ bucket, region }` alone.
 */
export type StoredStateBackend = { kind?: string } & Record<string, string | undefined>;

export interface RunRecord {
  runId: string;
  type: RunType;
  status: RunStatus;
  target: DeploymentTarget;
  version: string;
  /** The GitHub workflow run that opened it. */
  workflowRunUrl: string;
  /** Where the run's Terraform states live (see StoredStateBackend). */
  tfstate: StoredStateBackend;
  /**
   * The AWS region Terraform and its providers planned in (orchestrate-and-plan's AWS_REGION):
   * runtime-tasks applies there and refuses another. Absent in runs recorded before it existed.
   */
  awsRegion?: string;
  manifestDigest: string;
  createdAt: string;
  updatedAt: string;
  /**
   * A fresh id per write: a writer whose answer was lost recognises its own write by it (two
   * writers can otherwise produce the very same record).
   */
  revision?: string;
  finishedAt?: string;
  error?: RunError;
  tasks: RunTask[];
  /** Earlier endings of a run that was resumed (a re-run of its failed job), oldest first. */
  attempts?: RunAttempt[];
  /**
   * The step executing the run's tasks while it is RUNNING (see executor-claim.ts): taken with a
   * conditional write, so a second runtime-tasks on the same run is refused instead of racing.
   */
  executor?: RunExecutor;
  /**
   * Set when a pool of workers executes the run (runtime-tasks with WORKERS > 1, see
   * task-claims.ts): its size and when the first worker joined. Exclusive with `executor`.
   */
  pool?: { size: number; since: string };
  /**
   * SHA-256 of the exact bytes of the objects orchestrate-and-plan stored with the run (the
   * manifest, the plugin snapshots), by artifact name: checked when they are read back.
   */
  artifacts?: Record<string, string>;
  /**
   * The GitHub Actions workflow run (and attempt) that opened the run, as its runner said it;
   * absent for a run opened outside GitHub Actions. A later run asks GitHub whether it ended (see
   * holder-liveness.ts).
   */
  workflowRun?: WorkflowRunRef;
  /**
   * Set when a later run found this one dead (its workflow run ended, or its lease ran out) and
   * closed it ABORTED to take the lock: such a run is never applied or resumed.
   */
  supersededBy?: RunSupersession;
  /**
   * Who started the run, from which commit, and who approved it (see RunAudit): written when the
   * run is opened, the approval added by runtime-tasks. Absent in records written before.
   */
  audit?: RunAudit;
}

/** A GitHub Actions workflow run attempt, as the runner's GITHUB_* variables name it. */
export interface WorkflowRunRef {
  /** owner/name (GITHUB_REPOSITORY). */
  repository: string;
  /** GITHUB_RUN_ID. */
  runId: string;
  /** GITHUB_RUN_ATTEMPT: a re-run of the same workflow run is a new attempt. */
  attempt: number;
  /** GITHUB_API_URL: the API that can say whether the attempt ended (GitHub Enterprise has its own). */
  apiUrl: string;
  /** The attempt's page, for messages. */
  url: string;
}

/** Which run closed a dead one to take its lock, when, and why it was found dead. */
export interface RunSupersession {
  runId: string;
  at: string;
  /** The workflow run (or `unknown ...`) that opened the superseding run. */
  workflowRunUrl: string;
  reason: string;
}

/** Who holds a run's executor claim. */
export interface RunExecutor {
  /** Fresh per step: the holder recognises its own claim by it. */
  id: string;
  /** The GitHub workflow run, job and attempt of the step, for the message another step gets. */
  description: string;
  claimedAt: string;
  /** The workflow run attempt of the step (under GitHub Actions): alive as long as it runs. */
  workflowRun?: WorkflowRunRef;
}

/** A worker of a pool executing one run (runtime-tasks with WORKERS > 1). */
export interface RunWorker {
  /** Fresh per step (a ULID): the worker recognises its own claims by it. */
  id: string;
  /** The GitHub workflow run, job and attempt of the step (as RunExecutor.description). */
  description: string;
  /** The workflow run attempt of the step (under GitHub Actions). */
  workflowRun?: WorkflowRunRef;
  joinedAt: string;
  /** os.hostname() of the worker, for messages and the diagnosis of a leftover lock. */
  host?: string;
}

/** A worker of a run with its last heartbeat (see worker-heartbeats.ts). */
export interface RunWorkerState {
  worker: RunWorker;
  /** Its last heartbeat (the join before the first one), by its own clock. */
  at: string;
  /** After how long without a heartbeat it counts as gone. */
  silenceMs: number;
  /** When it left the run (its work done, whatever the reason); absent while it is in. */
  leftAt?: string;
}

/** How an attempt of a resumed run ended, and the tasks that did not succeed then. */
export interface RunAttempt {
  status: FinalRunStatus;
  finishedAt?: string;
  error?: RunError;
  resumedAt: string;
  tasks: Pick<RunTask, 'runTaskId' | 'status' | 'error'>[];
}

/** The lock object of a target: which run holds it, since when. */
export interface RunLock {
  runId: string;
  workflowRunUrl: string;
  acquiredAt: string;
  /** The GitHub workflow run that opened the holder (absent outside GitHub Actions). */
  workflowRun?: WorkflowRunRef;
  /**
   * Outside GitHub Actions: how long the holder keeps the lock while no step executes it (waiting
   * for approval), from acquiredAt. Absent: the store's default (6 hours).
   */
  leaseMs?: number;
}

export function isFinished(status: RunStatus): boolean {
  return status !== 'RUNNING';
}

export function isTaskFinished(status: TaskStatus): boolean {
  return (
    status === 'SUCCEEDED' ||
    status === 'FAILED' ||
    status === 'INTERNAL_ERROR' ||
    status === 'ABORTED'
  );
}
