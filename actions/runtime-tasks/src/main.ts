import { rm } from 'node:fs/promises';
import * as core from '@actions/core';
import {
  actionsLogger,
  guardRun,
  maskRegistered,
  openAwsSession,
  readApprovals,
  releaseRun,
  repositoryExclusions,
  runAction,
  runnerInputs,
  runnerRepository,
  showDebugLines,
  stepDescription,
  taskEnvironment,
  workflowRunRef,
} from '@deploy-engine/action-kit';
import {
  applyRegion,
  ConfigurationError,
  confinePath,
  executeRunTasks,
  ForeignRunError,
  parseRunRef,
  openBucketStores,
  RunClaimedError,
  S3ObjectStore,
} from '@deploy-engine/core';
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
    const logger = actionsLogger;
    const ref = parseRunRef(inputs.runId);
    const workflowRun = workflowRunRef();
    // From here on the post step closes the run if this step does not (also when the session
    // cannot be opened or the job is cancelled while it is).
    guardRun(inputs.runId);
    // Read meanwhile; recorded once this job holds the run. It never fails the deployment.
    const approval = readApprovals({ token: inputs.githubToken });
    const session = await openAwsSession(ref.region, inputs.credentials, logger, {
      credentialInputs: RUNTIME_CREDENTIAL_INPUTS,
    });
    const iacStore = new S3ObjectStore(session.s3, ref.bucket);
    const deps = openBucketStores(iacStore, logger, ref.region);
    let awsRegion: string;
    try {
      awsRegion = applyRegion(inputs.awsRegion, await deps.runs.getRun(ref.runId), ref.region);
    } catch (error) {
      // A wrong AWS_REGION changes nothing: the run stays open for a re-run with the right one.
      if (error instanceof ConfigurationError) releaseRun();
      throw error;
    }
    if (inputs.excludeFilesPath) {
      const excluded = confinePath(
        inputs.pathToMount,
        inputs.excludeFilesPath,
        'EXCLUDE_FILES_PATH',
      );
      await rm(excluded, { recursive: true, force: true });
      actionsLogger.info(
        `Deleted ${inputs.excludeFilesPath} (EXCLUDE_FILES_PATH) before running tasks.`,
      );
    }
    const result = await executeRunTasks(deps, {
      runId: ref.runId,
      tasks: inputs.tasks,
      executor: stepDescription(),
      ...(workflowRun ? { workflowRun } : {}),
      // As the runner says it, which a workflow cannot override (REPOSITORY_NAME can be anything).
      repository: runnerRepository(),
      ...(await taskEnvironment(session, ref.runId, { ...inputs, awsRegion })),
      parallelism: inputs.taskParallelism,
      templateStrict: inputs.templateStrict,
      maskLog: maskRegistered,
      approval: await approval,
      checkout: {
        root: inputs.pathToMount,
        exclude: repositoryExclusions(inputs.pathToMount, inputs.outputFileSuffix, ''),
        requested: inputs.checkoutBranch,
      },
      guardrails: {
        localExecEnabled: inputs.localExecEnabled,
        allowedModules: inputs.allowedModules,
        allowedProviders: inputs.allowedProviders,
        allowedRemoteStates: inputs.allowedRemoteStates,
      },
      signal,
    }).catch((error: unknown) => {
      // Another step executes the run, or it is another repository's: this one changed nothing,
      // and its post step must not either.
      if (error instanceof RunClaimedError || error instanceof ForeignRunError) releaseRun();
      throw error;
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
