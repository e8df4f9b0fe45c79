/**
 * A run executed by a pool of workers (runtime-tasks with WORKERS > 1) rather than by one step's
 * executor claim (executor-claim.ts): the first worker to join records the pool's size in the run
 * record, and every later worker must agree on it. A run executed by one step refuses workers, and
 * a run with a pool refuses a single step's claim (executor-claim.ts), so the two never mix.
 */
import { ConfigurationError } from '../errors';
import { markReady } from './transitions';
import type { RunRecord, RunWorker } from './run-record';

/**
 * Joins `worker` to the pool executing `run` (mutated): the first joiner records the pool and sets
 * the tasks `ready` READY_TO_RUN. Returns whether the record changed; throws, having changed
 * nothing, when the run cannot be joined.
 */
export function joinPool(
  run: RunRecord,
  worker: RunWorker,
  size: number,
  ready: readonly string[],
  at: string,
): boolean {
  if (run.status !== 'RUNNING')
    throw new ConfigurationError({
      message: `Run ${run.runId} is ${run.status}: worker ${worker.description} cannot join it.`,
      hint: 'Start a new run (run the workflow again); a failed run is resumed by re-running its failed jobs.',
    });
  if (run.executor)
    throw new ConfigurationError({
      message: `Run ${run.runId} is executed by a single step (${run.executor.description}, since ${run.executor.claimedAt}); worker ${worker.description} of a pool of ${size} cannot join it.`,
      hint: 'Give every runtime-tasks of a run the same WORKERS, or run one runtime-tasks per run without WORKERS.',
    });
  if (run.pool && run.pool.size !== size)
    throw new ConfigurationError({
      message: `Run ${run.runId} is executed by a pool of ${run.pool.size} workers (since ${run.pool.since}); worker ${worker.description} says WORKERS ${size}.`,
      hint: 'Give every runtime-tasks of a run the same WORKERS (the size of the matrix).',
    });
  if (run.pool) return false;
  run.pool = { size, since: at };
  markReady(run, ready);
  return true;
}
