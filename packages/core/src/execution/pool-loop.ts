/**
 * The loop of one worker of a pool (runtime-tasks with WORKERS > 1): claim the best ready task
 * (RunStore.claimTask, one conditional write: exactly one worker wins it) up to TASK_PARALLELISM
 * at once, run it with the job's handlers, record how it ended (refused if the claim was lost), and
 * look again. When nothing is claimable while tasks are unfinished elsewhere, it waits for the
 * run watch's next read (one GET a second, which the watch makes anyway). It stops when every task
 * SUCCEEDED (then one worker closes the run, see pool-close.ts), when a task failed anywhere (the
 * failing worker closes the run once its own running tasks ended; the others' watches see the
 * close and interrupt theirs), or when the run was closed (cancel-run).
 */
import { closeAfterFailure } from '../deployment/close-after-failure';
import { runTaskLogs } from '../deployment/run-task-logs';
import { throwIfCancelled } from '../abort';
import { classifyFailure } from '../errors';
import { TaskLogs } from '../logging';
import { TaskClaimLostError, type RunRecord, type RunTask, type RunWorker } from '../runs';
import { taskGraph } from '../schedule';
import type { ApplyTask } from '../tasks';
import type {
  ExecuteDependencies,
  ExecuteOptions,
  ExecuteResult,
  TaskReport,
} from './execute-options';
import { jobContext } from './job-context';
import { closePoolRun, shareDeployedIac } from './pool-close';
import { PoolFence } from './pool-fence';
import { releaseDeadWorkerLock } from './pool-leftover-lock';
import { PoolPicker } from './pool-picker';
import type { ClaimedJob } from './task-loop';
import { pluginDependencies } from './task-loop';

export interface PoolJob extends ClaimedJob {
  worker: RunWorker;
  leaseMs: number;
}

/** What the pool's loop counted, for the summary and the benchmarks. */
export interface PoolCounts {
  /** Claims this worker lost to another worker (or found already taken). */
  claimConflicts: number;
  /** Tasks this worker took over from a worker gone silent. */
  reclaimed: number;
}

