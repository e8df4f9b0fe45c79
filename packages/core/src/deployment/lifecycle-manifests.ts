/**
 * The manifests of the runs that do not come from stk.yaml as it is: a ROLLBACK redeploys what an
 * earlier version tag deployed, a DESTROY removes everything the last deployment left. Both are
 * built from the deployment history, so they need neither the plugins' folders nor their
 * templates: the IaC recorded then is what runs.
 */
import { ConfigurationError } from '../errors';
import { canonicalize } from '../encoding';
import { inDestroyOrder, manifestDigest, type Manifest } from '../manifest';
import { liveDeployment, type DeploymentRecord, type VersionSummary } from '../workspace';
import { describeTarget, type DeploymentTarget } from '../target';

/** The manifest recorded with a deployment (the history stores it as plain JSON). */
export function recordedManifest(record: DeploymentRecord): Manifest {
  return record.manifest as unknown as Manifest;
}

/**
 * A rollback to the deployment recorded for `tag`: its plugins, order and rendered IaC; plugins
 * deployed since (in `last`, not in the tag) are destroyed, consumers first.
 */
export function rollbackManifest(
  target: DeploymentTarget,
  tag: DeploymentRecord,
  last: DeploymentRecord | undefined,
): Manifest {
  const then = recordedManifest(tag);
  const missing = then.deployOrder.filter((alias) => !tag.iac[alias]);
  if (missing.length > 0) {
    throw new ConfigurationError({
      message: `Version ${tag.version} of ${describeTarget(target)} (run ${tag.runId}) has no recorded IaC for ${missing.join(', ')}, so it cannot be redeployed as it was.`,
      hint: 'Roll back to another version, or deploy that version again from its commit.',
    });
  }
  const kept = new Set(then.deployOrder);
  const live = liveDeployment(last);
  const lastInfra = (live ? recordedManifest(live).plugins : []).filter((p) => p.type === 'infra');
  const destroy = inDestroyOrder(lastInfra.filter((p) => !kept.has(p.alias)));
  const before = new Set(lastInfra.map((p) => p.alias));
  const body = {
    schemaVersion: 1 as const,
    target,
    version: tag.version,
    plugins: then.plugins,
    deployOrder: then.deployOrder,
    destroy,
    rollback: {
      version: tag.version,
      runId: tag.runId,
      finishedAt: tag.finishedAt,
      iac: Object.fromEntries(
        then.deployOrder.map((alias) => [alias, tag.iac[alias] as { key: string; digest: string }]),
      ),
      added: destroy.map((p) => p.alias),
      recreated: then.deployOrder.filter((alias) => !before.has(alias)),
    },
  };
  return canonicalize({ ...body, digest: manifestDigest(body) }) as Manifest;
}

/** A destroy of everything `last` deployed, consumers before producers. */
export function destroyManifest(
  target: DeploymentTarget,
  last: DeploymentRecord,
  version: string,
): Manifest {
  const infra = recordedManifest(last).plugins.filter((p) => p.type === 'infra');
  return destroying(target, version, inDestroyOrder(infra));
}

/** A manifest with nothing in it, for a destroy when nothing is deployed. */
export function emptyManifest(target: DeploymentTarget, version: string): Manifest {
  return destroying(target, version, []);
}

function destroying(
  target: DeploymentTarget,
  version: string,
  destroy: Manifest['destroy'],
): Manifest {
  const body = {
    schemaVersion: 1 as const,
    target,
    version,
    plugins: [],
    deployOrder: [],
    destroy,
  };
  return canonicalize({ ...body, digest: manifestDigest(body) }) as Manifest;
}

/** The refusal of a rollback to a tag with no successful deployment. */
export function unknownVersionError(
  target: DeploymentTarget,
  version: string,
  deployed: readonly VersionSummary[],
): ConfigurationError {
  return new ConfigurationError({
    message:
      `Version ${version} was never deployed successfully to ${describeTarget(target)}, so there is nothing recorded to roll back to. ` +
      (deployed.length > 0
        ? `Versions that can be rolled back to (newest first): ${deployed
            .slice(0, 20)
            .map((v) => `${v.version} (run ${v.runId}, ${v.finishedAt})`)
            .join(', ')}${deployed.length > 20 ? `, and ${deployed.length - 20} older` : ''}.`
        : 'No version of it was ever deployed successfully there.'),
    hint: 'Set ROLLBACK_TO to one of those versions (the VERSION input of the run that deployed it).',
  });
}
