/**
 * The guard a step that opens or runs a run keeps over it: the main step records the run in the
 * job state as soon as it holds it, and marks it handed on once it has closed it or passed it to
 * the next job. The post step (`post-if: always()`), which runs even when the main step was killed
 * or the job cancelled, closes as ABORTED a run the main step left neither closed nor handed on,
 * so no lock outlives the job.
 */
import * as core from '@actions/core';
import {
  parseRunRef,
  RunStore,
  S3ObjectStore,
  type AwsCredentialInputNames,
  type AwsCredentialSource,
} from '@deploy-engine/core';
import { actionsLogger } from './actions-logger';
import { openAwsSession } from './aws-session';

const STATE_RUN_REF = 'run_ref';
const STATE_HANDED_ON = 'run_closed';

/** The main step holds this run from now on (a RUN_ID, as formatRunRef makes it). */
export function guardRun(runRef: string): void {
  core.saveState(STATE_RUN_REF, runRef);
}

/** The main step closed the run, or left it open on purpose for the next job. */
export function releaseRun(): void {
  core.saveState(STATE_HANDED_ON, 'true');
}

/**
 * For the post step: closes the run its main step left behind, if any. `credentialInputs`: the
 * step's credential input names, for the message when no credentials can be obtained.
 */
export async function closeRunLeftOpen(
  credentials: () => AwsCredentialSource,
  credentialInputs?: AwsCredentialInputNames,
): Promise<void> {
  const runRef = core.getState(STATE_RUN_REF);
  if (runRef === '' || core.getState(STATE_HANDED_ON) === 'true') return;
  const ref = parseRunRef(runRef);
  const session = await openAwsSession(
    ref.region,
    credentials(),
    actionsLogger,
    credentialInputs ? { credentialInputs } : {},
  );
  const runs = new RunStore(new S3ObjectStore(session.s3, ref.bucket), actionsLogger, {
    region: ref.region,
  });
  const result = await runs.cancelRun(ref.runId);
  actionsLogger.info(
    result.outcome === 'cancelled'
      ? `The main step did not finish run ${ref.runId}: it is now ABORTED (${result.aborted.length} task(s)) and its lock released.`
      : `Run ${ref.runId} was already closed.`,
  );
}

const STATE_POOL_WORKER = 'pool_worker';

/** The main step joined its run as this worker of a pool (runtime-tasks WORKERS > 1). */
export function guardPoolWorker(workerId: string): void {
  core.saveState(STATE_POOL_WORKER, workerId);
}

/**
 * For the post step of a pool's worker. A pool's run is not this step's alone: whatever happened to
 * the main step, the other workers may still be executing the run, so it is never closed here just
 * because this worker stopped. Each case:
 * - the main step ended (all done, its task failed and it closed the run, the run was cancelled, it
 *   was refused and changed nothing): nothing to do;
 * - it never joined (refused, or stopped before): the run is left as it is;
 * - it joined and was killed or cancelled before it could leave: it leaves now (the others re-claim
 *   its unfinished task after the lease, or, when the whole workflow is cancelled, the workflow's
 *   cancel-run job closes the run); when it was the last worker in, nobody is left to finish the
 *   run, so it is closed ABORTED as a single step's post step would.
 */
export async function leavePoolLeftOpen(
  credentials: () => AwsCredentialSource,
  credentialInputs?: AwsCredentialInputNames,
): Promise<void> {
  const runRef = core.getState(STATE_RUN_REF);
  const workerId = core.getState(STATE_POOL_WORKER);
  if (runRef === '' || core.getState(STATE_HANDED_ON) === 'true') return;
  if (workerId === '') {
    actionsLogger.info(
      'This worker did not join the run: the run is left to the other workers of the pool.',
    );
    return;
  }
  const ref = parseRunRef(runRef);
  const session = await openAwsSession(
    ref.region,
    credentials(),
    actionsLogger,
    credentialInputs ? { credentialInputs } : {},
  );
  const runs = new RunStore(new S3ObjectStore(session.s3, ref.bucket), actionsLogger, {
    region: ref.region,
  });
  const { remaining } = await runs.leaveRun(ref.runId, workerId);
  const run = await runs.getRun(ref.runId);
  if (run?.status !== 'RUNNING') {
    actionsLogger.info(
      `Worker ${workerId} left run ${ref.runId}, which is ${run?.status ?? 'gone'}.`,
    );
    return;
  }
  if (remaining > 0) {
    actionsLogger.warning(
      `The main step of worker ${workerId} did not finish; it left run ${ref.runId}, which ${remaining} other worker(s) still execute. A task it was running is taken over by another worker after the lease (WORKER_LEASE_SECONDS). To stop the whole run, run cancel-run.`,
    );
    return;
  }
  const result = await runs.cancelRun(ref.runId, {
    reason: `cancelled: the last worker of its pool (${workerId}) stopped before the run ended`,
  });
  actionsLogger.info(
    result.outcome === 'cancelled'
      ? `No other worker of the pool is left: run ${ref.runId} is now ABORTED (${result.aborted.length} task(s)) and its lock released.`
      : `Run ${ref.runId} was already closed.`,
  );
}
