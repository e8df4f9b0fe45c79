/**
 * What orchestrate-and-plan does first, in either mode and for every run type: build the manifest
 * (as the run type says, see run-types/), refuse what would break another application, skip what
 * did not change, open the run (the lock refuses a second one), keep the manifest and a snapshot
 * of every plugin with the run, and return the tasks to approve.
 * Every refusal happens before the run is opened. If anything fails after the run was opened, the
 * run is closed with the matching error status, which releases the lock: nothing is left blocked.
 */
import { quietLogger } from '../logging/quiet-logger';
import { descriptorTarget, readDescriptor, type Manifest } from '../manifest';
import type { RunRecord, RunStore, WorkflowRunLiveness, WorkflowRunRef } from '../runs';
import type { RunAudit, RunType } from '../audit';
import {
  liveDeployment,
  type Consumer,
  type DeployingRepository,
  type DeploymentRecord,
} from '../workspace';
import type { UndefinedReference } from '../templates';
import { FetchedPlugins } from '../registry/fetched-plugins';
import { MANIFEST_ARTIFACT, sourceArtifact } from '../deployment/artifacts';
import { closeAfterFailure } from '../deployment/close-after-failure';
import { checkConsumers } from '../deployment/consumer-check';
import { checkInterfaceOwnership } from '../deployment/interface-ownership';
import { snapshotDirectory } from '../plugins';
import { checkRepositoryBinding } from '../deployment/repository-binding';
import type { RepositoryFiles } from '../deployment/repository-files';
import {
  chooseTerraformVersions,
  installTerraformVersions,
  withTerraformVersions,
  type TerraformResolver,
} from '../deployment/terraform-versions';
import type { DeploymentMode } from '../tasks';
import { TASK_TABLE } from '../task-handlers';
import {
  checkMode,
  runTypeOf,
  type ManifestBuildOptions,
  type OpenRunDependencies,
  type RunOperation,
} from '../run-types';

export interface OpenRunOptions extends ManifestBuildOptions {
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
  /**
   * The Terraform version the run plans with: part of what SKIP_DEPLOY compares. A promise lets the
   * step locate Terraform (a process of its own) while the run is prepared; awaited before the run
   * opens, so a Terraform that cannot be found still stops the step before anything is written.
   */
  terraformVersion: string | Promise<string>;
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
  return withFetchedPlugins(deps, options, async (fetched) => {
    const prepared = await prepareRun(deps, fetched);
    return prepared.tasks.length === 0 ? prepared.opened : openPrepared(deps, fetched, prepared);
  });
}

/**
 * Runs `use` with the options a run is prepared with: registry plugins are fetched into a scratch
 * folder, which is removed when `use` ends (the run, or a preview, keeps its own snapshot).
 */
export async function withFetchedPlugins<T>(
  deps: OpenRunDependencies,
  options: OpenRunOptions,
  use: (options: OpenRunOptions) => Promise<T>,
): Promise<T> {
  const registry = deps.pluginRegistry ? new FetchedPlugins(deps.pluginRegistry) : undefined;
  try {
    return await use({ ...(registry ? { registry } : {}), ...options });
  } finally {
    await registry?.dispose();
  }
}

/** A run checked and ready to open: what openRun decided before writing anything. */
export interface PreparedRun {
  /** What the run would be (no `run` yet). */
  opened: OpenedRun;
  /** The run's tasks; none: nothing to deploy or destroy, no run is opened. */
  tasks: ReturnType<typeof TASK_TABLE.taskList>;
  /** Set when SKIP_DEPLOY would close the run as SKIPPED: why. */
  skipped?: string;
  /** Binds the application to the repository on its first run (a preview never calls it). */
  bindRepository: () => Promise<void>;
}

/**
 * Everything openRun checks and decides before it writes: stk.yaml, the repository binding
 * (checked, not written), the manifest, the mode, the Terraform versions (installed), the
 * consumers of what is destroyed and the ownership of what is generated. It only reads the bucket,
 * so a preview prepares a run the same way and opens none.
 */