export async function executePoolTasks(
  deps: ExecuteDependencies,
  options: ExecuteOptions,
  job: PoolJob,
): Promise<ExecuteResult & { counts: PoolCounts; closedHere: boolean }> {
  const { run, manifest, watch, table, worker } = job;
  const runId = run.runId;
  const parallelism = options.parallelism ?? 1;
  const counts: PoolCounts = { claimConflicts: 0, reclaimed: 0 };
  const fence = new PoolFence(deps.runs, runId, worker.id, job.leaseMs, deps.logger);
  const signal = AbortSignal.any([watch.signal, fence.signal]);
  const logs = parallelism > 1 ? new TaskLogs(deps.logger, options.progressMs) : undefined;
  const stored = runTaskLogs(deps.iacStore, runId, logs ?? deps.logger, {
    maskLog: options.maskLog,
    secrets: options.terraform.secrets ?? [],
  });
  const built = jobContext(
    { ...deps, logger: stored.logger },
    { ...options, signal },
    run,
    manifest,
    job.templateWarnings,
  );
  const policyChecks = built.policy ? { policyChecks: built.policy.checks } : {};
  const graph = taskGraph(options.tasks, pluginDependencies(manifest), table.waits);
  const base = { counts, closedHere: false, graph, ...policyChecks };
  try {
    await built.prepare();
  } catch (error) {
    await closeAfterFailure(deps, runId, error);
    return { ...base, run: (await deps.runs.getRun(runId)) ?? run, reports: [], error };
  }
  const picker = new PoolPicker(graph);
  const reports: TaskReport[] = [];
  const mine = new Map<string, Promise<void>>();
  let failure: { error: unknown } | undefined;

  const runTask = async (task: ApplyTask, reclaimed?: { from: RunWorker; startedAt?: string }) => {
    const started = Date.now();
    const title = `${task.taskType} ${task.pluginAppliedAlias ?? ''}`.trim();
    // A task taken over from a worker that was running it: its Terraform may have applied part.
    const context = reclaimed?.startedAt
      ? { ...built.context, takeover: { from: reclaimed.from } }
      : built.context;
    const execute = () => table.execute(context, task);
    let recorded: RunRecord | undefined;
    try {
      throwIfCancelled(signal);
      if (reclaimed && task.pluginAppliedAlias) {
        await releaseDeadWorkerLock(deps.logger, {
          run,
          alias: task.pluginAppliedAlias,
          dead: reclaimed.from,
          ...(reclaimed.startedAt ? { deadClaimStartedAt: reclaimed.startedAt } : {}),
          stateAccess: options.stateAccess,
        });
      }
      const outcome = await stored.run(task.runTaskId, () =>
        logs ? logs.task(title, execute) : deps.logger.group(title, execute),
      );
      if (task.pluginAppliedAlias)
        await shareDeployedIac(deps, runId, task.pluginAppliedAlias, built.ledger);
      recorded = await deps.runs.finishTask(runId, task.runTaskId, 'SUCCEEDED', undefined, {
        workerId: worker.id,
      });
      reports.push({
        ...outcome,
        task: findTask(recorded, task.runTaskId),
        durationMs: Date.now() - started,
      });
    } catch (caught) {
      if (caught instanceof TaskClaimLostError) {
        // Its new holder runs it again and records its own result; the run goes on.
        deps.logger.error(caught.message);
        return;
      }
      if (fence.signal.aborted && !watch.closedElsewhere()) {
        // Fenced off (its heartbeat does not get through): the task stays RUNNING under this
        // worker, and another one takes it over after the lease; the run goes on without it.
        deps.logger.error(`${title} was interrupted: ${(fence.signal.reason as Error).message}`);
        return;
      }
      const error: unknown =
        watch.closedElsewhere() ??
        (fence.signal.aborted ? (fence.signal.reason as unknown) : caught);
      failure ??= { error };
      const status = classifyFailure(error);
      const message = error instanceof Error ? error.message : String(error);
      try {
        recorded = await deps.runs.finishTask(
          runId,
          task.runTaskId,
          status.task,
          { kind: status.run, message },
          { workerId: worker.id },
        );
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

  let latest: RunRecord = run;
  let stopReason: 'done' | 'failed' | 'closed' = 'closed';
  for (;;) {
    const view = picker.view(latest, new Set(mine.keys()), worker.id);
    const open = latest.status === 'RUNNING' && !signal.aborted && !failure && !view.failed;
    if (open) {
      let free = parallelism - mine.size;
      // While this worker's tasks run (its own heartbeat checked), or when it has nothing to claim.
      if (fence.due && (view.ready.length === 0 || mine.size > 0)) await fence.look();
      const reclaimable = view.heldElsewhere.filter((id) =>
        fence.isGone(latest.tasks.find((t) => t.runTaskId === id)?.worker),
      );
      for (const id of [...view.ready, ...reclaimable]) {
        if (free <= 0 || signal.aborted) break;
        const before = latest.tasks.find((t) => t.runTaskId === id);
        const claim = await deps.runs
          .claimTask(runId, id, worker.id, { leaseMs: job.leaseMs })
          .catch((error: unknown) => {
            // Not claimed: this worker's running tasks go on, and the next look tries again.
            deps.logger.warning(`Could not claim a task: ${(error as Error).message}`);
            return undefined;
          });
        if (!claim) break;
        if (!claim.claimed) {
          counts.claimConflicts += 1;
          if (claim.why === 'run-finished') break;
          continue;
        }
        free -= 1;
        const task = options.tasks.find((t) => t.runTaskId === id) as ApplyTask;
        let reclaimed: { from: RunWorker; startedAt?: string } | undefined;
        if (claim.reclaimedFrom) {
          counts.reclaimed += 1;
          reclaimed = {
            from: claim.reclaimedFrom,
            ...(before?.worker === claim.reclaimedFrom.id && before.startedAt
              ? { startedAt: before.startedAt }
              : {}),
          };
          deps.logger.warning(
            `Took over ${task.taskType} ${task.pluginAppliedAlias ?? ''} from worker ${claim.reclaimedFrom.id} (${claim.reclaimedFrom.description}${claim.reclaimedFrom.host ? `, host ${claim.reclaimedFrom.host}` : ''}): it left the run, or its heartbeat was silent for longer than the lease (${Math.round(job.leaseMs / 1000)} s), while it ran the task. The task runs again here.`,
          );
        }
        mine.set(
          id,
          runTask(task, reclaimed).finally(() => mine.delete(id)),
        );
      }
    }
    if (mine.size === 0) {
      if (failure || view.failed) {
        stopReason = 'failed';
        break;
      }
      if (view.allSucceeded) {
        stopReason = 'done';
        break;
      }
      if (latest.status !== 'RUNNING' || signal.aborted) break;
    }
    // One of this worker's tasks ended (read at once: it may have unblocked others), or the watch
    // read what the other workers did.
    const ownEnded =
      mine.size > 0 ? Promise.race(mine.values()).then(() => 'own' as const) : undefined;
    const next =
      signal.aborted && ownEnded
        ? await ownEnded
        : await Promise.race([...(ownEnded ? [ownEnded] : []), watch.nextRead()]);
    if (next === 'own') latest = (await deps.runs.getRun(runId).catch(() => undefined)) ?? latest;
    else if (next) latest = next;
  }

  const finalRun = async (): Promise<RunRecord> => (await deps.runs.getRun(runId)) ?? latest;
  if (stopReason === 'failed') {
    // This worker's failure closes the run (the others' watches interrupt their tasks); another
    // worker's failure is closed by that worker.
    if (failure) await closeAfterFailure(deps, runId, failure.error);
    // A close marks the unfinished tasks ABORTED before it writes the record, so a read between
    // the two sees an ABORTED task in a RUNNING run: let the watch read the record once more, and
    // report the close (cancel-run, or the failing worker's) when that is what it was.
    else if (!watch.closedElsewhere()) await watch.nextRead();
    const error =
      failure?.error ??
      watch.closedElsewhere() ??
      new Error(
        `A task of run ${runId} failed on another worker of the pool; this worker stopped.`,
      );
    return { ...base, run: await finalRun(), reports, error };
  }
  if (stopReason === 'closed' && watch.signal.aborted && !watch.closedElsewhere()) {
    // This job was cancelled (not the run): as a single step's cancel, it closes the run, and
    // the other workers' watches stop theirs. Its task, if it ran one, ended ABORTED above.
    const reason: unknown = watch.signal.reason;
    const error = reason instanceof Error ? reason : new Error(`This job was cancelled.`);
    if (!failure) await closeAfterFailure(deps, runId, error);
    return { ...base, run: await finalRun(), reports, error: failure?.error ?? error };
  }
  if (stopReason === 'closed') {
    const now = await finalRun();
    const error: unknown =
      watch.closedElsewhere() ??
      (fence.signal.aborted ? (fence.signal.reason as unknown) : undefined) ??
      (now.status === 'SUCCEEDED' ? undefined : new Error(`Run ${runId} ended ${now.status}.`));
    return { ...base, run: now, reports, ...(error ? { error } : {}) };
  }
  const closed = await closePoolRun(deps, {
    run,
    manifest,
    table,
    ledger: built.ledger,
    worker,
    terraformVersion: options.terraformVersion,
    waitMs: job.leaseMs + 30_000,
    nextRead: () => watch.nextRead(),
  });
  return {
    ...base,
    closedHere: closed.closedHere,
    run: closed.run,
    reports,
    ...(closed.error !== undefined ? { error: closed.error } : {}),
  };
}

function findTask(run: RunRecord, runTaskId: string): RunTask {
  return run.tasks.find((t) => t.runTaskId === runTaskId) as RunTask;
}
