/**
 * What a run records once every task succeeded: the deployment record (`last`, and the version
 * record for a type that keeps one), then the consumer index, each as its run type says.
 */
import type { Manifest } from '../manifest';
import type { RunRecord } from '../runs';
import { deploymentFingerprint } from '../deployment/fingerprint';
import { historyAudit } from '../deployment/run-audit';
import type { DeployedIacEntry } from '../deployment/deployed-iac';
import type { DeploymentMode } from '../tasks';
import type { OutcomeDependencies } from './run-type';
import { runTypeOf } from './table';

/**
 * @param mode how the run deployed (from its task list: the handler table's, above this layer)
 * @param deployedIac the IaC this job deployed, by plugin alias; the others keep the last
 *   deployment's
 * @param terraformVersion the version that applied it (SKIP_DEPLOY compares it)
 */
export async function recordRunOutcome(
  deps: OutcomeDependencies,
  run: RunRecord,
  manifest: Manifest,
  mode: DeploymentMode,
  deployedIac: (alias: string) => DeployedIacEntry | undefined,
  terraformVersion: string,
): Promise<void> {
  const { target } = manifest;
  const runType = runTypeOf(run.type);
  const last = await deps.history.getLast(target);
  const at = new Date().toISOString();
  const iac: Record<string, { key: string; digest: string }> = {};
  for (const alias of manifest.deployOrder) {
    const entry = deployedIac(alias) ?? last?.iac[alias];
    if (entry) iac[alias] = entry;
  }
  await deps.history.record(
    target,
    {
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
      ...runType.recordFields(run, at),
    },
    { keepVersion: runType.keepsVersion },
  );
  await runType.recordConsumers(deps, run, manifest);
}
