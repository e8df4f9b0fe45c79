import { ConfigurationError } from '../errors';
import type { DeploymentRecord } from '../workspace';
import { recordedManifest } from '../deployment/lifecycle-manifests';
import type { DeploymentMode } from '../tasks';

/**
 * Refuses a run in another mode than `record` was deployed in: the two keep Terraform state
 * differently, so switching would deploy everything a second time.
 */
export function checkMode(record: DeploymentRecord, mode: DeploymentMode, what: string): void {
  const recorded = record.mode ?? 'classic';
  if (recorded === mode) return;
  const { target } = recordedManifest(record);
  throw new ConfigurationError({
    message: `${target.appName} was ${what} to ${target.workspace}/${target.environment} in ${recorded} mode (run ${record.runId}); this run asks for ${mode} mode. The two keep Terraform state differently (${recorded === 'classic' ? 'one state per plugin' : 'one state for the application'}), so switching would deploy everything a second time.`,
    hint: `Keep ${recorded} mode (${recorded === 'classic' ? 'FEATURES_UNIFIED_DEPLOY: false' : 'FEATURES_UNIFIED_DEPLOY: true'}) for this application and environment, or migrate its state by hand first.`,
  });
}
