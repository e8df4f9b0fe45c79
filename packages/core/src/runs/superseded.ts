/**
 * A run that a later run found dead and superseded (see holder-liveness.ts) is never applied
 * afterwards: not by its own approved job arriving late, not by a re-run of that job. The record
 * says who superseded it; a RUNNING run whose target lock another run holds (the superseding run
 * stopped between taking the lock and closing it) is refused the same way.
 */
import { cliCommand } from '../commands';
import { ConfigurationError } from '../errors';
import { describeTarget } from '../target';
import type { RunLock, RunRecord } from './run-record';

/** A step asked to execute or resume a run that was superseded. Nothing was changed. */
export class SupersededRunError extends ConfigurationError {
  override readonly name = 'SupersededRunError';
  constructor(run: RunRecord, supersederRef: string) {
    const by = run.supersededBy as NonNullable<RunRecord['supersededBy']>;
    super({
      message: `Run ${run.runId} was superseded by run ${by.runId} (${supersederRef}, started by ${by.workflowRunUrl}) at ${by.at}: ${by.reason}. It is ABORTED and is never applied; this step changed nothing.`,
      hint: `To deploy, start a new run (run the workflow again) and review its plan; the state of ${describeTarget(run.target)} is what run ${by.runId} left (\`${cliCommand('status', supersederRef)}\`).`,
    });
  }
}

/**
 * A step asked to execute a RUNNING run that no longer holds its target's lock: another run took
 * it (or it was removed by hand). Nothing was changed.
 */
export class LockLostError extends ConfigurationError {
  override readonly name = 'LockLostError';
  constructor(run: RunRecord, lock: RunLock | undefined, holderRef: string | undefined) {
    super({
      message: lock
        ? `Run ${run.runId} no longer holds the lock of ${describeTarget(run.target)}: run ${lock.runId} (${holderRef ?? lock.runId}, started by ${lock.workflowRunUrl}) took it at ${lock.acquiredAt}. This run is never applied; this step changed nothing.`
        : `Run ${run.runId} no longer holds the lock of ${describeTarget(run.target)} (it was removed by hand). This run is not applied without it; this step changed nothing.`,
      hint: 'Start a new run (run the workflow again) and review its plan.',
    });
  }
}
