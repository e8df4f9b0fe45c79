/** orchestrate-and-plan's inputs as the options of core's planRun: mapping, nothing decided. */
import * as core from '@actions/core';
import {
  deployingRepository,
  githubLiveness,
  guardRun,
  maskRegistered,
  prepareTerraform,
  repositoryExclusions,
  runAudit,
  stepDescription,
  taskEnvironment,
  terraformResolver,
  workflowRunRef,
  workflowRunUrl,
  type AwsSession,
} from '@deploy-engine/action-kit';
import { scanRepositoryFiles, type PlanRunOptions, type RunRecord } from '@deploy-engine/core';
import type { OrchestrateInputs } from './inputs';

export async function planRunOptions(
  inputs: OrchestrateInputs,
  session: AwsSession,
  runRef: (run: RunRecord) => string,
  signal: AbortSignal,
): Promise<PlanRunOptions> {
  // Located while the run is prepared (a Terraform process of its own): the version is needed when
  // SKIP_DEPLOY compares it, before the run opens, and the binary when the plans run. A failure is
  // reported there (the catch only keeps it from being an unhandled rejection meanwhile).
  const terraform = prepareTerraform(inputs);
  const terraformVersion = terraform.then((t) => t.version);
  terraformVersion.catch(() => undefined);
  const exclude = repositoryExclusions(
    inputs.pathToMount,
    inputs.basePathOutput,
    inputs.excludeFilesPath,
  );
  const repositoryFiles = inputs.checkoutBranch
    ? await scanRepositoryFiles(inputs.pathToMount, exclude)
    : undefined;
  const deploying = deployingRepository(inputs.repositoryName);
  // A lock's holder whose workflow run ended is superseded; GitHub is asked only under Actions.
  const liveness = githubLiveness(inputs.githubToken);
  const workflowRun = workflowRunRef();
  if (deploying.warning) core.warning(deploying.warning);
  return {
    repoRoot: inputs.pathToMount,
    workdir: inputs.workdir,
    pluginDirs: inputs.pluginDirs,
    workspace: inputs.workspace,
    environment: inputs.environment,
    version: inputs.version,
    dynamicInputs: inputs.dynamicInputs,
    tfstate: inputs.stateBackend,
    awsRegion: inputs.awsRegion,
    workflowRunUrl: workflowRunUrl(),
    ...(workflowRun ? { workflowRun } : {}),
    ...(liveness ? { liveness } : {}),
    leaseMs: inputs.runLeaseSeconds * 1000,
    deployedFrom: deploying.from,
    audit: runAudit(inputs.repositoryName),
    mode: inputs.unified ? 'unified' : 'classic',
    operation: inputs.operation,
    forceDestroy: inputs.forceDestroy,
    skipDeploy: inputs.skipDeploy,
    terraformVersion,
    // TERRAFORM_VERSION overrides the plugins' runtime environments; theirs are installed now.
    ...(inputs.terraformVersion ? { terraformOverride: inputs.terraformVersion } : {}),
    resolveTerraform: terraformResolver(inputs),
    templateStrict: inputs.templateStrict,
    ...(repositoryFiles ? { repositoryFiles } : {}),
    // From here on the post step closes the run if this step dies before handing it on.
    onOpened: (run) => guardRun(runRef(run)),
    planning: async (run) => ({
      ...(await taskEnvironment(
        session,
        run.runId,
        { ...inputs, outputFileSuffix: inputs.basePathOutput },
        await terraform,
      )),
      guardrails: {
        localExecEnabled: inputs.localExecEnabled,
        allowedModules: inputs.allowedModules,
        allowedProviders: inputs.allowedProviders,
        allowedRemoteStates: inputs.allowedRemoteStates,
      },
      checkout: { root: inputs.pathToMount, exclude },
      parallelism: inputs.taskParallelism,
      templateStrict: inputs.templateStrict,
      maskLog: maskRegistered,
      ...(inputs.policy ? { policy: inputs.policy } : {}),
      executor: stepDescription(),
      ...(workflowRun ? { workflowRun } : {}),
    }),
    signal,
  };
}
