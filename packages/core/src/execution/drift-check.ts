/**
 * DRIFT_CHECK: does the cloud still match the last successful deployment of a target? For every
 * plugin it deployed, a plan of exactly the IaC it deployed (as recorded: the history points at
 * it), against the state it left, reporting what changed outside Terraform that the next
 * deployment would undo (see planDrift).
 *
 * Read-only by construction: no run is opened, no lock taken (the target's run lock is only
 * read, and Terraform plans with -lock=false), no plan applied and nothing written to the IaC
 * bucket or the states. A deployment running meanwhile is neither waited for nor blocked, and
 * the report says so: the plugins whose state a task of it is changing now are skipped (what it
 * deploys would read as drift), the others checked. A plugin whose check fails is reported with the reason; the others are
 * still checked.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BucketStores } from '../deployment/bucket-stores';
import { DiagnosticPlaces } from '../deployment/diagnostic-places';
import {
  buildDriftReport,
  pluginDrift,
  pluginsTouchedBy,
  splitByPlugin,
  type DriftAndChanges,
  type DriftReport,
  type PluginDrift,
  type RunningDeployment,
} from '../deployment/drift-report';
import { lastDeployedIac } from '../deployment/recorded-iac';
import { SecretMasker } from '../deployment/secret-masker';
import { TerraformProjects, type TerraformProjectsOptions } from '../deployment/terraform-projects';
import { lastDeployedModule, moduleFilesOf, rootFilesOf } from '../deployment/unified-project';
import { descriptorTarget, readDescriptor, type Manifest } from '../manifest';
import { readResourceDetails } from '../plan-review';
import { restoreSnapshot } from '../plugins';
import { isFinished, type RunRecord } from '../runs';
import { describeTarget, type DeploymentTarget } from '../target';
import { writeRenderedProject } from '../templates';
import type { TerraformProject } from '../terraform';
import type { UnifiedModule } from '../unified';
import { liveDeployment, type DeploymentRecord } from '../workspace';

export interface DriftCheckOptions extends Omit<TerraformProjectsOptions, 'leaveOpen'> {
  /** The checkout and WORKDIR: stk.yaml is read only to name the application. */
  repoRoot: string;
  workdir: string;
  workspace: string;
  environment: string;
  now?: () => Date;
}

type DriftDeps = Pick<BucketStores, 'runs' | 'history' | 'iacStore' | 'logger'>;

/** Checks every plugin of the target's last successful deployment (see the header). */
export async function checkDrift(
  deps: DriftDeps,
  options: DriftCheckOptions,
): Promise<DriftReport> {
  const { logger } = deps;
  const now = options.now ?? (() => new Date());
  const descriptor = await readDescriptor(options.repoRoot, options.workdir);
  const target = descriptorTarget(descriptor, { ...options, logger });
  const checkedAt = now().toISOString();
  const last = liveDeployment(await deps.history.getLast(target));
  if (!last) {
    const notice = `Nothing is deployed on ${describeTarget(target)} (no successful deployment recorded, or it was destroyed): there is nothing to check for drift.`;
    logger.info(notice);
    return buildDriftReport({ target, checkedAt, notice, plugins: [] });
  }
  const manifest = last.manifest as unknown as Manifest;
  const aliases = manifest.deployOrder.filter((alias) => last.iac[alias]);
  const running = await runningDeployment(deps, target, aliases);
  const deployment = {
    runId: last.runId,
    version: last.version,
    finishedAt: last.finishedAt,
    mode: last.mode ?? 'classic',
  } as const;
  const notice = running
    ? `Run ${running.runId} of ${describeTarget(target)} is open (since ${running.since}, ${running.workflowRunUrl}); the check neither waits for it nor blocks it. ${running.plugins.length > 0 ? `Not checked: ${running.plugins.join(', ')} (a task of it is changing their state now). ` : ''}Checked against version ${last.version}, the last successful deployment; what the run deploys meanwhile may show as drift.`
    : undefined;
  if (notice) logger.warning(notice);
  const skipped = new Set(running?.plugins ?? []);
  const checked = aliases.filter((alias) => !skipped.has(alias));
  const projects = await projectsOf(deps, options, last, manifest);
  const results = new Map<string, PluginDrift>(
    [...skipped].map((alias) => [
      alias,
      {
        alias,
        status: 'skipped',
        resources: [],
        reason: `run ${running?.runId ?? '?'} is deploying it`,
      },
    ]),
  );
  if (checked.length > 0) {
    const check = deployment.mode === 'unified' ? checkUnified : checkClassic;
    for (const result of await check(
      { deps, deployed: aliases, options, manifest, projects },
      checked,
    ))
      results.set(result.alias, result);
  }
  const plugins = aliases.flatMap((alias) => results.get(alias) ?? []);
  const report = buildDriftReport({
    target,
    checkedAt,
    deployment,
    ...(running ? { running } : {}),
    ...(notice ? { notice } : {}),
    plugins: [...plugins, ...(results.has('') ? [results.get('') as PluginDrift] : [])],
  });
  logger.info(
    report.drifted
      ? `Drift found in ${report.driftedPlugins.join(', ')} since version ${last.version} (run ${last.runId}).`
      : `No drift found since version ${last.version} (run ${last.runId}).`,
  );
  return report;
}

