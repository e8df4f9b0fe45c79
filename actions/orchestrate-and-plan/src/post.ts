import { closeRunLeftOpen, runAction, runnerInputs } from '@deploy-engine/action-kit';
import { parseOrchestrateInputs } from './inputs';

/**
 * The post step: runs after the main step even when the job was cancelled or the main step died
 * (S3 hung, the runner killed it). A run the main step opened but neither closed nor handed on to
 * the approved job is closed here, so its lock does not block the next deployment.
 */
export async function post(): Promise<void> {
  await runAction('orchestrate-and-plan (post)', () =>
    closeRunLeftOpen(() => parseOrchestrateInputs(runnerInputs()).inputs.credentials),
  );
}
