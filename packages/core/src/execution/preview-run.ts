/**
 * PREVIEW: what a deployment of the checkout would change, planned against the target's current
 * state, without a run. The run is prepared as openRun prepares one (prepareRun: stk.yaml, the
 * repository binding checked but never written, the manifest, Terraform versions, ownership), but
 * over a read-only view of the IaC bucket; every plugin is planned by the same PLAN handler as a
 * run's, into a private in-memory run store, with Terraform reading the states without their lock
 * (a deployment running meanwhile neither blocks nor is blocked). Only once everything was planned
 * are the plans copied under `previews/` (see preview-store.ts): nothing else is written, and a
 * failed preview leaves nothing.
 */
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ulid } from 'ulid';
import { CancelledError, ConfigurationError } from '../errors';
import { openBucketStores, type BucketStores } from '../deployment/bucket-stores';
import {
  PredictedContextStore,
  plannedOutputs,
  predictConnections,
} from '../deployment/preview-predictions';
import { storePreview, type PredictedPlugin } from '../deployment/preview-store';
import type { PolicyCheck } from '../deployment/plan-policy';
import type { PlanRecord } from '../deployment/saved-plans';
import { TemplateWarnings } from '../deployment/template-warnings';
import type { Manifest, ManifestPlugin } from '../manifest';
import { RunStore, type RunRecord } from '../runs';
import { MemoryObjectStore, ReadOnlyObjectStore } from '../store';
import {
  classicPlanFile,
  TASK_TABLE,
  type TaskContext,
  type UnplannedPlugin,
} from '../task-handlers';
import { mergeReferences, type UndefinedReference } from '../templates';
import { jobContext } from './job-context';
import { putRunArtifacts, prepareRun, withFetchedPlugins, type OpenedRun } from './open-run';
import type { PlanRunOptions } from './plan-run';

/**
 * A preview takes a plan's options; it opens no run, so `skipDeploy` has no effect and `onOpened`
 * is never called.
 */
export type PreviewOptions = PlanRunOptions & {
  /** The IaC bucket's region (for the references in messages). */
  iacRegion?: string;
};

export interface PreviewResult {
  /** The preview's id (a ULID, like a run's, but never a run's: no record exists for it). */
  previewId: string;
  /** What a run would be: its manifest, previous deployment, unchanged plugins (no `run`). */
  opened: OpenedRun;
  /** The plans, as stored under the preview's prefix (none when it failed). */
  plans: PlanRecord[];
  /** Plugins that can be planned only after merge, and why. */
  unplanned: UnplannedPlugin[];
  /** Consumers planned with the Connection Interfaces their producers' plans predict. */
  predicted: PredictedPlugin[];
  /** What made the preview fail (nothing was stored then). */
  failure?: unknown;
  /** POLICY_COMMAND's verdict on each plan (a refusal fails the preview). */
  policyChecks?: PolicyCheck[];
  templateWarnings: UndefinedReference[];
}

const READ_ONLY = 'a preview writes nothing in the IaC bucket but its plans under previews/';

