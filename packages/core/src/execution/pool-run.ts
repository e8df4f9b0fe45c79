/**
 * One worker of a pool executing a run (runtime-tasks with WORKERS > 1, a `strategy.matrix` of k
 * jobs with the same RUN_ID and TASK_LIST): it joins the run, beats its own heartbeat, claims and
 * runs tasks with the others (pool-loop.ts), and leaves. The last worker to leave says so in its
 * result (it writes the run's summary). Unified mode (one Terraform project for the whole run) has
 * nothing to share out and is refused before anything is written.
 */
import { hostname } from 'node:os';
import { rm } from 'node:fs/promises';
import { MANIFEST_ARTIFACT } from '../deployment/artifacts';
import { closeAfterFailure } from '../deployment/close-after-failure';
import { recordApproval } from '../deployment/run-audit';
import { joinRunForTasks } from '../deployment/run-claim';
import { watchRun } from '../deployment/run-watch';
import { inRunOrder } from '../deployment/task-list-check';
import { TemplateWarnings } from '../deployment/template-warnings';
import { ConfigurationError } from '../errors';
import type { Manifest } from '../manifest';
import type { TaskTable } from '../task-handlers';
import type {
  ExecuteDependencies,
  ExecuteOptions,
  ExecuteResult,
  PoolOptions,
  PoolWorkerResult,
} from './execute-options';
import { takeRunSummary } from './pool-close';
import { executePoolTasks } from './pool-loop';

/** WORKERS_LEASE_SECONDS: the default, and the shortest accepted. */
export const DEFAULT_WORKER_LEASE_MS = 300_000;
export const MIN_WORKER_LEASE_MS = 10_000;

/** How often a worker writes its heartbeat for a lease: ten beats per lease (30 s at 300 s). */
export function workerHeartbeatMs(leaseMs: number): number {
  return Math.max(1000, Math.round(leaseMs / 10));
}

export async function executePoolWorker(
  deps: ExecuteDependencies,
  options: ExecuteOptions & { pool: PoolOptions },
  table: TaskTable,
): Promise<ExecuteResult> {
  const { workers, leaseMs } = options.pool;
  if (table.mode(options.tasks) === 'unified') {
    throw new ConfigurationError({
      message: `WORKERS ${workers}: a unified-mode run (UNIFIED_IAC) is one Terraform project applied by one task, which one runner executes; a pool has nothing to share out. This worker changed nothing.`,
      hint: 'Run one runtime-tasks job without WORKERS for a unified run, or deploy in classic mode (one state per plugin) to spread its plugins over several runners.',
    });
  }
  const joined = await joinRunForTasks(deps, {
    runId: options.runId,
    tasks: options.tasks,
    pool: workers,
    host: options.pool.host ?? hostname(),
    ...(options.executor ? { executor: options.executor } : {}),
    ...(options.workflowRun ? { workflowRun: options.workflowRun } : {}),
    ...(options.repository ? { repository: options.repository } : {}),
  });
  if ('done' in joined) return { run: joined.run, reports: [] };
  const { worker } = joined;
  options.pool.onJoined?.(worker.id);
  deps.logger.info(
    `Joined run ${joined.run.runId} as worker ${worker.id} of a pool of ${workers} (lease ${Math.round(leaseMs / 1000)} s).`,
  );
  // Who approved: the same for every worker; recorded by the first (a race writes the same value).
  const run = joined.run.audit?.approval
    ? joined.run
    : await recordApproval(deps, joined.run, options.approval);
  const heartbeat = deps.runs.startWorkerHeartbeat(run.runId, worker.id);
  let outcome: Awaited<ReturnType<typeof executePoolTasks>>;
  let manifest: Manifest;
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
    await leave(deps, run.runId, worker.id);
    throw error;
  }
  const watch = watchRun(deps.runs, run.runId, deps.logger, {
    withTasks: true,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.watchIntervalMs ? { intervalMs: options.watchIntervalMs } : {}),
  });
  try {
    outcome = await executePoolTasks(
      deps,
      { ...options, tasks: inRunOrder(run, options.tasks), signal: watch.signal },
      { run, manifest, watch, templateWarnings: new TemplateWarnings(), table, worker, leaseMs },
    );
  } finally {
    watch.stop();
    await heartbeat.stop();
    await rm(options.workDir, { recursive: true, force: true }).catch(() => undefined);
  }
  const { counts, closedHere, ...result } = outcome;
  const remaining = await leave(deps, run.runId, worker.id);
  const workersNow = await deps.runs.workersOf(run.runId).catch(() => []);
  const pool: PoolWorkerResult = {
    workerId: worker.id,
    workers: workersNow,
    lastToLeave: remaining === 0 && (await takeRunSummary(deps, run, worker).catch(() => false)),
    closedHere,
    ...counts,
  };
  const final = (await deps.runs.getRun(run.runId).catch(() => undefined)) ?? result.run;
  return { ...result, run: final, pool };
}

/** Leaves the run; how many workers are still in (undefined when it could not be said). */
async function leave(
  deps: ExecuteDependencies,
  runId: string,
  workerId: string,
): Promise<number | undefined> {
  try {
    return (await deps.runs.leaveRun(runId, workerId)).remaining;
  } catch (error) {
    deps.logger.warning(
      `Could not record that this worker left run ${runId} (${(error as Error).message}); its heartbeat stops, so the others count it gone after the lease.`,
    );
    return undefined;
  }
}
