/** runtime-tasks' inputs as the options of core's executeRunTasks: mapping, nothing decided. */
import {
  guardPoolWorker,
  maskRegistered,
  repositoryExclusions,
  runnerRepository,
  stepDescription,
  taskEnvironment,
  workflowRunRef,
  type AwsSession,
} from '@deploy-engine/action-kit';
import type { ExecuteOptions, RunApproval } from '@deploy-engine/core';
import type { RuntimeInputs } from './inputs';

export async function executeOptions(
  inputs: RuntimeInputs,
  session: AwsSession,
  run: { runId: string; awsRegion: string; approval: RunApproval },
  signal: AbortSignal,
): Promise<Omit<ExecuteOptions, 'runId'>> {
  const workflowRun = workflowRunRef();
  const repository = runnerRepository();
  return {
    tasks: inputs.tasks,
    executor: stepDescription(),
    ...(workflowRun ? { workflowRun } : {}),
    // As the runner says it, which a workflow cannot override (REPOSITORY_NAME can be anything).
    ...(repository ? { repository } : {}),
    ...(await taskEnvironment(session, run.runId, { ...inputs, awsRegion: run.awsRegion })),
    parallelism: inputs.taskParallelism,
    templateStrict: inputs.templateStrict,
    maskLog: maskRegistered,
    ...(inputs.policy ? { policy: inputs.policy } : {}),
    approval: run.approval,
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
    ...(inputs.workers > 1
      ? {
          pool: {
            workers: inputs.workers,
            leaseMs: inputs.workerLeaseMs,
            // From here on the post step leaves the run as this worker (see post.ts).
            onJoined: guardPoolWorker,
          },
        }
      : {}),
  };
}
