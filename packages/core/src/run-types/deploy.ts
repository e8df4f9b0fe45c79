/**
 * DEPLOY: deploys .stk/stk.yaml as it is, against the workspace context and the last successful
 * deployment; with SKIP_DEPLOY an unchanged deployment ends SKIPPED at once.
 */
import { secretText } from '../logging';
import { quietLogger } from '../logging/quiet-logger';
import { buildManifest, connectionTypeNames } from '../manifest';
import { mergeTypes, readRepositoryTypes, REPOSITORY_TYPES_DIR } from '../connection-types';
import { describeUndefinedReference, withTemplateSession } from '../templates';
import { liveDeployment, requirementsOf } from '../workspace';
import { deploymentFingerprint, unchangedPlugins } from '../deployment/fingerprint';
import { recordedManifest } from '../deployment/lifecycle-manifests';
import { undefinedModeOf } from '../deployment/template-warnings';
import type { ManifestBuildContext, RunTypeHandler } from './run-type';

/** Deploy stk.yaml; `skipUnchanged` (SKIP_DEPLOY): end SKIPPED when nothing changed. */
export interface DeployOperation {
  type: 'DEPLOY';
  skipUnchanged?: boolean;
}

export const deployRunType: RunTypeHandler<DeployOperation> = {
  type: 'DEPLOY',
  title: 'Deployment',
  describe: 'deploys .stk/stk.yaml as it is',
  input: 'the default',
  buildManifest: buildDeployManifest,
  unchanged: unchangedPlugins,
  skipReason(operation, manifest, live, mode, terraformVersion) {
    if (operation.skipUnchanged !== true) return undefined;
    if (!live?.fingerprint || manifest.destroy.length > 0) return undefined;
    if (live.fingerprint !== deploymentFingerprint(manifest, mode, terraformVersion))
      return undefined;
    return `Nothing changed since run ${live.runId} deployed version ${live.version} (${live.finishedAt}): the same plugins in the same order, with the same inputs, files and required Connection Interface values, in ${mode} mode with Terraform ${terraformVersion}. SKIP_DEPLOY is on, so the run ends SKIPPED with nothing to approve.`;
  },
  keepsVersion: true,
  recordFields: () => ({}),
  recordConsumers: (deps, run, manifest) =>
    deps.consumers.record(manifest.target, run.runId, requirementsOf(manifest.plugins)),
  summary: () => '',
  nothingToDo: 'Nothing to deploy or destroy: no run was opened.',
};

async function buildDeployManifest({ deps, options, descriptor, logger }: ManifestBuildContext) {
  // Broken type files fail here too, before any call to S3.
  const repositoryTypes = await readRepositoryTypes(options.repoRoot, options.workdir);
  // Only the interfaces stk.yaml requires: the run costs the same in a workspace of any size.
  // v1 connectors may be required ones too: which, only plugin.yaml says.
  const required = descriptor.plugins.flatMap((p) =>
    [...p.requires, ...p.connectors].map((r) => r.name),
  );
  const [found, sharedValues, workspaceTypes] = await Promise.all([
    deps.context.getMany(options.workspace, options.environment, required),
    deps.sharedValues.resolve(options.workspace, options.environment),
    deps.connectionTypes.list(options.workspace),
  ]);
  for (const value of Object.values(sharedValues)) {
    const text = value.secret ? secretText(value.value) : undefined;
    if (text) logger.addSecret(text);
  }
  const { types: connectionTypes, notices } = mergeTypes(repositoryTypes, workspaceTypes);
  notices.forEach((n) => logger.warning(n));
  const manifestOptions = {
    ...options,
    connectionInterfaces: [...found.values()],
    sharedValues,
    connectionTypes,
    logger,
  };
  // The target (and so the history to compare with) is known only once stk.yaml is read.
  // Computed inputs render inside: the session gives them the mode and collects what was undefined.
  const built = await withTemplateSession(undefinedModeOf(options.templateStrict), () =>
    buildManifest(manifestOptions),
  );
  let manifest = built.result;
  const templateWarnings = built.references;
  for (const reference of templateWarnings)
    logger.warning(describeUndefinedReference(reference), reference.location);
  const last = await deps.history.getLast(manifest.target);
  const live = liveDeployment(last);
  if (live) {
    manifest = await buildManifest({
      ...manifestOptions,
      logger: quietLogger(logger),
      previous: recordedManifest(live),
    });
  }
  const open = connectionTypeNames(manifest.plugins).filter((n) => !connectionTypes.has(n));
  if (open.length > 0)
    logger.info(
      `Connection Interface Type(s) without a contract (open world, attributes not checked): ${open.join(', ')}. Contracts go in ${REPOSITORY_TYPES_DIR}/ or the workspace (CLI types put).`,
    );
  return { manifest, last, templateWarnings };
}