export async function prepareRun(
  deps: OpenRunDependencies,
  options: OpenRunOptions,
): Promise<PreparedRun> {
  const { logger } = deps;
  const operation = options.operation ?? { type: 'DEPLOY' };
  const runType = runTypeOf(operation.type);
  const mode = options.mode ?? 'classic';
  // A broken stk.yaml fails here, before any call to S3.
  const descriptor = await readDescriptor(options.repoRoot, options.workdir);
  // Another repository's application is refused before anything of it is read, locked or planned.
  const bindRepository = await checkRepositoryBinding(
    deps,
    descriptorTarget(descriptor, { ...options, logger: quietLogger(logger) }),
    options.deployedFrom,
    {
      by: options.workflowRunUrl,
      location: descriptor.locate(['spec', `${descriptor.appKind}-id`]),
    },
  );
  const built = await runType.buildManifest(
    {
      deps,
      options,
      descriptor,
      target: () => descriptorTarget(descriptor, { ...options, logger }),
      mode,
      logger,
    },
    operation,
  );
  const { last, templateWarnings } = built;
  let manifest: Manifest = { ...built.manifest, deployedFrom: options.deployedFrom };
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
  const opened: OpenedRun = {
    type: operation.type,
    manifest,
    unchanged: runType.unchanged(manifest, live),
    brokenConsumers,
    templateWarnings,
    ...(live ? { previous: live } : {}),
  };
  if (tasks.length === 0) {
    logger.info('No infra plugin to deploy or destroy: no run is opened.');
    return { opened, tasks, bindRepository };
  }
  const terraformVersion = await options.terraformVersion;
  const skipped = runType.skipReason(operation, manifest, live, mode, terraformVersion);
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
  return { opened, tasks, bindRepository, ...(skipped ? { skipped } : {}) };
}

/** Binds the repository, opens the run (the lock) and stores its artifacts. */
async function openPrepared(
  deps: OpenRunDependencies,
  options: OpenRunOptions,
  prepared: PreparedRun,
): Promise<OpenedRun> {
  const { logger } = deps;
  const { opened: base, tasks, skipped } = prepared;
  const { manifest } = base;
  const operation = options.operation ?? { type: 'DEPLOY' };
  await prepared.bindRepository();
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
    return { ...base, run: await storeArtifacts(deps, run, manifest) };
  } catch (error) {
    await closeAfterFailure(deps, run.runId, error);
    throw error;
  }
}

/**
 * Keeps the manifest and a snapshot of every plugin with the run; their digests go into the run
 * record: runtime-tasks refuses objects changed since.
 */
async function storeArtifacts(
  deps: OpenRunDependencies,
  run: RunRecord,
  manifest: Manifest,
): Promise<RunRecord> {
  return deps.runs.recordArtifacts(
    run.runId,
    await putRunArtifacts(deps.runs, run.runId, manifest),
  );
}

/**
 * Stores the manifest and a snapshot of every kept plugin's folder as artifacts of `runId` (what
 * the renderer reads), and returns their digests by name. Up to 8 at once: each is one PUT of a
 * fresh key of a fresh run, so none depends on another.
 */
export async function putRunArtifacts(
  runs: Pick<RunStore, 'putCheckedArtifact'>,
  runId: string,
  manifest: Manifest,
): Promise<Record<string, string>> {
  // A rollback deploys the IaC recorded then: it needs no plugin files.
  const plugins = (manifest.rollback ? [] : manifest.deployOrder).map((alias) => {
    const plugin = manifest.plugins.find((p) => p.alias === alias);
    if (!plugin?.source) throw new Error(`manifest has no source for infra plugin ${alias}`);
    return { name: sourceArtifact(alias), source: plugin.source };
  });
  const stored: Record<string, string> = {};
  const store = async (name: string, value: () => Promise<unknown>) => {
    stored[name] = await runs.putCheckedArtifact(runId, name, await value());
  };
  const queue = [
    () => store(MANIFEST_ARTIFACT, () => Promise.resolve(manifest)),
    ...plugins.map(
      ({ name, source }) =>
        () =>
          store(name, () => snapshotDirectory(source.dir, source.displayDir)),
    ),
  ];
  const next = async (): Promise<void> => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      try {
        await job();
      } catch (error) {
        queue.length = 0; // the run is closed on the first failure: nothing more to store
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, next));
  // In the order they always had (the manifest first, then the deploy order).
  const digests: Record<string, string> = {};
  for (const name of [MANIFEST_ARTIFACT, ...plugins.map((p) => p.name)])
    digests[name] = stored[name] as string;
  return digests;
}
