/** What executing a run's tasks takes and gives back (see execute-run-tasks.ts). */
import type { BucketStores } from '../deployment/bucket-stores';
import type { TerraformResolver } from '../deployment/terraform-versions';
import type { GuardrailOptions } from '../guardrails';
import type { RunApproval } from '../audit';
import type { StateBackendAccess } from '../state-backends';
import type { RunAttempt, RunRecord, RunTask, WorkflowRunRef } from '../runs';
import type { TaskNode } from '../schedule';
import type { ApplyTask } from '../tasks';
import type { TaskResult, TaskTable } from '../task-handlers';
import type { UndefinedReference } from '../templates';
import type { TerraformOptions } from '../terraform';

/** What task execution reads and writes in the IaC bucket (see openBucketStores). */
export type ExecuteDependencies = Omit<BucketStores, 'connectionTypes'>;

export interface ExecuteOptions {
  runId: string;
  tasks: readonly ApplyTask[];
  /** A private scratch folder (RUNNER_TEMP/...). */
  workDir: string;
  /** Where `<alias>_<outputFileSuffix>` files are written (the checkout). */
  outputDir: string;
  outputFileSuffix: string;
  /** Everything Terraform needs but the project folder and the logger. */
  terraform: Omit<TerraformOptions, 'dir' | 'logger' | 'signal' | 'providerMirror'>;
  /**
   * Where the step keeps the provider packages its inits downloaded, for later inits to install
   * from (see ProviderMirror); without it every init installs on its own.
   */
  providerMirrorDir?: string;
  /** The version of terraform.binary, recorded with the deployment (SKIP_DEPLOY compares it). */
  terraformVersion: string;
  /** Installs the versions the run chose per plugin (manifest.terraformVersions); see terraform-versions.ts. */
  resolveTerraform?: TerraformResolver;
  /**
   * LOCAL_EXEC_ENABLED, FEATURES_TERRAFORM_MODULES, _PROVIDERS and _REMOTE_STATE: the guard every
   * TerraformProject runs before and after its init (see guardrails/guard.ts).
   */
  guardrails: GuardrailOptions;
  /**
   * The checkout, for runs planned with CHECKOUT_BRANCH: copied once into the work folder and
   * linked as repodir/ into every project. `exclude`: paths relative to root left out.
   */
  checkout?: { root: string; exclude: string[]; requested?: boolean };
  /** How the step reaches the run's state backend (RunRecord.tfstate): its clients and endpoint. */
  stateAccess: StateBackendAccess;
  signal?: AbortSignal;
  /**
   * Leave the run RUNNING when these tasks succeed (orchestrate-and-plan's own tasks: the approved
   * ones follow in runtime-tasks). A failure closes the run all the same.
   */
  leaveOpen?: boolean;
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
}