/** Plans the checkout's deployment without deploying anything (see the header). */
export async function previewRun(
  deps: BucketStores,
  options: PreviewOptions,
): Promise<PreviewResult> {
  refuseUnsupported(options);
  const readOnly = new ReadOnlyObjectStore(deps.iacStore, READ_ONLY);
  const context = new PredictedContextStore(readOnly);
  const { pluginRegistry, ...stores } = openBucketStores(
    readOnly,
    deps.logger,
    options.iacRegion ?? 'us-east-1',
  );
  const reads: BucketStores = {
    ...stores,
    context,
    ...(deps.pluginRegistry ? { pluginRegistry } : {}),
  };
  const previewId = ulid();
  const preview = { ...options, operation: { type: 'DEPLOY' as const } };
  return withFetchedPlugins(reads, preview, async (fetched) => {
    const prepared = await prepareRun(reads, fetched);
    // prepared.bindRepository is never called: a preview binds no application to a repository.
    const result: PreviewResult = {
      previewId,
      opened: prepared.opened,
      plans: [],
      unplanned: [],
      predicted: [],
      templateWarnings: [...(prepared.opened.templateWarnings ?? [])],
    };
    const planning = prepared.tasks.filter((t) => TASK_TABLE.isPlanning(t));
    if (planning.length === 0) return result;
    const { manifest } = prepared.opened;
    const scratch = new RunStore(
      new MemoryObjectStore(`${deps.iacStore.bucket} (preview)`),
      deps.logger,
    );
    const run = previewRunRecord(previewId, manifest, options);
    await putRunArtifacts(scratch, previewId, manifest);
    const planningOptions = await options.planning(run);
    // Every plan reads the states without their lock (a deployment meanwhile is not blocked).
    const execute = {
      ...planningOptions,
      terraform: { ...planningOptions.terraform, stateLock: false },
      runId: previewId,
      tasks: [],
    };
    const warnings = new TemplateWarnings();
    const job = jobContext(
      { ...reads, runs: scratch },
      { ...execute, leaveOpen: true, signal: options.signal },
      run,
      manifest,
      warnings,
    );
    const task = job.context;
    try {
      await job.prepare();
      for (const { pluginAppliedAlias: alias } of planning) {
        if (options.signal.aborted)
          throw new CancelledError('The job was cancelled during the preview.');
        if (alias === null) throw new Error('a classic PLAN task names its plugin');
        const done = await TASK_TABLE.execute(task, {
          taskType: 'PLAN',
          pluginAppliedAlias: alias,
          runTaskId: `preview-${alias}`,
        });
        const plugin = manifest.plugins.find((p) => p.alias === alias);
        for (const plan of done.plans ?? []) {
          result.plans.push(plan);
          if (plan.kind === 'deploy' && plugin) await predict(task, plugin, context, previewId);
        }
        if (done.unplanned && plugin)
          result.unplanned.push(await afterMerge(plugin, manifest, context));
        if (plugin && done.plans?.length) {
          const used = plugin.requires.map((r) => r.name).filter((n) => context.isPredicted(n));
          if (used.length > 0) result.predicted.push({ alias, interfaces: used });
        }
      }
      // The PLAN handler's savePlan filled each record's attribute-level `details` already.
      result.plans = await storePreview(
        deps.iacStore,
        scratch,
        {
          previewId,
          target: manifest.target,
          version: manifest.version,
          workflowRunUrl: options.workflowRunUrl,
          createdAt: new Date().toISOString(),
          unplanned: result.unplanned,
          predicted: result.predicted,
        },
        result.plans,
      );
    } catch (error) {
      result.failure = error;
      result.plans = [];
    } finally {
      if (job.policy) result.policyChecks = job.policy.checks;
      result.templateWarnings = mergeReferences(result.templateWarnings, warnings.references);
      // Rendered IaC and plans may hold secret values: nothing of them is left on the runner.
      await rm(execute.workDir, { recursive: true, force: true }).catch(() => undefined);
    }
    return result;
  });
}

function refuseUnsupported(options: PreviewOptions): void {
  if (options.mode === 'unified') {
    throw new ConfigurationError({
      message: 'PREVIEW is not supported in unified mode yet (FEATURES_UNIFIED_DEPLOY is true).',
      hint: 'Leave PREVIEW unset for this application, or preview it in classic mode.',
    });
  }
  const operation = options.operation?.type ?? 'DEPLOY';
  if (operation !== 'DEPLOY') {
    throw new ConfigurationError({
      message: `PREVIEW plans a deployment of the checkout, not a ${operation}.`,
      hint: 'Unset DESTROY and ROLLBACK_TO, or PREVIEW.',
    });
  }
}

/** The run the PLAN handler sees: it exists only in the preview's memory, never in the bucket. */
function previewRunRecord(
  previewId: string,
  manifest: Manifest,
  options: PreviewOptions,
): RunRecord {
  const now = new Date().toISOString();
  return {
    runId: previewId,
    type: 'DEPLOY',
    status: 'RUNNING',
    target: manifest.target,
    version: manifest.version,
    workflowRunUrl: options.workflowRunUrl,
    tfstate: options.tfstate,
    ...(options.awsRegion ? { awsRegion: options.awsRegion } : {}),
    manifestDigest: manifest.digest,
    createdAt: now,
    updatedAt: now,
    tasks: [],
  };
}

/** Records the Connection Interfaces `producer`'s saved plan predicts, for its consumers. */
async function predict(
  task: TaskContext,
  producer: ManifestPlugin,
  context: PredictedContextStore,
  previewId: string,
): Promise<void> {
  if (producer.generates.length === 0) return;
  const file = classicPlanFile(task.workDir, producer.alias, 'deploy');
  const project = task.terraform.project(dirname(file), producer.alias);
  const outputs = plannedOutputs(await project.show(file, { json: true }));
  context.add(
    predictConnections(
      producer,
      outputs,
      task.manifest.target,
      task.manifest.connectionTypes ?? {},
      previewId,
    ),
  );
}

/** Why `plugin` can be planned only after merge, in the words of a preview. */
async function afterMerge(
  plugin: ManifestPlugin,
  manifest: Manifest,
  context: PredictedContextStore,
): Promise<UnplannedPlugin> {
  const { workspace, environment } = manifest.target;
  const found = await context.getMany(
    workspace,
    environment,
    plugin.requires.map((r) => r.name),
  );
  const reasons = plugin.requires
    .filter((r) => !found.has(r.name))
    .map((r) => {
      const unknown = context.unknown.get(r.name);
      if (unknown) return unknown;
      const from = r.from.kind === 'plugin' ? ` (from ${r.from.alias}, not planned either)` : '';
      return `${r.name}${from} does not exist yet`;
    });
  return { alias: plugin.alias, reason: `planned after merge: ${reasons.join('; ')}` };
}