/** The deployment running on the target now, if its run lock is held by a RUNNING run. */
async function runningDeployment(
  deps: DriftDeps,
  target: DeploymentTarget,
  aliases: readonly string[],
): Promise<RunningDeployment | undefined> {
  // Read, never taken: the check must not block the deployment, nor wait for it.
  const lock = await deps.runs.lockOf(target);
  if (!lock) return undefined;
  const holder = await deps.runs.getRun(lock.runId);
  if (!holder || isFinished(holder.status)) return undefined;
  return {
    runId: holder.runId,
    since: lock.acquiredAt,
    workflowRunUrl: lock.workflowRunUrl,
    plugins: pluginsTouchedBy(holder.tasks, aliases),
  };
}

/**
 * The Terraform projects of the check, as the deployment's run had them: its Terraform versions
 * per plugin, its state backend, the guard and the job's provider mirror and credentials.
 */
async function projectsOf(
  deps: DriftDeps,
  options: DriftCheckOptions,
  last: DeploymentRecord,
  manifest: Manifest,
): Promise<TerraformProjects> {
  const run: RunRecord | undefined = await deps.runs.getRun(last.runId);
  if (!run)
    throw new Error(
      `the run record of the last deployment (run ${last.runId}) is missing: its state backend is recorded there`,
    );
  // leaveOpen: the check notes no Terraform versions (it records nothing).
  const all = { ...options, leaveOpen: true };
  const places = new DiagnosticPlaces(deps.runs, run.runId, manifest, all);
  const projects = new TerraformProjects(
    deps,
    run,
    manifest,
    all,
    places,
    new SecretMasker(deps.logger),
  );
  await projects.prepare();
  return projects;
}

interface CheckContext {
  deps: DriftDeps;
  /** Every plugin the deployment deployed, in its order. */
  deployed: string[];
  options: DriftCheckOptions;
  manifest: Manifest;
  projects: TerraformProjects;
}

/**
 * What changed outside Terraform (`resource_drift`) and what Terraform would do about it
 * (`resource_changes`) in one plan of the deployed IaC, made without the state's lock. Not a
 * refresh-only plan: its drift alone also lists values the configuration does not set, which the
 * next deployment keeps (e.g. aws_s3_bucket's `versioning`, set by aws_s3_bucket_versioning after
 * the bucket was saved in the state: "drift" on every check after a deployment). The plan is
 * saved to a file and never applied: no state is written either way.
 */
async function planDrift(terraform: TerraformProject, dir: string): Promise<DriftAndChanges> {
  const out = join(dir, 'drift.tfplan');
  await terraform.plan({ out, lock: false });
  const json = await terraform.show(out, { json: true });
  return {
    drift: readResourceDetails(json, 'resource_drift'),
    changes: readResourceDetails(json, 'resource_changes'),
  };
}

function failed(alias: string, error: unknown): PluginDrift {
  const reason = error instanceof Error ? error.message : String(error);
  return { alias, status: 'check-failed', resources: [], reason };
}

/** Classic mode: one project and state per plugin, each checked on its own. */
async function checkClassic(context: CheckContext, aliases: string[]): Promise<PluginDrift[]> {
  const { deps, options, manifest, projects } = context;
  const results: PluginDrift[] = [];
  for (const alias of aliases) {
    const result = await deps.logger.group(`Drift check: ${alias}`, async () => {
      try {
        const iac = await lastDeployedIac(deps, manifest, alias);
        const dir = join(options.workDir, 'drift', alias);
        await rm(dir, { recursive: true, force: true });
        await restoreSnapshot(iac.snapshot, dir, iac.object);
        const terraform = projects.project(dir, alias);
        await terraform.init(projects.stateBackend(alias));
        return pluginDrift(alias, await planDrift(terraform, dir));
      } catch (error) {
        const result = failed(alias, error);
        deps.logger.warning(`The drift check of ${alias} failed: ${result.reason ?? ''}`);
        return result;
      }
    });
    results.push(result);
  }
  return results;
}

/**
 * Unified mode: the application's one project rebuilt from the modules the deployment recorded
 * (as a destroy of everything rebuilds it), one plan, its drift split by module.
 */
async function checkUnified(context: CheckContext, aliases: string[]): Promise<PluginDrift[]> {
  const { deps, options, manifest, projects } = context;
  return deps.logger.group('Drift check: unified project', async () => {
    try {
      const files: { path: string; content: Buffer }[] = [];
      const modules: UnifiedModule[] = [];
      // Every deployed module is in the project (its outputs wire the others); drift is
      // reported only for the plugins checked.
      for (const alias of context.deployed) {
        const module = await lastDeployedModule(deps, manifest, alias);
        modules.push({ alias, inputs: module.inputs, outputs: module.outputs });
        files.push(...moduleFilesOf(alias, module));
      }
      files.push(...rootFilesOf(modules));
      const dir = join(options.workDir, 'drift', 'unified');
      await rm(dir, { recursive: true, force: true });
      await writeRenderedProject({ files, digest: '' }, dir);
      const terraform = projects.project(dir, null);
      await terraform.init(projects.stateBackend(null));
      const { drift, changes } = await planDrift(terraform, dir);
      const changesOf = splitByPlugin(changes, aliases);
      return [...splitByPlugin(drift, aliases)].flatMap(([alias, resources]) =>
        alias === '' && resources.length === 0
          ? []
          : [pluginDrift(alias, { drift: resources, changes: changesOf.get(alias) ?? [] })],
      );
    } catch (error) {
      const result = failed('', error);
      deps.logger.warning(`The drift check of the unified project failed: ${result.reason ?? ''}`);
      return aliases.map((alias) => ({ ...result, alias }));
    }
  });
}
