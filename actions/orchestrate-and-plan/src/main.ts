import * as core from '@actions/core';
import {
  actionsLogger,
  maskRegistered,
  deployingRepository,
  githubLiveness,
  guardRun,
  releaseRun,
  openAwsSession,
  prepareTerraform,
  repositoryExclusions,
  runAction,
  runAudit,
  runnerInputs,
  showDebugLines,
  stepDescription,
  taskEnvironment,
  terraformResolver,
  workflowRunRef,
  workflowRunUrl,
} from '@deploy-engine/action-kit';
import {
  CancelledError,
  executeRunTasks,
  formatTaskList,
  mergeReferences,
  openRun,
  openBucketStores,
  scanRepositoryFiles,
  PLANNING_TASKS,
  S3ObjectStore,
  cliCommand,
  type PlanRecord,
  type RunRecord,
  type UnplannedPlugin,
} from '@deploy-engine/core';
import { parseOrchestrateInputs, PLAN_CREDENTIALS } from './inputs';
import { planOutputs } from './plan-outputs';
import { upsertPullRequestComment } from './pr-comment';
import {
  renderPullRequestComment,
  writeOrchestrateSummary,
  type OrchestrateSummary,
} from './summary';

/** The orchestrate-and-plan step: manifest, run, and the plans reviewers approve. */
export async function run(): Promise<void> {
  await runAction('orchestrate-and-plan', async ({ signal }) => {
    const parser = runnerInputs();
    const { inputs, warnings } = parseOrchestrateInputs(parser);
    showDebugLines(inputs.logLevel === 'debug');
    parser.notices().forEach((n) => core.notice(n));
    warnings.forEach((w) => core.warning(w));
    const logger = actionsLogger;
    const session = await openAwsSession(inputs.iacBucket.region, inputs.credentials, logger, {
      terraformCredentials: inputs.planCredentials,
      terraformCredentialsLabel: Object.values(PLAN_CREDENTIALS).join('/'),
    });
    const iacStore = new S3ObjectStore(session.s3, inputs.iacBucket.name);
    const deps = openBucketStores(iacStore, logger, inputs.iacBucket.region);
    const { runs } = deps;
    const runRef = (r: RunRecord) => runs.runRef(r.runId);
    // Located first: the Terraform version is part of what SKIP_DEPLOY compares.
    const terraform = await prepareTerraform(inputs);
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
    const opened = await openRun(deps, {
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
      terraformVersion: terraform.version,
      // TERRAFORM_VERSION overrides the plugins' runtime environments; theirs are installed now.
      ...(inputs.terraformVersion ? { terraformOverride: inputs.terraformVersion } : {}),
      resolveTerraform: terraformResolver(inputs),
      templateStrict: inputs.templateStrict,
      ...(repositoryFiles ? { repositoryFiles } : {}),
      // From here on the post step closes the run if this step dies before handing it on.
      onOpened: (run) => guardRun(runRef(run)),
    });
    let current = opened.run;
    let plans: PlanRecord[] = [];
    let unplanned: UnplannedPlugin[] = [];
    let failure: unknown;
    let templateWarnings = [...(opened.templateWarnings ?? [])];
    if (current) {
      actionsLogger.info(
        `RUN ${current.type}_SELF_HOSTED successfully started with ID: ${current.runId}`,
      );
      const planning = current.tasks.filter((t) => PLANNING_TASKS.includes(t.taskType));
      if (planning.length > 0) {
        const result = await executeRunTasks(deps, {
          runId: current.runId,
          tasks: planning,
          ...(await taskEnvironment(
            session,
            current.runId,
            { ...inputs, outputFileSuffix: inputs.basePathOutput },
            terraform,
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
          leaveOpen: true,
          maskLog: maskRegistered,
          executor: stepDescription(),
          ...(workflowRun ? { workflowRun } : {}),
          signal,
        });
        current = result.run;
        plans = result.reports.flatMap((r) => r.plans ?? []);
        unplanned = result.reports.flatMap((r) => (r.unplanned ? [r.unplanned] : []));
        failure = result.error;
        templateWarnings = mergeReferences(templateWarnings, result.templateWarnings ?? []);
        const changes = planOutputs(opened.manifest, current, plans, unplanned).has_changes;
        if (failure === undefined && inputs.skipDeploy && changes === 'false') {
          current = await runs.finishRun(current.runId, 'SKIPPED');
          actionsLogger.info(
            `The saved plans change nothing and SKIP_DEPLOY is on: run ${current.runId} ends SKIPPED, nothing to approve.`,
          );
        }
      }
    }
    if (current?.status === 'RUNNING' && signal.aborted && failure === undefined) {
      // Cancelled once the plans were made: no approval job will follow, so close the run now.
      const cancelled = new CancelledError(
        'The job was cancelled before the plans were handed to the approval job.',
      );
      failure = cancelled;
      current = await runs.finishRun(current.runId, 'ABORTED', {
        kind: 'ABORTED',
        message: cancelled.message,
      });
    }
    const open = current?.status === 'RUNNING' && failure === undefined ? current : undefined;
    // The run is closed, or open on purpose for the approved job: the post step leaves it alone.
    if (current && (current.status !== 'RUNNING' || open)) releaseRun();
    core.setOutput('run_id', open ? runRef(open) : '');
    core.setOutput(
      'apply_tasks',
      formatTaskList(open?.tasks.filter((t) => !PLANNING_TASKS.includes(t.taskType)) ?? []),
    );
    const outputs = planOutputs(opened.manifest, open, plans, unplanned);
    for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
    core.setOutput('run_type', current?.type ?? '');
    core.setOutput('run_status', current?.status ?? '');
    core.setOutput('status_command', current ? cliCommand('status', runRef(current)) : '');
    const summary: OrchestrateSummary = {
      opened,
      manifest: opened.manifest,
      run: current,
      runRef: current ? runRef(current) : '',
      plans,
      unplanned,
      planBucket: inputs.iacBucket.name,
      templateWarnings,
    };
    await writeOrchestrateSummary(summary);
    if (inputs.prComment) await commentOnPullRequest(inputs.githubToken, summary);
    if (failure !== undefined) {
      throw failure instanceof Error ? failure : new Error(JSON.stringify(failure));
    }
  });
}

/** Posts or updates the plan comment; a failure here is a warning, the plan stands. */
async function commentOnPullRequest(token: string, summary: OrchestrateSummary): Promise<void> {
  const { target } = summary.manifest;
  try {
    const result = await upsertPullRequestComment({
      token,
      key: `${target.workspace}/${target.environment}/${target.appKind}/${target.appId}`,
      // The runner masks the log, not what we send to GitHub ourselves.
      body: maskRegistered(renderPullRequestComment(summary, workflowRunUrl())),
    });
    actionsLogger.info(
      result.action === 'skipped'
        ? `PR_COMMENT: no comment, since ${result.reason}.`
        : `PR_COMMENT: ${result.action} ${result.url}`,
    );
  } catch (error) {
    core.warning(
      `PR_COMMENT: the plan comment could not be written (${(error as Error).message}). Give the job \`permissions: pull-requests: write\`, or set PR_COMMENT to false.`,
    );
  }
}
