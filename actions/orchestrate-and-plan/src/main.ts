import * as core from '@actions/core';
import {
  actionsLogger,
  openAwsSession,
  releaseRun,
  runAction,
  runnerInputs,
  showDebugLines,
} from '@deploy-engine/action-kit';
import {
  planRun,
  openBucketStores,
  warmUpTaskExecution,
  S3ObjectStore,
  type PlannedRun,
  type RunRecord,
} from '@deploy-engine/core';
import { parseOrchestrateInputs, PLAN_CREDENTIALS } from './inputs';
import { orchestrateOutputs } from './plan-outputs';
import { planRunOptions } from './plan-options';
import { commentOnPullRequest } from './pr-comment';
import { runPreview } from './preview';
import { runDriftCheck } from './drift';
import { writeOrchestrateSummary, type OrchestrateSummary } from './summary';

/** The orchestrate-and-plan step: manifest, run, and the plans reviewers approve. */
export async function run(): Promise<void> {
  await runAction('orchestrate-and-plan', async ({ signal }) => {
    const parser = runnerInputs();
    const { inputs, warnings } = parseOrchestrateInputs(parser);
    showDebugLines(inputs.logLevel === 'debug');
    parser.notices().forEach((n) => core.notice(n));
    warnings.forEach((w) => core.warning(w));
    // The parser and the render worker the first plan needs start while the run is opened.
    warmUpTaskExecution();
    const session = await openAwsSession(
      inputs.iacBucket.region,
      inputs.credentials,
      actionsLogger,
      {
        terraformCredentials: inputs.planCredentials,
        terraformCredentialsLabel: Object.values(PLAN_CREDENTIALS).join('/'),
      },
    );
    const iacStore = new S3ObjectStore(session.s3, inputs.iacBucket.name);
    const deps = openBucketStores(iacStore, actionsLogger, inputs.iacBucket.region);
    // PREVIEW: plans without a run (no lock, no records); see preview.ts.
    if (inputs.preview) return runPreview(inputs, session, deps, signal);
    if (inputs.driftCheck) return runDriftCheck(inputs, session, deps, signal);
    const runRef = (r: RunRecord) => deps.runs.runRef(r.runId);
    const result = await planRun(deps, await planRunOptions(inputs, session, runRef, signal));
    const { run: current, open } = result;
    // The run is closed, or open on purpose for the approved job: the post step leaves it alone.
    if (current && (current.status !== 'RUNNING' || open)) releaseRun();
    for (const [name, value] of Object.entries(orchestrateOutputs(result, runRef)))
      core.setOutput(name, value);
    const summary = orchestrateSummary(
      result,
      current ? runRef(current) : '',
      inputs.iacBucket.name,
    );
    await writeOrchestrateSummary(summary);
    if (inputs.prComment) await commentOnPullRequest(inputs.githubToken, summary);
    if (result.failure !== undefined) {
      const { failure } = result;
      throw failure instanceof Error ? failure : new Error(JSON.stringify(failure));
    }
  });
}

function orchestrateSummary(
  result: PlannedRun,
  runRef: string,
  planBucket: string,
): OrchestrateSummary {
  const { opened, run, plans, unplanned, templateWarnings, policyChecks } = result;
  return {
    opened,
    manifest: opened.manifest,
    ...(run ? { run } : {}),
    runRef,
    plans,
    unplanned,
    planBucket,
    templateWarnings,
    policyChecks,
  };
}
