import * as core from '@actions/core';
import {
  actionsLogger,
  guardRun,
  openAwsSession,
  readApprovals,
  releaseRun,
  runAction,
  runnerInputs,
  showDebugLines,
} from '@deploy-engine/action-kit';
import {
  applyRun,
  parseRunRef,
  openBucketStores,
  S3ObjectStore,
  workerHeartbeatMs,
} from '@deploy-engine/core';
import { executeOptions } from './execute-options';
import { parseRuntimeInputs, RUNTIME_CREDENTIAL_INPUTS } from './inputs';
import { writeRuntimeSummary } from './summary';

/** The runtime-tasks step: executes the approved tasks of the run and closes it. */
export async function run(): Promise<void> {
  await runAction('runtime-tasks', async ({ signal }) => {
    const parser = runnerInputs();
    const { inputs, warnings } = parseRuntimeInputs(parser);
    showDebugLines(inputs.logLevel === 'debug');
    parser.notices().forEach((n) => core.notice(n));
    warnings.forEach((w) => core.warning(w));
    const ref = parseRunRef(inputs.runId);
    // From here on the post step closes the run if this step does not (also when the session
    // cannot be opened or the job is cancelled while it is).
    guardRun(inputs.runId);
    // Read meanwhile; recorded once this job holds the run. It never fails the deployment.
    const approval = readApprovals({ token: inputs.githubToken });
    const session = await openAwsSession(ref.region, inputs.credentials, actionsLogger, {
      credentialInputs: RUNTIME_CREDENTIAL_INPUTS,
    });
    const iacStore = new S3ObjectStore(session.s3, ref.bucket);
    // A pool's workers beat ten times per lease and count as gone after it (see WORKER_LEASE_SECONDS).
    const deps = openBucketStores(
      iacStore,
      actionsLogger,
      ref.region,
      inputs.workers > 1
        ? {
            heartbeat: {
              intervalMs: workerHeartbeatMs(inputs.workerLeaseMs),
              silenceMs: inputs.workerLeaseMs,
            },
          }
        : {},
    );
    const result = await applyRun(deps, {
      runId: ref.runId,
      awsRegion: inputs.awsRegion,
      iacBucketRegion: ref.region,
      checkout: { root: inputs.pathToMount, excludeFilesPath: inputs.excludeFilesPath },
      execution: async (awsRegion) =>
        executeOptions(
          inputs,
          session,
          { runId: ref.runId, awsRegion, approval: await approval },
          signal,
        ),
      // This step changed nothing of the run, and its post step must not either.
      onUntouched: releaseRun,
    });
    // executeRunTasks has closed the run (success or failure): the post step has nothing to do.
    releaseRun();
    await writeRuntimeSummary(result);
    if (result.error !== undefined) {
      throw result.error instanceof Error ? result.error : new Error(JSON.stringify(result.error));
    }
    actionsLogger.info(`Run ${ref.runId} ${result.run.status}.`);
  });
}
