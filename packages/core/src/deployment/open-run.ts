/**
 * What orchestrate-and-plan does first, in either mode and for every run type: build the manifest
 * (DEPLOY: from stk.yaml, against the workspace context and the last successful deployment;
 * ROLLBACK and DESTROY: from the deployment history), refuse what would break another application,
 * skip what did not change, open the run (the lock refuses a second one), keep the manifest and a
 * snapshot of every plugin with the run, and return the tasks to approve.
 * Every refusal happens before the run is opened. If anything fails after the run was opened, the
 * run is closed with the matching error status, which releases the lock: nothing is left blocked.
 */
import { classifyError, ConfigurationError } from '../errors';
import { secretText, type Logger } from '../logging';
import {
  buildManifest,
  connectionTypeNames,
  descriptorTarget,
  readDescriptor,
  type BuildManifestOptions,
  type Manifest,
} from '../manifest';
import type { RunRecord, RunStore, RunType, WorkflowRunLiveness, WorkflowRunRef } from '../runs';
import type { RunAudit } from '../audit';
import {
  describeConsumer,
  liveDeployment,
  requirementsOf,
  type Consumer,
  type DeployingRepository,
  type DeploymentRecord,
} from '../workspace';
import { MANIFEST_ARTIFACT, sourceArtifact } from './artifacts';
import type { BucketStores } from './bucket-stores';
import { deploymentFingerprint, unchangedPlugins } from './fingerprint';
import {
  destroyManifest,
  emptyManifest,
  recordedManifest,
  rollbackManifest,
  unknownVersionError,
} from './lifecycle-manifests';
import { snapshotDirectory } from '../plugins';
import type { RepositoryFiles } from './repository-files';
import { mergeTypes, readRepositoryTypes, REPOSITORY_TYPES_DIR } from '../connection-types';
import type { DeploymentMode } from '../tasks';
import { TASK_TABLE } from '../task-handlers';
import { checkRepositoryBinding } from './repository-binding';
import { checkInterfaceOwnership } from './interface-ownership';
import {
  chooseTerraformVersions,
  installTerraformVersions,
  withTerraformVersions,
  type TerraformResolver,
} from './terraform-versions';
import {
  describeUndefinedReference,
  withTemplateSession,
  type UndefinedReference,
} from '../templates';
import { undefinedModeOf } from './template-warnings';
import { FetchedPlugins } from '../registry/fetched-plugins';

/** What opening a run reads and writes in the IaC bucket (see openBucketStores). */
export type OpenRunDependencies = Omit<BucketStores, 'iacStore'>;

/** What the run does: deploy stk.yaml, roll back to a version tag, or destroy everything. */
export type RunOperation =
  | { type: 'DEPLOY'; skipUnchanged?: boolean }
  | { type: 'ROLLBACK'; version: string }
  | { type: 'DESTROY' };

export interface OpenRunOptions extends Omit<
  BuildManifestOptions,
  'connectionInterfaces' | 'previous' | 'logger'
> {
  tfstate: RunRecord['tfstate'];
  /** The region Terraform plans in (AWS_REGION), recorded so the apply uses the same. */
  awsRegion?: string;
  workflowRunUrl: string;
  /**
   * The repository (and workflow) the run comes from: an application id is deployed from one
   * repository per workspace (see repository-binding.ts).
   */
  deployedFrom: DeployingRepository;
  /** Default: DEPLOY. */
  operation?: RunOperation;
  /** Destroy even what other applications still require (FORCE_DESTROY); they are named. */
  forceDestroy?: boolean;
  /** CHECKOUT_BRANCH: the repository's files (see scanRepositoryFiles), recorded with the run. */
  repositoryFiles?: RepositoryFiles;
  /** The Terraform version the run plans with: part of what SKIP_DEPLOY compares. */
  terraformVersion: string;
  /** TERRAFORM_VERSION: overrides every plugin's runtime environment (see terraform-versions.ts). */
  terraformOverride?: string;
  /** Installs the versions the plugins' runtime environments name, before the run is opened. */
  resolveTerraform?: TerraformResolver;
  /** The GitHub workflow run opening the run (absent outside GitHub Actions). */
  workflowRun?: WorkflowRunRef;
  /**
   * Asks GitHub whether the workflow run of a lock's holder ended: a dead holder is closed and
   * superseded instead of blocking this run (see runs/holder-liveness.ts).
   */
  liveness?: WorkflowRunLiveness;
  /** RUN_LEASE_SECONDS: outside GitHub, how long the lock is kept while no step executes the run. */
  leaseMs?: number;
  /** Called as soon as the run exists, before anything else can fail (to guard it). */
  onOpened?: (run: RunRecord) => void;
  /** Classic (one state per plugin) or unified (one project and state per application). */
  mode?: DeploymentMode;
  /** FEATURES_TEMPLATE_STRICT: an undefined name in a computed input is an error. */
  templateStrict?: boolean;
  /** Who started the run, from which commit (recorded in the run record, see RunAudit). */
  audit?: RunAudit;
}

