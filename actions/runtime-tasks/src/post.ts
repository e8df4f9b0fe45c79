import {
  closeRunLeftOpen,
  leavePoolLeftOpen,
  runAction,
  runnerInputs,
} from '@deploy-engine/action-kit';
import { parseRuntimeInputs, RUNTIME_CREDENTIAL_INPUTS } from './inputs';

/**
 * The post step: runs after the main step even when the job was cancelled or the main step was
 * killed, and closes the run if the main step did not, so the next deployment is never blocked.
 * A pool's worker (WORKERS > 1) only leaves the run, which the other workers may still execute
 * (see leavePoolLeftOpen).
 */
export async function post(): Promise<void> {
  await runAction('runtime-tasks (post)', () => {
    const inputs = () => parseRuntimeInputs(runnerInputs()).inputs;
    let pool = false;
    try {
      pool = inputs().workers > 1;
    } catch {
      // Inputs the main step refused: it guarded no run (closeRunLeftOpen finds none).
    }
    return pool
      ? leavePoolLeftOpen(() => inputs().credentials, RUNTIME_CREDENTIAL_INPUTS)
      : closeRunLeftOpen(() => inputs().credentials, RUNTIME_CREDENTIAL_INPUTS);
  });
}
