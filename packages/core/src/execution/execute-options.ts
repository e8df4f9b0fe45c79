/** What executing a run's tasks takes and gives back (see execute-run-tasks.ts). */
import type { BucketStores } from '../deployment/bucket-stores';
import type { TerraformProjectsOptions } from '../deployment/terraform-projects';
import type { PolicyCheck } from '../deployment/plan-policy';
import type { RunApproval } from '../audit';
import type { PolicyOptions } from '../policy';
import type { RunAttempt, RunRecord, RunTask, RunWorkerState, WorkflowRunRef } from '../runs';
import type { TaskNode } from '../schedule';
import type { ApplyTask } from '../tasks';
import type { TaskResult, TaskTable } from '../task-handlers';
import type { UndefinedReference } from '../templates';

/** What task execution reads and writes in the IaC bucket (see openBucketStores). */
export type ExecuteDependencies = Omit<BucketStores, 'connectionTypes'>;

/** The Terraform side (workDir, terraform, guardrails, checkout, stateAccess...) is TerraformProjectsOptions'. */
export interface ExecuteOptions extends TerraformProjectsOptions {
  runId: string;
  tasks: readonly ApplyTask[];
  /** Where `<alias>_<outputFileSuffix>` files are written (the checkout). */
  outputDir: string;
  outputFileSuffix: string;
  /** How often the run record is read to notice a cancel-run from another job (default 1 s). */
  watchIntervalMs?: number;
  /**
   * Who this step is (workflow run, job, attempt), written into the run's executor claim: a second
   * step on the same run is refused naming it (see runs/executor-claim.ts).
   */
  executor?: string;
  /** The step's GitHub workflow run attempt, recorded in its claim (see runs/holder-liveness.ts). */
  workflowRun?: WorkflowRunRef;
  /** The repository this step runs in (GITHUB_REPOSITORY): another repository's run is refused. */
  repository?: string;
  /**
   * How many tasks may run at once (TASK_PARALLELISM); default 1, the list's order task by task.
   * Above 1 a task starts as soon as what it waits for has succeeded (see schedule/).
   */
  parallelism?: number;
  /** With parallelism: how often a progress line per running task is printed (default 15 s). */
  progressMs?: number;
  /** FEATURES_TEMPLATE_STRICT: an undefined template name is an error instead of a warning. */
  templateStrict?: boolean;
  /**
   * The step's own masker (the actions: every secret the step registered): each task's log is
   * stored with the run (runs/<ulid>/logs/) masked by it as well as by the secrets met here.
   */
  maskLog?: (text: string) => string;
  /** Who approved the run (runtime-tasks reads it from GitHub): recorded in the run's audit. */
  approval?: RunApproval;
  /** The task types and their handlers; default TASK_TABLE (tests pass a table of their own). */
  taskTable?: TaskTable;
  /**
   * POLICY_COMMAND: run on every plan the tasks make (see deployment/plan-policy.ts); a refused
   * plan fails its task. Absent: no policy.
   */
  policy?: PolicyOptions;
  /**
   * WORKERS > 1: this step is one worker of a pool of `workers` executing the run together (see
   * pool-run.ts); absent (or 1): it executes the run alone, as it always did.
   */
  pool?: PoolOptions;
}

/** One worker of a pool (runtime-tasks WORKERS and WORKER_LEASE_SECONDS). */
export interface PoolOptions {
  /** How many workers the pool has (the matrix's size), above 1. */
  workers: number;
  /** How long a worker may be silent before its tasks are claimed again (ms). */
  leaseMs: number;
  /** os.hostname() by default: written into the worker's record for a leftover lock's diagnosis. */
  host?: string;
  /** Called once the worker joined the run (the action keeps the id for its post step). */
  onJoined?: (workerId: string) => void;
}

/** What a pool's worker adds to its result. */
export interface PoolWorkerResult {
  workerId: string;
  /** Every worker that joined the run, as read when this one left. */
  workers: RunWorkerState[];
  /** No worker was still in when this one left: it writes the run's summary. */
  lastToLeave: boolean;
  /** This worker closed the run SUCCEEDED (recorded the outcome). */
  closedHere: boolean;
  /** Claims this worker lost to another (the task was taken meanwhile). */
  claimConflicts: number;
  /** Tasks this worker took over from a worker gone silent. */
  reclaimed: number;
}

export interface TaskReport extends TaskResult {
  task: RunTask;
  durationMs: number;
}

export interface ExecuteResult {
  run: RunRecord;
  reports: TaskReport[];
  /** The error that stopped the run, when one did. */
  error?: unknown;
  /** How the run had ended before this job resumed it (a re-run of a failed job). */
  resumed?: RunAttempt;
  /** Which task waited for which (for the timeline). */
  graph?: TaskNode[];
  /** Undefined names the rendered templates used (lenient mode), once per file, line and name. */
  templateWarnings?: UndefinedReference[];
  /** With a policy: its verdict on each plan the tasks made, refused ones too. */
  policyChecks?: PolicyCheck[];
  /** When this step was a pool's worker: who it was, who else, and whether it left last. */
  pool?: PoolWorkerResult;
}
