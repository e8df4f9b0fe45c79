import { closeRunLeftOpen, runAction, runnerInputs } from '@deploy-engine/action-kit';
import { parseRuntimeInputs, RUNTIME_CREDENTIAL_INPUTS } from './inputs';

/**
 * The post step: runs after the main step even when the job was cancelled or the main step was
 * killed, and closes the run if the main step did not, so the next deployment is never blocked.
 */
export async function post(): Promise<void> {
  await runAction('runtime-tasks (post)', () =>
    closeRunLeftOpen(
      () => parseRuntimeInputs(runnerInputs()).inputs.credentials,
      RUNTIME_CREDENTIAL_INPUTS,
    ),
  );
}
