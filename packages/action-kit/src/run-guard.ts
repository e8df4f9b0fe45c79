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
