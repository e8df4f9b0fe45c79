/** Run records: one deployment operation on one target, and its tasks (CONTRACT.md §4). */
import type { TaskStatus, TaskType } from '../tasks';
import type { DeploymentTarget } from '../workspace';

export const RUN_TYPES = ['DEPLOY', 'ROLLBACK', 'DESTROY'] as const;
export type RunType = (typeof RUN_TYPES)[number];

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
}

export interface RunRecord {
  runId: string;
  type: RunType;
  status: RunStatus;
  target: DeploymentTarget;
  version: string;
  /** The GitHub workflow run that opened it. */
  workflowRunUrl: string;
  tfstate: { bucket: string; region: string };
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
   * SHA-256 of the exact bytes of the objects orchestrate-and-plan stored with the run (the
   * manifest, the plugin snapshots), by artifact name: checked when they are read back.
   */
  artifacts?: Record<string, string>;
}

/** Who holds a run's executor claim. */
export interface RunExecutor {
  /** Fresh per step: the holder recognises its own claim by it. */
  id: string;
  /** The GitHub workflow run, job and attempt of the step, for the message another step gets. */
  description: string;
  claimedAt: string;
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
