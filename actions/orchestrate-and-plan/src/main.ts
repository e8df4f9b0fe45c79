import * as core from '@actions/core';
import {
  actionsLogger,
  openAwsSession,
  runAction,
  runnerInputs,
  workflowRunUrl,
} from '@deploy-engine/action-kit';
import {
  DeploymentHistory,
  formatRunRef,
  formatTaskList,
  openClassicRun,
  RunStore,
  S3ObjectStore,
  WorkspaceContextStore,
} from '@deploy-engine/core';
import { parseOrchestrateInputs } from './inputs';
import { writeOrchestrateSummary } from './summary';

/** The orchestrate-and-plan step: manifest, run, tasks to approve. */
export async function run(): Promise<void> {
  await runAction('orchestrate-and-plan', async () => {
    const { inputs, warnings } = parseOrchestrateInputs(runnerInputs());
    warnings.forEach((w) => core.warning(w));
    const logger = actionsLogger;
    const session = await openAwsSession(inputs.iacBucket.region, inputs.credentials, logger);
    const iacStore = new S3ObjectStore(session.s3, inputs.iacBucket.name);
    const runs = new RunStore(iacStore, logger, { region: inputs.iacBucket.region });
    const opened = await openClassicRun(
      {
        runs,
        context: new WorkspaceContextStore(iacStore),
        history: new DeploymentHistory(iacStore),
        logger,
      },
      {
        repoRoot: inputs.pathToMount,
        workdir: inputs.workdir,
        pluginDirs: inputs.pluginDirs,
        workspace: inputs.workspace,
        environment: inputs.environment,
        version: inputs.version,
        dynamicInputs: inputs.dynamicInputs,
        tfstate: { bucket: inputs.tfstateBucket.name, region: inputs.tfstateBucket.region },
        workflowRunUrl: workflowRunUrl(),
      },
    );
    const runRef = opened.run
      ? formatRunRef({
          runId: opened.run.runId,
          bucket: inputs.iacBucket.name,
          region: inputs.iacBucket.region,
        })
      : '';
    if (opened.run) {
      core.info(`RUN DEPLOY_SELF_HOSTED successfully started with ID: ${opened.run.runId}`);
    }
    core.setOutput('run_id', runRef);
    core.setOutput('apply_tasks', formatTaskList(opened.run?.tasks ?? []));
    await writeOrchestrateSummary(opened, runRef);
  });
}
