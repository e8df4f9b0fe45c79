/**
 * ROLLBACK: redeploys the IaC an earlier version tag deployed (ROLLBACK_TO), not rendered again;
 * plugins deployed since are destroyed. It does not make a new version record.
 */
import { requirementsOf } from '../workspace';
import { rollbackManifest, unknownVersionError } from '../deployment/lifecycle-manifests';
import { checkMode } from './mode-check';
import type { RunTypeHandler } from './run-type';

/** Roll back to the deployment recorded for version `version`. */
export interface RollbackOperation {
  type: 'ROLLBACK';
  version: string;
}

export const rollbackRunType: RunTypeHandler<RollbackOperation> = {
  type: 'ROLLBACK',
  title: 'Rollback',
  describe: 'redeploys the IaC an earlier version deployed, as recorded',
  input: 'ROLLBACK_TO: <version>',
  async buildManifest({ deps, target: targetOf, mode }, operation) {
    const target = targetOf();
    const last = await deps.history.getLast(target);
    const tag = await deps.history.getByVersion(target, operation.version);
    if (!tag)
      throw unknownVersionError(target, operation.version, await deps.history.listDeployed(target));
    checkMode(tag, mode, `deployed as version ${tag.version}`);
    return { manifest: rollbackManifest(target, tag, last), last, templateWarnings: [] };
  },
  unchanged: () => [],
  skipReason: () => undefined,
  keepsVersion: false,
  recordFields: () => ({}),
  recordConsumers: (deps, run, manifest) =>
    deps.consumers.record(manifest.target, run.runId, requirementsOf(manifest.plugins)),
  summary({ manifest }, m) {
    const r = manifest.rollback;
    if (!r) return '';
    return [
      `⏪ ${m.strong(`Rollback to version ${m.code(r.version)}`)}: redeploys the IaC that run ${m.code(r.runId)} deployed (${m.text(r.finishedAt)}), not rendered again.`,
      r.added.length > 0 ? `Destroys ${m.codes(r.added)}, deployed since.` : '',
      r.recreated.length > 0 ? `Creates ${m.codes(r.recreated)} again, removed since.` : '',
    ]
      .filter(Boolean)
      .join(' ');
  },
  nothingToDo: 'Nothing to deploy or destroy: no run was opened.',
};
