/**
 * What makes two deployments the same for SKIP_DEPLOY: the same plugins in the same order, each
 * with the same digest (resolved inputs, every file of the plugin, the values of the Connection
 * Interfaces it requires from the workspace), the same mode and the same Terraform versions, and
 * with CHECKOUT_BRANCH the same repository files.
 */
import { canonicalJson, sha256 } from '../encoding';
import type { Manifest } from '../manifest';
import type { DeploymentRecord } from '../workspace';
import { recordedManifest } from './lifecycle-manifests';
import type { DeploymentMode } from '../tasks';

export function deploymentFingerprint(
  manifest: Manifest,
  mode: DeploymentMode,
  terraformVersion: string,
): string {
  return sha256(
    canonicalJson({
      target: manifest.target,
      plugins: manifest.plugins.map((p) => [p.alias, p.type, p.digest]),
      deployOrder: manifest.deployOrder,
      mode,
      terraformVersion,
      // Only when plugins chose their own, so other deployments keep the fingerprints they had.
      ...(manifest.terraformVersions ? { terraformVersions: manifest.terraformVersions } : {}),
      ...(manifest.repositoryFiles ? { repositoryFiles: manifest.repositoryFiles.digest } : {}),
    }),
  );
}

/** Infra plugins whose digest is the one `last` deployed them with. */
export function unchangedPlugins(manifest: Manifest, last: DeploymentRecord | undefined): string[] {
  if (!last || last.destroyed) return [];
  const before = new Map(recordedManifest(last).plugins.map((p) => [p.alias, p.digest]));
  return manifest.deployOrder.filter(
    (alias) => before.get(alias) === manifest.plugins.find((p) => p.alias === alias)?.digest,
  );
}
