import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as core from '@actions/core';
import { actionsLogger, openAwsSession, runAction, runnerInputs } from '@deploy-engine/action-kit';
import { parseRunRef, RunStore, S3ObjectStore, type CancelOutcome } from '@deploy-engine/core';
import { CANCEL_CREDENTIAL_INPUTS, parseCancelInputs } from './inputs';
import { writeCancelSummary } from './summary';
import { runnerHasNoCredentials, withoutCredentialsMessage } from './without-credentials';

/** The cancel-run step: makes sure a failed or cancelled pipeline leaves nothing blocked. */
export async function run(): Promise<void> {
  await runAction('cancel-run', async () => {
    const { inputs, warnings } = parseCancelInputs(runnerInputs());
    warnings.forEach((w) => core.warning(w));
    let result: CancelOutcome | undefined;
    let message: string;
    if (inputs.runId === '') {
      message = 'RUN_ID is empty: no run was opened, so there is nothing to cancel.';
    } else {
      const ref = parseRunRef(inputs.runId);
      const session = await openAwsSession(ref.region, inputs.credentials, actionsLogger, {
        credentialInputs: CANCEL_CREDENTIAL_INPUTS,
      });
      if (await runnerHasNoCredentials(inputs.credentials, session)) {
        message = withoutCredentialsMessage(ref, CANCEL_CREDENTIAL_INPUTS);
        core.warning(message);
        await finish(inputs.runId, 'not-closed-no-credentials', message, undefined);
        return;
      }
      const runs = new RunStore(new S3ObjectStore(session.s3, ref.bucket), actionsLogger, {
        region: ref.region,
      });
      result = await runs.cancelRun(ref.runId, { force: inputs.forceCancel });
      message =
        result.outcome === 'not-found'
          ? `Run ${ref.runId} does not exist in ${ref.bucket}: nothing to cancel.`
          : result.outcome === 'already-finished'
            ? `Run ${ref.runId} had already finished as ${result.record?.status}: nothing to cancel; its lock is released.`
            : `Run ${ref.runId} was cancelled: ${result.aborted.length} unfinished task(s) marked ABORTED, and its lock released.${result.record?.executor ? ` The step executing it (${result.record.executor.description}) interrupts Terraform within about 2 s.` : ''}`;
    }
    actionsLogger.info(message);
    await finish(inputs.runId, result?.outcome ?? 'nothing-to-cancel', message, result);
  });
}

/** The run_data output (a JSON file) and the job summary, whatever the outcome. */
async function finish(
  runId: string,
  outcome: string,
  message: string,
  result: CancelOutcome | undefined,
): Promise<void> {
  const file = join(process.env.RUNNER_TEMP ?? process.cwd(), `run-data-${Date.now()}.json`);
  const data = {
    runId: runId || null,
    outcome,
    message,
    run: result?.record ?? null,
    aborted: result?.aborted ?? [],
  };
  await writeFile(file, `${JSON.stringify(data, null, 2)}\n`);
  core.setOutput('run_data', file);
  await writeCancelSummary(message, result);
}
