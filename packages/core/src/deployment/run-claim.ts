/**
 * The start of executing a run's tasks: the run must exist, TASK_LIST must match the run's tasks,
 * and the step takes its executor claim (reopening the run first when it failed: a re-run of the
 * failed job); the listed tasks go READY_TO_RUN in that same write, while the run's other tasks
 * (awaiting approval) stay PENDING. Every refusal comes before any write, so it changes nothing in
 * the run; the refused step's post step then closes a RUNNING run it was given (ABORTED, lock
 * released), except when another step holds the run (see executor-claim.ts).
 */
import { monotonicFactory } from 'ulid';
import { ConfigurationError } from '../errors';
import type { Logger } from '../logging';
import {
  LockLostError,
  RunClaimedError,
  SupersededRunError,
  type WorkflowRunRef,
  type RunAttempt,
  type RunExecutor,
  type RunRecord,
  type RunStore,
  type RunWorker,
} from '../runs';
import type { ApplyTask } from '../tasks';
import { repositoryOfRunUrl } from './repository-binding';
import { checkTaskList } from './task-list-check';

const newId = monotonicFactory();

export interface ClaimedRun {
  run: RunRecord;
  executor: RunExecutor;
  /** How the run had ended before this job resumed it. */
  resumed?: RunAttempt;
}

/**
 * Claims run `runId` for this step. Returns undefined with the record when the run already
 * SUCCEEDED (nothing to do). Throws ConfigurationError (RunClaimedError when another step
 * executes it) otherwise.
 */
export async function claimRunForTasks(
  deps: { runs: RunStore; logger: Logger },
  options: {
    runId: string;
    tasks: readonly ApplyTask[];
    /** Who this step is (workflow run, job), for the message a second step gets. */
    executor?: string;
    /** The step's GitHub workflow run attempt: a later run asks GitHub whether it still runs. */
    workflowRun?: WorkflowRunRef;
    /** orchestrate-and-plan's own tasks: the list is a part of the run's tasks. */
    partial?: boolean;
    /**
     * The repository this step runs in, as the runner says it (GITHUB_REPOSITORY); a run another
     * repository's workflow opened is refused (see ForeignRunError).
     */
    repository?: string;
  },
): Promise<ClaimedRun | { run: RunRecord; done: true }> {
  const found = await readOwnRun(deps.runs, options.runId, options.repository);
  const complete = options.partial !== true;
  // The tasks this step executes go READY_TO_RUN in the write that claims (or reopens) the run.
  const ready = options.tasks.map((t) => t.runTaskId);
  const executor: RunExecutor = {
    id: newId(),
    description: options.executor ?? 'a step outside a GitHub workflow',
    claimedAt: new Date().toISOString(),
    ...(options.workflowRun ? { workflowRun: options.workflowRun } : {}),
  };
  if (found.status === 'SUCCEEDED') {
    checkTaskList(found, options.tasks, { complete });
    deps.logger.info(
      `Run ${found.runId} already SUCCEEDED (${found.finishedAt ?? '?'}): every task of it is done, nothing is run again. To deploy again, start a new run.`,
    );
    return { run: found, done: true };
  }
  if (found.status !== 'RUNNING') {
    // Checked before the run is reopened: a refused list leaves the failed run as it was.
    checkTaskList(found, options.tasks, { complete });
    // A run a pool executed is resumed too: reopening drops the pool, this step's claim replaces it.
    deps.logger.info(
      `Run ${found.runId} ended ${found.status} at ${found.finishedAt ?? '?'}${found.error ? ` (${found.error.message})` : ''}. This job runs its tasks again (a re-run of the failed job): resuming it.`,
    );
    const run = await deps.runs.resumeRun(found.runId, executor, ready);
    const done = run.tasks.filter((t) => t.status === 'SUCCEEDED').length;
    deps.logger.info(
      `Run ${run.runId} is RUNNING again; ${done} task(s) that already SUCCEEDED are skipped, ${run.tasks.length - done} run again.`,
    );
    const resumed = run.attempts?.at(-1);
    return { run, executor, ...(resumed ? { resumed } : {}) };
  }
  // Refusals first, writing nothing: the step's post step then closes the run it was given.
  if (found.executor) throw new RunClaimedError(found, found.executor);
  checkTaskList(found, options.tasks, { complete });
  // The superseding run may have taken the lock and stopped before closing this one.
  const lock = await deps.runs.lockOf(found.target);
  if (lock?.runId !== found.runId)
    throw new LockLostError(found, lock, lock ? deps.runs.runRef(lock.runId) : undefined);
  // Conditional: of two steps that got this far at once, one claims, the other is refused here.
  const run = await deps.runs.claimRun(found.runId, executor, ready);
  return { run, executor };
}

