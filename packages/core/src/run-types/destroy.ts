/**
 * DESTROY: destroys every plugin of the last deployment, consumers first. Its success marks the
 * target destroyed and empties its entries in the consumer index; the version records stay, so a
 * rollback can bring a version back.
 */
import { liveDeployment } from '../workspace';
import { destroyManifest, emptyManifest } from '../deployment/lifecycle-manifests';
import type { RunTypeHandler } from './run-type';

/** Destroy everything the last deployment left. */
export interface DestroyOperation {
  type: 'DESTROY';
}

export const destroyRunType: RunTypeHandler<DestroyOperation> = {
  type: 'DESTROY',
  title: 'Destroy',
  describe: 'destroys what the last deployment left; its history is kept',
  input: 'DESTROY: true',
  async buildManifest({ deps, options, target: targetOf, logger }) {
    const target = targetOf();
    const last = await deps.history.getLast(target);
    const live = liveDeployment(last);
    if (!live)
      logger.info(
        last?.destroyed
          ? `${target.appName} was already destroyed in ${target.workspace}/${target.environment} by run ${last.destroyed.runId} (${last.destroyed.at}).`
          : `${target.appName} was never deployed to ${target.workspace}/${target.environment}.`,
      );
    const manifest = live
      ? destroyManifest(target, live, options.version)
      : emptyManifest(target, options.version);
    return { manifest, last, templateWarnings: [] };
  },
  unchanged: () => [],
  skipReason: () => undefined,
  keepsVersion: false,
  recordFields: (run, at) => ({ destroyed: { runId: run.runId, at } }),
  recordConsumers: (deps, _run, manifest) => deps.consumers.remove(manifest.target),
  summary({ manifest, previous }, m) {
    if (manifest.destroy.length === 0) return '';
    return `🗑️ ${m.strong('Destroy')}: every plugin of the last deployment (run ${m.code(previous?.runId ?? '?')}, version ${m.code(previous?.version ?? '?')}) is destroyed, consumers first: ${m.codes(manifest.destroy.map((p) => p.alias))}. Their Connection Interfaces are removed; the deployment history is kept.`;
  },
  nothingToDo:
    'Nothing to destroy: nothing of this application is deployed in this environment. No run was opened.',
};
