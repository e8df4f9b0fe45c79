import * as core from '@actions/core';
import { actionsLogger, openAwsSession, runAction, runnerInputs } from '@deploy-engine/action-kit';
import { parseRunRef, RunStore, S3ObjectStore } from '@deploy-engine/core';
import { parseRuntimeInputs } from './inputs';
import { STATE_CLOSED, STATE_RUN_REF } from './state';

/**
 * The post step: runs after the main step even when the job was cancelled or the main step was
 * killed. If the main step did not close its run, it closes it here as ABORTED and releases the
 * lock, so the next deployment is never blocked.
 */
export async function post(): Promise<void> {
  await runAction('runtime-tasks (post)', async () => {
    const runRef = core.getState(STATE_RUN_REF);
    if (runRef === '' || core.getState(STATE_CLOSED) === 'true') return;
    const { inputs } = parseRuntimeInputs(runnerInputs());
    const ref = parseRunRef(runRef);
    const session = await openAwsSession(ref.region, inputs.credentials, actionsLogger);
    const runs = new RunStore(new S3ObjectStore(session.s3, ref.bucket), actionsLogger, {
      region: ref.region,
    });
    const result = await runs.cancelRun(ref.runId);
    core.info(
      result.outcome === 'cancelled'
        ? `The main step did not finish run ${ref.runId}: it is now ABORTED (${result.aborted.length} task(s)) and its lock released.`
        : `Run ${ref.runId} was already closed.`,
    );
  });
}