export interface OpenedRun {
  /** Undefined when there is nothing to deploy or destroy: no run is opened then. */
  run?: RunRecord;
  type: RunType;
  manifest: Manifest;
  /** The last successful deployment the run starts from, if any. */
  previous?: DeploymentRecord;
  /** Infra plugins whose digest is the one the last deployment used. */
  unchanged: string[];
  /** Set when SKIP_DEPLOY closed the run as SKIPPED: why. */
  skipped?: string;
  /** Applications that require what this run destroys (only with FORCE_DESTROY). */
  brokenConsumers: Consumer[];
  /** Undefined names computed inputs used (lenient mode), each annotated once. */
  templateWarnings?: UndefinedReference[];
}

export async function openRun(
  deps: OpenRunDependencies,
  options: OpenRunOptions,
): Promise<OpenedRun> {
  // Registry plugins are fetched into a scratch folder; the run keeps its own snapshot of them.
  const registry = deps.pluginRegistry ? new FetchedPlugins(deps.pluginRegistry) : undefined;
  try {
    return await openRunWith(deps, { ...(registry ? { registry } : {}), ...options });
  } finally {
    await registry?.dispose();
  }
}

async function openRunWith(deps: OpenRunDependencies, options: OpenRunOptions): Promise<OpenedRun> {
  const { logger } = deps;
  const operation = options.operation ?? { type: 'DEPLOY' };
  const mode = options.mode ?? 'classic';
  // A broken stk.yaml fails here, before any call to S3.
  const descriptor = await readDescriptor(options.repoRoot, options.workdir);
  // Another repository's application is refused before anything of it is read, locked or planned.
  const bindRepository = await checkRepositoryBinding(
    deps,
    descriptorTarget(descriptor, { ...options, logger: quiet(logger) }),
    options.deployedFrom,
    {
      by: options.workflowRunUrl,
      location: descriptor.locate(['spec', `${descriptor.appKind}-id`]),
    },
  );
  let manifest: Manifest;
  let last: DeploymentRecord | undefined;
  let templateWarnings: UndefinedReference[] = [];
  if (operation.type === 'DEPLOY') {
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
    manifest = built.result;
    templateWarnings = built.references;
    for (const reference of templateWarnings)
      logger.warning(describeUndefinedReference(reference), reference.location);
    last = await deps.history.getLast(manifest.target);
    const live = liveDeployment(last);
    if (live) {
      manifest = await buildManifest({
        ...manifestOptions,
        logger: quiet(logger),
        previous: recordedManifest(live),
      });
    }
    const open = connectionTypeNames(manifest.plugins).filter((n) => !connectionTypes.has(n));
    if (open.length > 0)
      logger.info(
        `Connection Interface Type(s) without a contract (open world, attributes not checked): ${open.join(', ')}. Contracts go in ${REPOSITORY_TYPES_DIR}/ or the workspace (CLI types put).`,
      );
  } else {
    const target = descriptorTarget(descriptor, { ...options, logger });
    last = await deps.history.getLast(target);
    if (operation.type === 'ROLLBACK') {
      const tag = await deps.history.getByVersion(target, operation.version);
      if (!tag)
        throw unknownVersionError(
          target,
          operation.version,
          await deps.history.listDeployed(target),
        );
      checkMode(tag, mode, `deployed as version ${tag.version}`);
      manifest = rollbackManifest(target, tag, last);
    } else {
      const live = liveDeployment(last);
      manifest = live
        ? destroyManifest(target, live, options.version)
        : emptyManifest(target, options.version);
      if (!live)
        logger.info(
          last?.destroyed
            ? `${target.appName} was already destroyed in ${target.workspace}/${target.environment} by run ${last.destroyed.runId} (${last.destroyed.at}).`
            : `${target.appName} was never deployed to ${target.workspace}/${target.environment}.`,
        );
    }
  }
  manifest = { ...manifest, deployedFrom: options.deployedFrom };
  if (options.repositoryFiles) {
    const { digest, files, bytes, skippedLinks } = options.repositoryFiles;
    manifest = { ...manifest, repositoryFiles: { digest, files, bytes } };
    logger.info(
      `CHECKOUT_BRANCH: Terraform reads ${files} repository file(s) (${(bytes / 1048576).toFixed(1)} MiB, digest ${digest.slice(0, 12)}) as repodir/${skippedLinks > 0 ? `; ${skippedLinks} symbolic link(s) left out` : ''}.`,
    );
  }
  const live = liveDeployment(last);
  if (live) checkMode(live, mode, 'last deployed');
  const terraform = chooseTerraformVersions(manifest, mode, options.terraformOverride);
  manifest = withTerraformVersions(manifest, terraform.versions);

  const brokenConsumers = await checkConsumers(deps, manifest, options.forceDestroy === true);
  const removed = manifest.destroy.map((p) => p.alias);
  const tasks = TASK_TABLE.taskList(mode, manifest.deployOrder, removed);
  const unchanged = operation.type === 'DEPLOY' ? unchangedPlugins(manifest, live) : [];
  const base = {
    type: operation.type,
    manifest,
    unchanged,
    brokenConsumers,
    templateWarnings,
    ...(live ? { previous: live } : {}),
  };
  if (tasks.length === 0) {
    logger.info('No infra plugin to deploy or destroy: no run is opened.');
    return base;
  }
  const skipped =
    operation.type === 'DEPLOY' && operation.skipUnchanged === true
      ? skipReason(manifest, live, mode, options.terraformVersion)
      : undefined;
  if (!skipped) {
    terraform.notices.forEach((n) => logger.info(n));
    if (options.resolveTerraform)
      await installTerraformVersions(manifest, options.resolveTerraform);
  }
  await checkInterfaceOwnership(
    deps,
    manifest,
    (name) => descriptor.plugins.flatMap((p) => p.generates).find((g) => g.name === name)?.location,
  );
  await bindRepository();
  const run = await deps.runs.createRun(
    {
      type: operation.type,
      target: manifest.target,
      version: manifest.version,
      workflowRunUrl: options.workflowRunUrl,
      tfstate: options.tfstate,
      ...(options.awsRegion ? { awsRegion: options.awsRegion } : {}),
      manifestDigest: manifest.digest,
      tasks: skipped ? [] : tasks,
      ...(options.audit ? { audit: options.audit } : {}),
      ...(options.workflowRun ? { workflowRun: options.workflowRun } : {}),
    },
    {
      ...(options.liveness ? { liveness: options.liveness } : {}),
      ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
    },
  );
  options.onOpened?.(run);
  try {
    if (skipped) {
      logger.info(skipped);
      return { ...base, run: await deps.runs.finishRun(run.runId, 'SKIPPED'), skipped };
    }
    // Their digests go into the run record: runtime-tasks refuses objects changed since.
    const digests: Record<string, string> = {};
    digests[MANIFEST_ARTIFACT] = await deps.runs.putCheckedArtifact(
      run.runId,
      MANIFEST_ARTIFACT,
      manifest,
    );
    // A rollback deploys the IaC recorded then: it needs no plugin files.
    for (const alias of manifest.rollback ? [] : manifest.deployOrder) {
      const plugin = manifest.plugins.find((p) => p.alias === alias);
      if (!plugin?.source) throw new Error(`manifest has no source for infra plugin ${alias}`);
      const snapshot = await snapshotDirectory(plugin.source.dir, plugin.source.displayDir);
      const name = sourceArtifact(alias);
      digests[name] = await deps.runs.putCheckedArtifact(run.runId, name, snapshot);
    }
    const recorded = await deps.runs.recordArtifacts(run.runId, digests);
    return { ...base, run: recorded };
  } catch (error) {
    await closeAfterFailure(deps, run.runId, error);
    throw error;
  }
}

