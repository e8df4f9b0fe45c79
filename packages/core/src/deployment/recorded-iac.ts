/**
 * IaC that an earlier run deployed, read back from the IaC bucket: the last deployment's IaC of a
 * plugin that left stk.yaml (to destroy it, in both modes), and the IaC of the version a rollback
 * returns to. One place for each lookup, and for what is said when it cannot be found.
 */
import { ConfigurationError, STORED_OBJECT_HINTS, type StoredObjectRef } from '../errors';
import type { Manifest } from '../manifest';
import { requireJson, type ObjectStore } from '../store';
import type { DeploymentHistory } from '../workspace';
import type { PluginSnapshot } from '../plugins';

export interface RecordedIacDeps {
  iacStore: ObjectStore;
  history: DeploymentHistory;
}

/** A snapshot read back, with the object it was read from (named if it does not restore). */
export interface RecordedIac<T extends PluginSnapshot> {
  snapshot: T;
  object: StoredObjectRef;
}

/**
 * The IaC of `alias`'s last successful deployment on the run's target. A plugin with none recorded
 * cannot be destroyed safely (ConfigurationError); a recorded object that is gone is an outside
 * failure naming its key.
 */
export async function lastDeployedIac<T extends PluginSnapshot = PluginSnapshot>(
  deps: RecordedIacDeps,
  manifest: Manifest,
  alias: string,
): Promise<RecordedIac<T>> {
  const last = await deps.history.getLast(manifest.target);
  const entry = last?.iac[alias];
  if (!entry) {
    throw new ConfigurationError({
      message: `Plugin ${alias} left stk.yaml, but no IaC of a successful deployment of it is recorded, so it cannot be destroyed safely.`,
      hint: 'Destroy its resources by hand, or put it back in stk.yaml.',
    });
  }
  const stored = await requireJson<T>(
    deps.iacStore,
    entry.key,
    `is missing: it is the IaC of ${alias}'s last deployment (run ${last?.runId ?? '?'}), needed to destroy it.`,
    `${STORED_OBJECT_HINTS.restore} Or destroy its resources by hand.`,
  );
  return { snapshot: stored.value, object: { bucket: deps.iacStore.bucket, key: entry.key } };
}

/**
 * In a rollback, the IaC the version rolled back to deployed for `alias`; undefined when the run
 * is not a rollback. Its init passes the guard again, like any IaC.
 */
export async function rollbackIac<T extends PluginSnapshot = PluginSnapshot>(
  deps: RecordedIacDeps,
  manifest: Manifest,
  runId: string,
  alias: string,
): Promise<RecordedIac<T> | undefined> {
  const source = manifest.rollback;
  if (!source) return undefined;
  const entry = source.iac[alias];
  // The manifest was built from that version's record, which lists every plugin it deployed.
  if (!entry) throw new Error(`run ${runId} has no recorded IaC for ${alias}`);
  const stored = await requireJson<T>(
    deps.iacStore,
    entry.key,
    `is missing: it is the IaC that run ${source.runId} deployed for ${alias} (version ${source.version}), so it cannot be redeployed.`,
    `${STORED_OBJECT_HINTS.restore} Or deploy that version again from its commit.`,
  );
  return { snapshot: stored.value, object: { bucket: deps.iacStore.bucket, key: entry.key } };
}
