import * as core from '@actions/core';
import { NotImplementedError, runAction, runnerInputs } from '@deploy-engine/action-kit';
import { parseCancelInputs } from './inputs';

/** The cancel-run step: makes sure a failed or cancelled pipeline leaves nothing blocked. */
export async function run(): Promise<void> {
  await runAction('cancel-run', async () => {
    const { inputs, warnings } = parseCancelInputs(runnerInputs());
    warnings.forEach((w) => core.warning(w));
    if (inputs.runId === '') {
      core.info('RUN_ID is empty: no run was opened, so there is nothing to cancel.');
      return;
    }
    throw new NotImplementedError(
      `Cancelling run ${inputs.runId} is not built yet; its records were not changed.`,
    );
  });
}
