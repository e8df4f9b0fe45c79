/**
 * What a run that succeeded records: the last deployment of its target (and, for a DEPLOY, the one
 * of its version tag, which a rollback returns to) and which Connection Interfaces it requires. A
 * DESTROY keeps the history and marks `last` destroyed.
 */
import { historyAudit } from '../deployment/run-audit';
import type { DeployedIacEntry } from '../deployment/deployed-iac';
import { deploymentFingerprint } from '../deployment/fingerprint';
import type { Manifest } from '../manifest';
import type { RunRecord } from '../runs';
import { TASK_TABLE } from '../task-handlers';
import { requirementsOf } from '../workspace';
import type { ExecuteDependencies } from './execute-options';

/**
 * @param deployedIac what this run deployed per plugin alias (the rest keeps the last deployment's)
 * @param terraformVersion the Terraform version the step ran (SKIP_DEPLOY compares it)
 */
export async function recordDeployment(
  deps: Pick<ExecuteDependencies, 'history' | 'consumers'>,
  run: RunRecord,
  manifest: Manifest,
  deployedIac: (alias: string) => DeployedIacEntry | undefined,
  terraformVersion: string,
): Promise<void> {
  const { target } = manifest;
  const last = await deps.history.getLast(target);
  const mode = TASK_TABLE.mode(run.tasks);
  const at = new Date().toISOString();
  const iac: Record<string, { key: string; digest: string }> = {};
  for (const alias of manifest.deployOrder) {
    const entry = deployedIac(alias) ?? last?.iac[alias];
    if (entry) iac[alias] = entry;
  }
  await deps.history.record(target, {
    runId: run.runId,
    runType: run.type,
    mode,
    version: run.version,
    finishedAt: at,
    manifestDigest: manifest.digest,
    manifest: manifest as unknown as Record<string, unknown>,
    iac,
    terraformVersion,
    fingerprint: deploymentFingerprint(manifest, mode, terraformVersion),
    ...historyAudit(run),
    ...(run.type === 'DESTROY' ? { destroyed: { runId: run.runId, at } } : {}),
  });
  if (run.type === 'DESTROY') {
    await deps.consumers.remove(target);
    return;
  }
  await deps.consumers.record(target, run.runId, requirementsOf(manifest.plugins));
}