/** Why SKIP_DEPLOY can close this run at once, or undefined when something changed. */
function skipReason(
  manifest: Manifest,
  live: DeploymentRecord | undefined,
  mode: DeploymentMode,
  terraformVersion: string,
): string | undefined {
  if (!live?.fingerprint || manifest.destroy.length > 0) return undefined;
  if (live.fingerprint !== deploymentFingerprint(manifest, mode, terraformVersion))
    return undefined;
  return `Nothing changed since run ${live.runId} deployed version ${live.version} (${live.finishedAt}): the same plugins in the same order, with the same inputs, files and required Connection Interface values, in ${mode} mode with Terraform ${terraformVersion}. SKIP_DEPLOY is on, so the run ends SKIPPED with nothing to approve.`;
}

/**
 * What the run destroys must not be required by anything that stays: a plugin of this run or an
 * application of the workspace and environment. Refused naming every consumer, unless forced.
 */
async function checkConsumers(
  deps: OpenRunDependencies,
  manifest: Manifest,
  force: boolean,
): Promise<Consumer[]> {
  const { target } = manifest;
  const names = new Set(manifest.destroy.flatMap((p) => p.generates.map((g) => g.name)));
  if (names.size === 0) return [];
  const inRun: Consumer[] = requirementsOf(manifest.plugins)
    .filter((r) => names.has(r.name))
    .map((r) => ({ ...r, target }));
  const elsewhere = await deps.consumers.consumersOf(
    target.workspace,
    target.environment,
    names,
    target,
  );
  const consumers = [...inRun, ...elsewhere];
  if (consumers.length === 0) return [];
  const destroyed = manifest.destroy.filter((p) =>
    p.generates.some((g) => consumers.some((c) => c.name === g.name)),
  );
  const what = `${destroyed.map((p) => p.alias).join(', ')} generate${destroyed.length === 1 ? 's' : ''} Connection Interface(s) that ${consumers.length} plugin input(s) still require`;
  if (!force) {
    throw new ConfigurationError(
      [
        ...consumers.map((c) => ({ message: `Still required by ${describeConsumer(c)}.` })),
        {
          message: 'Nothing was changed and no run was opened.',
          hint: 'Remove or change those consumers first (deploy them without the requirement), or set FORCE_DESTROY: true to destroy anyway: they keep running with values that no longer exist.',
        },
      ],
      `This run would destroy what others still use: ${what}`,
    );
  }
  deps.logger.warning(
    `FORCE_DESTROY is on: destroying although ${what}: ${consumers.map(describeConsumer).join('; ')}.`,
  );
  return consumers;
}

