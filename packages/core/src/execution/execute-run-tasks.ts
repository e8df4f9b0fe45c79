/**
 * What runtime-tasks does (and orchestrate-and-plan, for its planning tasks): execute tasks of a
 * run, recording every transition. The step claims the run (its tasks go READY_TO_RUN), then the
 * tasks run by their dependency graph, up to TASK_PARALLELISM at once (see task-loop.ts), each
 * by its handler (task-handlers/). The first failure stops the run: nothing new starts, the tasks
 * still running finish, the rest are ABORTED and the lock released.
 */
import { rm } from 'node:fs/promises';
import { MANIFEST_ARTIFACT } from '../deployment/artifacts';
import { closeAfterFailure } from '../deployment/close-after-failure';
import { recordApproval } from '../deployment/run-audit';
import { claimRunForTasks } from '../deployment/run-claim';
import { watchRun } from '../deployment/run-watch';
import { inRunOrder } from '../deployment/task-list-check';
import { TemplateWarnings } from '../deployment/template-warnings';
import type { Manifest } from '../manifest';
import { TASK_TABLE } from '../task-handlers';
import type { ExecuteDependencies, ExecuteOptions, ExecuteResult } from './execute-options';
import { executePoolWorker } from './pool-run';
import { executeTasks } from './task-loop';

/**
 * Validates the task list against the task types and the run, then executes it. Never leaves the
 * run RUNNING on failure. A run that failed is resumed (a re-run of the failed job sends the same
 * RUN_ID and TASK_LIST): its SUCCEEDED tasks are skipped, the others run again.
 */
export async function executeRunTasks(
  deps: ExecuteDependencies,
  options: ExecuteOptions,
): Promise<ExecuteResult> {
  const table = options.taskTable ?? TASK_TABLE;
  // Before anything is read or written: a type no handler knows is the caller's mistake.
  table.checkTaskTypes(options.tasks);
  // One of a pool of workers (WORKERS > 1): joins the run with the others instead of claiming it.
  if (options.pool && options.pool.workers > 1)
    return executePoolWorker(deps, { ...options, pool: options.pool }, table);
  const claimed = await claimRunForTasks(deps, {
    runId: options.runId,
    tasks: options.tasks,
    partial: options.leaveOpen === true,
    ...(options.executor ? { executor: options.executor } : {}),
    ...(options.workflowRun ? { workflowRun: options.workflowRun } : {}),
    ...(options.repository ? { repository: options.repository } : {}),
  });
  if ('done' in claimed) return { run: claimed.run, reports: [] };
  const { resumed } = claimed;
  // Recorded once the run is ours (not another repository's, not finished), before any task.
  const run = await recordApproval(deps, claimed.run, options.approval);
  // Until the step ends: a later run takes over a run whose executing step went silent.
  const heartbeat = deps.runs.startHeartbeat(run.runId, claimed.executor.id);
  let manifest: Manifest | undefined;
  try {
    await deps.runs.verifyRecordedArtifacts(run.runId);
    manifest = await deps.runs.requireArtifact<Manifest>(
      run.runId,
      MANIFEST_ARTIFACT,
      'is missing: the run stored no manifest, so its records are incomplete.',
    );
  } catch (error) {
    await heartbeat.stop();
    await closeAfterFailure(deps, run.runId, error);
    throw error;
  }
  const watch = watchRun(deps.runs, run.runId, deps.logger, {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.watchIntervalMs ? { intervalMs: options.watchIntervalMs } : {}),
  });
  const templateWarnings = new TemplateWarnings();
  try {
    const result = await executeTasks(
      deps,
      { ...options, tasks: inRunOrder(run, options.tasks), signal: watch.signal },
      { run, manifest, watch, templateWarnings, table },
    );
    result.templateWarnings = templateWarnings.references;
    // Handing the run on (orchestrate-and-plan's PLAN tasks): the approved job claims it next.
    if (options.leaveOpen && result.run.status === 'RUNNING')
      result.run = await deps.runs.releaseClaim(run.runId, claimed.executor.id);
    return resumed ? { ...result, resumed } : result;
  } finally {
    watch.stop();
    await heartbeat.stop();
    // Rendered IaC and plans may hold secret values: nothing of them is left on the runner.
    await rm(options.workDir, { recursive: true, force: true }).catch(() => undefined);
  }
}
