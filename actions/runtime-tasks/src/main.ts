import * as core from '@actions/core';
import { NotImplementedError, runAction, runnerInputs } from '@deploy-engine/action-kit';
import { parseRuntimeInputs } from './inputs';

/** The runtime-tasks step: inputs first, then (once built) the approved tasks of the run. */
export async function run(): Promise<void> {
  await runAction('runtime-tasks', async () => {
    const { inputs, warnings } = parseRuntimeInputs(runnerInputs());
    warnings.forEach((w) => core.warning(w));
    core.info(`Inputs are valid: run ${inputs.runId}, ${inputs.tasks.length} task(s).`);
    throw new NotImplementedError(
      'Executing tasks is not built yet; nothing was rendered or applied.',
    );
  });
}
