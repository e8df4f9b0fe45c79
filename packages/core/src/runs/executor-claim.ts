/**
 * One step at a time executes a run. The step that executes a RUNNING run's tasks writes its claim
 * into the run record (a read-modify-write with If-Match, see RunStore.claimRun), so of two
 * runtime-tasks started on the same run exactly one gets it; the other is refused before it
 * changes anything, naming the holder.
 *
 * The claim lives as long as the run is RUNNING: closing the run (success, failure, cancel-run, the
 * post step of a step that died) ends it, and resuming a failed run (a re-run of the failed job)
 * takes a fresh one in the same write that reopens it. orchestrate-and-plan gives its claim up
 * when it hands the run to the approved job. A runner lost without its post step leaves the run
 * RUNNING and claimed, exactly as it leaves the lock held: cancel-run closes it (no lease, so a
 * slow step is never taken over while it still applies).
 */
import { ConfigurationError } from '../errors';
import type { RunExecutor, RunRecord } from './run-record';

/** A step that asks to execute a run another step is executing. Nothing was changed. */
export class RunClaimedError extends ConfigurationError {
  override readonly name = 'RunClaimedError';
  constructor(
    readonly run: RunRecord,
    readonly holder: RunExecutor,
  ) {
    super({
      message: `Run ${run.runId} is already being executed by ${holder.description} (since ${holder.claimedAt}); this step did not run any task and changed nothing in the run.`,
      hint: 'Run one runtime-tasks per run: let that job finish, or stop it with cancel-run (a run is then started again from orchestrate-and-plan). If that job is gone without closing the run (its runner was lost), cancel-run releases the run and its lock.',
    });
  }
}

/**
 * Takes the claim on `run` (mutated in place) for `executor`; throws RunClaimedError when another
 * step holds it. Returns false when `executor` holds it already (nothing to write).
 */
export function takeClaim(run: RunRecord, executor: RunExecutor): boolean {
  if (run.status !== 'RUNNING')
    throw new ConfigurationError({
      message: `Run ${run.runId} is ${run.status}: it cannot be executed.`,
    });
  if (run.pool)
    throw new ConfigurationError({
      message: `Run ${run.runId} is executed by a pool of ${run.pool.size} workers (since ${run.pool.since}); a single step cannot claim it.`,
      hint: 'Give every runtime-tasks of a run the same WORKERS (the size of the matrix).',
    });
  const holder = run.executor;
  if (holder && holder.id === executor.id) return false;
  if (holder) throw new RunClaimedError(run, holder);
  run.executor = executor;
  return true;
}

/** Gives the claim up (`run` mutated); false when `executorId` does not hold it. */
export function dropClaim(run: RunRecord, executorId: string): boolean {
  if (run.executor?.id !== executorId) return false;
  delete run.executor;
  return true;
}