/**
 * A step asked to execute a run that another repository's workflow opened: an application is
 * bound to its repository (see repository-binding.ts), and a RUN_ID copied into another
 * repository's workflow must not apply that application's plans. Nothing was changed, and the
 * step's post step must leave the run alone.
 */
export class ForeignRunError extends ConfigurationError {
  override readonly name = 'ForeignRunError';
  constructor(run: RunRecord, opener: string, repository: string) {
    super({
      message: `Run ${run.runId} was opened by a workflow of repository ${opener} (${run.workflowRunUrl}); this step runs in ${repository} and may not execute it. Nothing was changed.`,
      hint: `Pass the run_id output of orchestrate-and-plan from the same workflow run. Runs of ${opener} are executed (or cancelled) by its own workflows.`,
    });
  }
}

/** A worker of a pool that joined a run (see joinRunForTasks). */
export interface JoinedRun {
  run: RunRecord;
  worker: RunWorker;
}

/**
 * Joins run `runId` as one of a pool of `pool` workers (runtime-tasks with WORKERS > 1). The same
 * refusals as claimRunForTasks, before anything is written: another repository's run, a run
 * superseded, a TASK_LIST that does not match, a run that no longer holds its lock; a run that
 * already SUCCEEDED runs nothing. A run that failed is resumed (RunStore.resumeRunAsWorker: a
 * re-run of the failed jobs of the matrix, whichever pool or step executed it before).
 * RunStore.joinRun refuses a run one step executes alone, or a pool of another size.
 */
export async function joinRunForTasks(
  deps: { runs: RunStore; logger: Logger },
  options: {
    runId: string;
    tasks: readonly ApplyTask[];
    pool: number;
    executor?: string;
    workflowRun?: WorkflowRunRef;
    repository?: string;
    /** os.hostname() of this worker, recorded for the diagnosis of a lock it leaves behind. */
    host?: string;
  },
): Promise<JoinedRun | { run: RunRecord; done: true }> {
  const found = await readOwnRun(deps.runs, options.runId, options.repository);
  checkTaskList(found, options.tasks, { complete: true });
  if (found.status === 'SUCCEEDED') {
    deps.logger.info(
      `Run ${found.runId} already SUCCEEDED (${found.finishedAt ?? '?'}): every task of it is done, nothing is run again.`,
    );
    return { run: found, done: true };
  }
  const worker: RunWorker = {
    id: newId(),
    description: options.executor ?? 'a step outside a GitHub workflow',
    joinedAt: new Date().toISOString(),
    ...(options.workflowRun ? { workflowRun: options.workflowRun } : {}),
    ...(options.host ? { host: options.host } : {}),
  };
  const ready = options.tasks.map((t) => t.runTaskId);
  if (found.status !== 'RUNNING') {
    // A re-run of the failed jobs of the matrix: the first worker reopens the run and joins it in
    // one write (the earlier attempt's pool dropped); the others find it reopened and join.
    deps.logger.info(
      `Run ${found.runId} ended ${found.status} at ${found.finishedAt ?? '?'}${found.error ? ` (${found.error.message})` : ''}. This worker resumes it (a re-run of the failed jobs) with a pool of ${options.pool}.`,
    );
    const run = await deps.runs.resumeRunAsWorker(found.runId, worker, options.pool, ready);
    const done = run.tasks.filter((t) => t.status === 'SUCCEEDED').length;
    deps.logger.info(
      `Run ${run.runId} is RUNNING again; ${done} task(s) that already SUCCEEDED are skipped, ${run.tasks.length - done} run again.`,
    );
    return { run, worker };
  }
  const lock = await deps.runs.lockOf(found.target);
  if (lock?.runId !== found.runId)
    throw new LockLostError(found, lock, lock ? deps.runs.runRef(lock.runId) : undefined);
  const run = await deps.runs.joinRun(found.runId, worker, options.pool, ready);
  return { run, worker };
}

/**
 * The run a step was given, refused before anything is written when it does not exist, another
 * repository's workflow opened it, or a later run found it dead and superseded it (such a run is
 * never applied, whatever its status says).
 */
async function readOwnRun(
  runs: RunStore,
  runId: string,
  repository: string | undefined,
): Promise<RunRecord> {
  const found = await runs.getRun(runId);
  if (!found) {
    throw new ConfigurationError({
      message: `Run ${runId} does not exist in the IaC bucket.`,
      hint: 'Pass the run_id output of orchestrate-and-plan from the same workflow run.',
    });
  }
  const opener = repositoryOfRunUrl(found.workflowRunUrl);
  if (repository && opener && opener !== repository)
    throw new ForeignRunError(found, opener, repository);
  if (found.supersededBy)
    throw new SupersededRunError(found, runs.runRef(found.supersededBy.runId));
  return found;
}