function checkMode(record: DeploymentRecord, mode: DeploymentMode, what: string): void {
  const recorded = record.mode ?? 'classic';
  if (recorded === mode) return;
  const { target } = recordedManifest(record);
  throw new ConfigurationError({
    message: `${target.appName} was ${what} to ${target.workspace}/${target.environment} in ${recorded} mode (run ${record.runId}); this run asks for ${mode} mode. The two keep Terraform state differently (${recorded === 'classic' ? 'one state per plugin' : 'one state for the application'}), so switching would deploy everything a second time.`,
    hint: `Keep ${recorded} mode (${recorded === 'classic' ? 'FEATURES_UNIFIED_DEPLOY: false' : 'FEATURES_UNIFIED_DEPLOY: true'}) for this application and environment, or migrate its state by hand first.`,
  });
}

/** Ends a run that failed before its tasks could start; never hides the original error. */
export async function closeAfterFailure(
  deps: { runs: RunStore; logger: Logger },
  runId: string,
  error: unknown,
): Promise<void> {
  const status = classifyError(error);
  try {
    await deps.runs.finishRun(runId, status, {
      kind: status,
      message: error instanceof Error ? error.message : String(error),
    });
    deps.logger.info(`Run ${runId} closed as ${status}; its lock is released.`);
  } catch (closeError) {
    deps.logger.error(
      `Run ${runId} could not be closed (${(closeError as Error).message}); run cancel-run with its RUN_ID to release the lock.`,
    );
  }
}

/** The second manifest build repeats the first one's notices: keep only its errors. */
function quiet(logger: Logger): Logger {
  return {
    debug: () => undefined,
    info: () => undefined,
    warning: () => undefined,
    error: (message, location) => logger.error(message, location),
    group: (title, fn) => logger.group(title, fn),
    addSecret: (value) => logger.addSecret(value),
  };
}
