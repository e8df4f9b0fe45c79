import * as core from '@actions/core';
import { NotImplementedError, runAction, runnerInputs } from '@deploy-engine/action-kit';
import { parseOrchestrateInputs } from './inputs';

/** The orchestrate-and-plan step: inputs first, then (once built) manifest, run and plan. */
export async function run(): Promise<void> {
  await runAction('orchestrate-and-plan', async () => {
    const { inputs, warnings } = parseOrchestrateInputs(runnerInputs());
    warnings.forEach((w) => core.warning(w));
    core.info(
      `Inputs are valid: workspace ${inputs.workspace}, environment ${inputs.environment}, version ${inputs.version}, application at ${inputs.workdir} under ${inputs.pathToMount}.`,
    );
    throw new NotImplementedError(
      'Reading .stk/stk.yaml, opening a run and planning are not built yet; no run was opened and nothing was changed.',
    );
  });
}
