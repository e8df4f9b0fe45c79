/**
 * orchestrate-and-plan's part of a run, whole: open it (openRun), execute its planning tasks, and
 * decide its fate from what they return: SKIPPED when SKIP_DEPLOY is on and the saved plans change
 * nothing, ABORTED when the job was cancelled once the plans were made, else left RUNNING with the
 * tasks to approve. The action only maps its inputs to these options and the result to outputs.
 */
import { CancelledError } from '../errors';
import type { RunRecord, RunStatus, RunTask } from '../runs';
import type { Manifest } from '../manifest';
import { mergeReferences, type UndefinedReference } from '../templates';
import type { BucketStores } from '../deployment/bucket-stores';
import { executeRunTasks } from './execute-run-tasks';
import type { ExecuteOptions } from './execute-options';
import type { UnplannedPlugin } from '../task-handlers';
import type { PolicyCheck } from '../deployment/plan-policy';
import type { PlanRecord } from '../deployment/saved-plans';
import { TASK_TABLE } from '../task-handlers';
import { openRun, type OpenedRun, type OpenRunOptions } from './open-run';

/** How the planning tasks execute: everything executeRunTasks takes but the run and its tasks. */
export type PlanningOptions = Omit<ExecuteOptions, 'runId' | 'tasks' | 'leaveOpen' | 'signal'>;

export interface PlanRunOptions extends OpenRunOptions {
  /** SKIP_DEPLOY: a run whose saved plans change nothing ends SKIPPED, with nothing to approve. */
  skipDeploy: boolean;
  /** Made once the run exists (its work folder and task environment are the run's). */
  planning: (run: RunRecord) => Promise<PlanningOptions>;
  /** The job's cancellation: cancelled after the plans, the run is closed ABORTED. */
  signal: AbortSignal;
}

export interface PlannedRun {
  /** What openRun decided: the run type, what is unchanged, why it was skipped. */
  opened: OpenedRun;
  /** The run as it stands now; undefined when none was opened (nothing to do). */
  run?: RunRecord;
  /** The run when it waits for approval: RUNNING, and nothing failed. */
  open?: RunRecord;
  /** The plans the planning tasks saved. */
  plans: PlanRecord[];
  /** Classic plugins planned only after approval (what they require does not exist yet). */
  unplanned: UnplannedPlugin[];
  /** The tasks the approved job executes (none unless the run is open). */
  applyTasks: RunTask[];
  /** What ended the run (the step fails with it), when something did. */
  failure?: unknown;
  /** Undefined template names, of the computed inputs and of the plans. */
  templateWarnings: UndefinedReference[];
  /** POLICY_COMMAND's verdict on each plan made (a refused one fails its task and the run). */
  policyChecks: PolicyCheck[];
}

/** The tasks orchestrate-and-plan executes itself, before approval. */
function isPlanningTask(task: Pick<RunTask, 'taskType' | 'pluginAppliedAlias'>): boolean {
  return TASK_TABLE.isPlanning(task);
}

/**
 * Whether the saved plans change anything: a plugin planned only after approval or one destroyed
 * counts as a change (what it does is not in a plan).
 */
export function planHasChanges(
  manifest: Manifest,
  plans: readonly PlanRecord[],
  unplanned: readonly UnplannedPlugin[],
): boolean {
  return unplanned.length > 0 || manifest.destroy.length > 0 || plans.some((p) => p.hasChanges);
}

/** What the planning tasks' results make of a run. */
export interface PlannedState {
  /** The run's status once its planning tasks ran. */
  status: RunStatus;
  /** A planning task failed (the run is closed already). */
  failed: boolean;
  /** The saved plans change something (planHasChanges; true when nothing was planned). */
  changes: boolean;
  /** SKIP_DEPLOY. */
  skipDeploy: boolean;
  /** The job was cancelled. */
  cancelled: boolean;
}

/**
 * How a planned run ends in orchestrate-and-plan: SKIPPED when SKIP_DEPLOY is on and its plans
 * change nothing, ABORTED when the job was cancelled once they were made (no approval job will
 * follow), else as it is (RUNNING for the approval job, or closed by a failure).
 */
export function plannedFate(state: PlannedState): 'SKIPPED' | 'ABORTED' | 'AS_IS' {
  if (state.failed) return 'AS_IS';
  if (state.skipDeploy && !state.changes) return 'SKIPPED';
  if (state.status === 'RUNNING' && state.cancelled) return 'ABORTED';
  return 'AS_IS';
}

/** Opens the run, plans it, and leaves it open for approval or closes it (see the header). */
export async function planRun(deps: BucketStores, options: PlanRunOptions): Promise<PlannedRun> {
  const { logger, runs } = deps;
  const opened = await openRun(deps, options);
  const result: PlannedRun = {
    opened,
    plans: [],
    unplanned: [],
    applyTasks: [],
    templateWarnings: [...(opened.templateWarnings ?? [])],
    policyChecks: [],
    ...(opened.run ? { run: opened.run } : {}),
  };
  let current = opened.run;
  if (!current) return result;
  logger.info(`RUN ${current.type}_SELF_HOSTED successfully started with ID: ${current.runId}`);
  const planning = current.tasks.filter(isPlanningTask);
  if (planning.length > 0) {
    const executed = await executeRunTasks(deps, {
      runId: current.runId,
      tasks: planning,
      ...(await options.planning(current)),
      leaveOpen: true,
      signal: options.signal,
    });
    current = executed.run;
    result.plans = executed.reports.flatMap((r) => r.plans ?? []);
    result.unplanned = executed.reports.flatMap((r) => (r.unplanned ? [r.unplanned] : []));
    if (executed.error !== undefined) result.failure = executed.error;
    result.policyChecks = executed.policyChecks ?? [];
    result.templateWarnings = mergeReferences(
      result.templateWarnings,
      executed.templateWarnings ?? [],
    );
  }
  const fate = plannedFate({
    status: current.status,
    failed: result.failure !== undefined,
    changes:
      planning.length === 0 || planHasChanges(opened.manifest, result.plans, result.unplanned),
    skipDeploy: options.skipDeploy,
    cancelled: options.signal.aborted,
  });
  if (fate === 'SKIPPED') {
    current = await runs.finishRun(current.runId, 'SKIPPED');
    logger.info(
      `The saved plans change nothing and SKIP_DEPLOY is on: run ${current.runId} ends SKIPPED, nothing to approve.`,
    );
  } else if (fate === 'ABORTED') {
    // Cancelled once the plans were made: no approval job will follow, so close the run now.
    const cancelled = new CancelledError(
      'The job was cancelled before the plans were handed to the approval job.',
    );
    result.failure = cancelled;
    current = await runs.finishRun(current.runId, 'ABORTED', {
      kind: 'ABORTED',
      message: cancelled.message,
    });
  }
  result.run = current;
  if (current.status === 'RUNNING' && result.failure === undefined) {
    result.open = current;
    result.applyTasks = current.tasks.filter((t) => !isPlanningTask(t));
  }
  return result;
}
