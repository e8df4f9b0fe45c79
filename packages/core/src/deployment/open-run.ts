/**
 * What orchestrate-and-plan does first, in either mode: build the manifest (against the workspace context
 * and the last successful deployment), open the run (the lock refuses a second one), keep the
 * manifest and a snapshot of every plugin with the run, and return the tasks to approve.
 * If anything fails after the run was opened, the run is closed with the matching error status,
 * which releases the lock: nothing is left blocked.
 */
import { classifyError, ConfigurationError } from '../errors';
import type { Logger } from '../logging';
import {
  buildManifest,
  readDescriptor,
  type BuildManifestOptions,
  type Manifest,
} from '../manifest';
import type { RunRecord, RunStore } from '../runs';
import type { DeploymentHistory, WorkspaceContextStore } from '../workspace';
import { MANIFEST_ARTIFACT, sourceArtifact } from './artifacts';
import { planClassicTasks } from './classic-tasks';
import { snapshotDirectory } from './plugin-snapshot';
import { planUnifiedTasks, type DeploymentMode } from './unified-run';

export interface OpenRunDependencies {
  runs: RunStore;
  context: WorkspaceContextStore;
  history: DeploymentHistory;
  logger: Logger;
}

export interface OpenRunOptions extends Omit<
  BuildManifestOptions,
  'connectionInterfaces' | 'previous' | 'logger'
> {
  tfstate: { bucket: string; region: string };
  workflowRunUrl: string;
  /** Take over a lock older than the lease (logged). */
  force?: boolean;
  /** Called as soon as the run exists, before anything else can fail (to guard it). */
  onOpened?: (run: RunRecord) => void;
  /** Classic (one state per plugin) or unified (one project and state per application). */
  mode?: DeploymentMode;
}

export interface OpenedRun {
  /** Undefined when there is nothing to deploy or destroy: no run is opened then. */
  run?: RunRecord;
  manifest: Manifest;
}

export async function openRun(
  deps: OpenRunDependencies,
  options: OpenRunOptions,
): Promise<OpenedRun> {
  const { logger } = deps;
  // A broken stk.yaml fails here, before any call to S3.
  await readDescriptor(options.repoRoot, options.workdir);
  const connectionInterfaces = await deps.context.list(options.workspace, options.environment);
  const manifestOptions = { ...options, connectionInterfaces, logger };
  // The target (and so the history to compare with) is known only once stk.yaml is read.
  let manifest = await buildManifest(manifestOptions);
  const last = await deps.history.getLast(manifest.target);
  if (last) {
    manifest = await buildManifest({
      ...manifestOptions,
      logger: quiet(logger),
      previous: last.manifest as unknown as Manifest,
    });
  }

  const mode = options.mode ?? 'classic';
  const lastMode = last ? (last.mode ?? 'classic') : undefined;
  if (lastMode !== undefined && lastMode !== mode) {
    throw new ConfigurationError({
      message: `${manifest.target.appName} was last deployed to ${manifest.target.workspace}/${manifest.target.environment} in ${lastMode} mode (run ${last?.runId ?? '?'}); this run asks for ${mode} mode. The two keep Terraform state differently (${lastMode === 'classic' ? 'one state per plugin' : 'one state for the application'}), so switching would deploy everything a second time.`,
      hint: `Keep ${lastMode} mode (${lastMode === 'classic' ? 'FEATURES_UNIFIED_DEPLOY: false' : 'FEATURES_UNIFIED_DEPLOY: true'}) for this application and environment, or migrate its state by hand first.`,
    });
  }
  const removed = manifest.destroy.map((p) => p.alias);
  const tasks =
    mode === 'unified'
      ? planUnifiedTasks(manifest.deployOrder, removed)
      : planClassicTasks(manifest.deployOrder, removed);
  if (tasks.length === 0) {
    logger.info('No infra plugin to deploy or destroy: no run is opened.');
    return { manifest };
  }
  const run = await deps.runs.createRun(
    {
      type: 'DEPLOY',
      target: manifest.target,
      version: options.version,
      workflowRunUrl: options.workflowRunUrl,
      tfstate: options.tfstate,
      manifestDigest: manifest.digest,
      tasks,
    },
    { force: options.force },
  );
  options.onOpened?.(run);
  try {
    await deps.runs.putArtifact(run.runId, MANIFEST_ARTIFACT, manifest);
    for (const alias of manifest.deployOrder) {
      const plugin = manifest.plugins.find((p) => p.alias === alias);
      if (!plugin?.source) throw new Error(`manifest has no source for infra plugin ${alias}`);
      const snapshot = await snapshotDirectory(plugin.source.dir, plugin.source.displayDir);
      await deps.runs.putArtifact(run.runId, sourceArtifact(alias), snapshot);
    }
  } catch (error) {
    await closeAfterFailure(deps, run.runId, error);
    throw error;
  }
  return { run, manifest };
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
