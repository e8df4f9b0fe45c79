/**
 * orchestrate-and-plan with DRIFT_CHECK: core's checkDrift on the target of the checkout's
 * stk.yaml, its report written as JSON under RUNNER_TEMP, summarised, and given as outputs
 * (drifted, drifted_plugins, drift_report). No run is opened: nothing for the post step to close.
 * The step fails after everything is written when a check failed, or with FAIL_ON_DRIFT on drift.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import {
  actionsLogger,
  maskedJson,
  repositoryExclusions,
  taskEnvironment,
  writeMaskedSummary,
  type AwsSession,
} from '@deploy-engine/action-kit';
import {
  checkDrift,
  driftCheckFailure,
  type BucketStores,
  type DriftReport,
} from '@deploy-engine/core';
import { renderDriftSummary } from './drift-summary';
import type { OrchestrateInputs } from './inputs';

/** Runs the drift check and reports it (see the header); throws when the step must fail. */
export async function runDriftCheck(
  inputs: OrchestrateInputs,
  session: AwsSession,
  deps: BucketStores,
  signal: AbortSignal,
): Promise<void> {
  // A folder of its own per check: nothing of a run's work folder is reused.
  const checkId = `drift-${Date.now()}`;
  const environment = await taskEnvironment(session, checkId, {
    ...inputs,
    outputFileSuffix: inputs.basePathOutput,
  });
  const report = await checkDrift(deps, {
    repoRoot: inputs.pathToMount,
    workdir: inputs.workdir,
    workspace: inputs.workspace,
    environment: inputs.environment,
    workDir: environment.workDir,
    terraform: environment.terraform,
    terraformVersion: environment.terraformVersion,
    ...(environment.resolveTerraform ? { resolveTerraform: environment.resolveTerraform } : {}),
    ...(environment.providerMirrorDir ? { providerMirrorDir: environment.providerMirrorDir } : {}),
    stateAccess: environment.stateAccess,
    guardrails: {
      localExecEnabled: inputs.localExecEnabled,
      allowedModules: inputs.allowedModules,
      allowedProviders: inputs.allowedProviders,
      allowedRemoteStates: inputs.allowedRemoteStates,
    },
    checkout: {
      root: inputs.pathToMount,
      exclude: repositoryExclusions(
        inputs.pathToMount,
        inputs.basePathOutput,
        inputs.excludeFilesPath,
      ),
    },
    signal,
  }).finally(() =>
    // The refreshed plans hold the resources' attributes, sensitive ones too: leave none behind.
    rm(environment.workDir, { recursive: true, force: true }),
  );
  const file = await writeReport(report, checkId);
  core.setOutput('drifted', String(report.drifted));
  core.setOutput('drifted_plugins', JSON.stringify(report.driftedPlugins));
  core.setOutput('drift_report', file);
  core.summary.addRaw(renderDriftSummary(report));
  await writeMaskedSummary();
  if (report.notice && !report.deployment) core.notice(report.notice);
  const failure = driftCheckFailure(report, inputs.failOnDrift);
  if (failure) throw new Error(`Drift check: ${failure} The report is in ${file}.`);
}

/** The report as JSON (every string masked), in RUNNER_TEMP: outside the checkout. */
async function writeReport(report: DriftReport, checkId: string): Promise<string> {
  const dir = join(process.env.RUNNER_TEMP ?? tmpdir(), 'deploy-engine');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${checkId}-report.json`);
  await writeFile(file, `${JSON.stringify(JSON.parse(maskedJson(report)), null, 2)}\n`);
  actionsLogger.info(`Drift report: ${file}`);
  return file;
}
