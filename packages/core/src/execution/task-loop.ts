/**
 * The scheduler loop of one job: start every task whose waits have succeeded, up to the
 * parallelism; when one ends, record it and look again. A task's failure is recorded with the
 * status derived from the same classification as the run's (classifyFailure): FAILED for the
 * user's configuration or an outside failure, INTERNAL_ERROR for a bug of the engine, ABORTED for a
 * cancel. After a failure nothing new starts, the tasks already running finish (the lock must
 * outlive them), and the run is closed.
 */
import { closeAfterFailure } from '../deployment/close-after-failure';
import { runTaskLogs } from '../deployment/run-task-logs';
import type { RunWatch } from '../deployment/run-watch';
import { incompleteRun } from '../deployment/task-list-check';
import type { TemplateWarnings } from '../deployment/template-warnings';
import { throwIfCancelled } from '../abort';
import { classifyFailure } from '../errors';
import { TaskLogs } from '../logging';
import type { Manifest } from '../manifest';
import type { RunRecord, RunTask } from '../runs';
import { Scheduler, taskGraph } from '../schedule';
import type { ApplyTask } from '../tasks';
import type { TaskTable } from '../task-handlers';
import type {
  ExecuteDependencies,
  ExecuteOptions,
  ExecuteResult,
  TaskReport,
} from './execute-options';
import { jobContext } from './job-context';
import { recordRunOutcome } from '../run-types';

export interface ClaimedJob {
  run: RunRecord;
  manifest: Manifest;
  watch: RunWatch;
  templateWarnings: TemplateWarnings;
  table: TaskTable;
}

export async function executeTasks(
  deps: ExecuteDependencies,
  options: ExecuteOptions,
  job: ClaimedJob,
): Promise<ExecuteResult> {
  const { run, manifest, watch, table } = job;
  const parallelism = options.parallelism ?? 1;
  // Tasks at once: their logs are kept per task and printed whole (see TaskLogs).
  const logs = parallelism > 1 ? new TaskLogs(deps.logger, options.progressMs) : undefined;
  // Each task's lines are also kept, masked, and stored with the run when it ends.
  const stored = runTaskLogs(deps.iacStore, run.runId, logs ?? deps.logger, {
    maskLog: options.maskLog,
    secrets: options.terraform.secrets ?? [],
  });
  const taskDeps = { ...deps, logger: stored.logger };
  const built = jobContext(taskDeps, options, run, manifest, job.templateWarnings);
  // The policy's verdicts, for the summary: on success and on failure alike.
  const policyChecks = built.policy ? { policyChecks: built.policy.checks } : {};
  try {
    await built.prepare();
  } catch (error) {
    await closeAfterFailure(deps, run.runId, error);
    return { run: (await deps.runs.getRun(run.runId)) ?? run, reports: [], error };
  }
  const done = options.tasks.filter(
    (t) => run.tasks.find((r) => r.runTaskId === t.runTaskId)?.status === 'SUCCEEDED',
  );
  for (const task of done) {
    deps.logger.info(
      `Task ${task.taskType} ${task.pluginAppliedAlias ?? ''} already succeeded; skipped.`,
    );
  }
  const graph = taskGraph(options.tasks, pluginDependencies(manifest), table.waits);
  const scheduler = new Scheduler(
    graph,
    parallelism,
    done.map((t) => t.runTaskId),
  );
  const reports: TaskReport[] = [];
  let failure: { error: unknown } | undefined;

  const runTask = async (task: ApplyTask): Promise<void> => {
    const started = Date.now();
    const title = `${task.taskType} ${task.pluginAppliedAlias ?? ''}`.trim();
    const execute = () => table.execute(built.context, task);
    let recorded: RunRecord | undefined;
    try {
      throwIfCancelled(options.signal);
      recorded = await deps.runs.startTask(run.runId, task.runTaskId);
      const outcome = await stored.run(task.runTaskId, () =>
        logs ? logs.task(title, execute) : deps.logger.group(title, execute),
      );
      recorded = await deps.runs.finishTask(run.runId, task.runTaskId, 'SUCCEEDED');
      reports.push({
        ...outcome,
        task: findTask(recorded, task.runTaskId),
        durationMs: Date.now() - started,
      });
      scheduler.finished(task.runTaskId, 'succeeded');
    } catch (caught) {
      scheduler.finished(task.runTaskId, 'failed');
      // Closed under us (cancel-run): whatever failed as a consequence, the cause is the cancel.
      const error = watch.closedElsewhere() ?? caught;
      failure ??= { error };
      const status = classifyFailure(error);
      const message = error instanceof Error ? error.message : String(error);
      try {
        recorded = await deps.runs.finishTask(run.runId, task.runTaskId, status.task, {
          kind: status.run,
          message,
        });
      } catch (recordError) {
        deps.logger.warning(
          `Could not record the task's failure: ${(recordError as Error).message}`,
        );
      }
      if (recorded)
        reports.push({
          task: findTask(recorded, task.runTaskId),
          durationMs: Date.now() - started,
        });
    }
  };

  // Start what may start; when a task ends, look again. After a failure nothing new starts, and
  // the tasks already running finish before the run is closed (its lock must outlive them).
  const running = new Map<string, Promise<void>>();
  for (;;) {
    for (const id of scheduler.next()) {
      const task = options.tasks.find((t) => t.runTaskId === id) as ApplyTask;
      running.set(
        id,
        runTask(task).finally(() => running.delete(id)),
      );
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  if (failure) {
    if (parallelism > 1 && scheduler.notStarted.length > 0)
      deps.logger.info(
        `${scheduler.notStarted.length} task(s) that had not started are ABORTED with the run.`,
      );
    await closeAfterFailure(deps, run.runId, failure.error);
    return {
      run: (await deps.runs.getRun(run.runId)) ?? run,
      reports,
      graph,
      error: failure.error,
      ...policyChecks,
    };
  }
  const current = (await deps.runs.getRun(run.runId)) ?? run;
  if (options.leaveOpen) return { run: current, reports, graph, ...policyChecks };
  try {
    // Only a run whose every task succeeded (now or in an earlier attempt) deployed what it planned.
    const incomplete = incompleteRun(current);
    if (incomplete) throw incomplete;
    await recordRunOutcome(
      deps,
      run,
      manifest,
      table.mode(run.tasks),
      (alias) => built.ledger.deployedOf(alias),
      options.terraformVersion,
    );
    return {
      run: await deps.runs.finishRun(run.runId, 'SUCCEEDED'),
      reports,
      graph,
      ...policyChecks,
    };
  } catch (error) {
    await closeAfterFailure(deps, run.runId, error);
    return {
      run: (await deps.runs.getRun(run.runId)) ?? current,
      reports,
      graph,
      error,
      ...policyChecks,
    };
  }
}

/** Per plugin alias (kept or removed), the aliases it requires a connection from. */
export function pluginDependencies(manifest: Manifest): Map<string, string[]> {
  return new Map([...manifest.plugins, ...manifest.destroy].map((p) => [p.alias, p.dependsOn]));
}

function findTask(run: RunRecord, runTaskId: string): RunTask {
  return run.tasks.find((t) => t.runTaskId === runTaskId) as RunTask;
}
