/**
 * The drift report of a target (DRIFT_CHECK): per plugin of its last successful deployment,
 * whether the cloud still matches what was deployed, read from refresh-only plans. Pure: the
 * check (execution/drift-check.ts) gathers the plans' details, this file decides what they mean
 * and builds the report the action writes as JSON (docs/formats.md#the-drift-report) and summarises.
 */
import type { ResourceDetail } from '../plan-review';
import type { DeploymentTarget } from '../target';
import type { RunTask } from '../runs';

/** The version of the report's format (docs/formats.md#the-drift-report). */
export const DRIFT_REPORT_FORMAT = 1;

/**
 * - `drifted`: resources changed outside Terraform since the deployment;
 * - `in-sync`: the refresh found nothing changed;
 * - `check-failed`: the check could not be made (credentials, provider error, missing IaC):
 *   not drift, but not a clean bill either;
 * - `skipped`: a task of a running deployment is changing the plugin's state now (see
 *   pluginsTouchedBy): what it deploys would read as drift; checked next time.
 */
export type PluginDriftStatus = 'drifted' | 'in-sync' | 'check-failed' | 'skipped';

export interface PluginDrift {
  alias: string;
  status: PluginDriftStatus;
  /** The resources that changed outside Terraform (sensitive values masked); empty unless drifted. */
  resources: ResourceDetail[];
  /**
   * Changed outside Terraform, but in values the configuration does not set: the next deployment
   * keeps them (not drift; see pluginDrift).
   */
  kept?: ResourceDetail[];
  /** Why the check failed or was skipped. */
  reason?: string;
}

/** The deployment the check compares the cloud with. */
export interface CheckedDeployment {
  runId: string;
  version: string;
  finishedAt: string;
  mode: 'classic' | 'unified';
}

/** A deployment of the target that was running when the check started. */
export interface RunningDeployment {
  runId: string;
  /** When its lock was taken. */
  since: string;
  workflowRunUrl: string;
  /** The plugins whose state it was changing, which were not checked (see pluginsTouchedBy). */
  plugins: string[];
}

export interface DriftReport {
  format: typeof DRIFT_REPORT_FORMAT;
  target: DeploymentTarget;
  checkedAt: string;
  /** Absent when nothing is deployed (then `notice` says so). */
  deployment?: CheckedDeployment;
  running?: RunningDeployment;
  /** What a reader must know first (nothing deployed yet, a deployment running). */
  notice?: string;
  /** Some plugin drifted. */
  drifted: boolean;
  driftedPlugins: string[];
  /** Plugins whose check failed (not drift: see PluginDriftStatus). */
  failedPlugins: string[];
  plugins: PluginDrift[];
}

/**
 * The plugins whose state a running deployment is changing now: those of its tasks that are
 * RUNNING, or all of `aliases` when such a task works on the whole application (unified mode's
 * one state). A run waiting for approval, or between tasks, changes no state: all are checked.
 */
export function pluginsTouchedBy(
  tasks: readonly Pick<RunTask, 'pluginAppliedAlias' | 'status'>[],
  aliases: readonly string[],
): string[] {
  const running = tasks.filter((t) => t.status === 'RUNNING');
  if (running.some((t) => !t.pluginAppliedAlias)) return [...aliases];
  const touched = new Set(running.map((t) => t.pluginAppliedAlias));
  return aliases.filter((alias) => touched.has(alias));
}

/** One plan's `resource_drift` and `resource_changes`, read by readResourceDetails. */
export interface DriftAndChanges {
  drift: readonly ResourceDetail[];
  changes: readonly ResourceDetail[];
}

/**
 * One plugin's result from its plan. An attribute drifted when it changed outside Terraform
 * (`resource_drift`) and the plan changes it back (`resource_changes` touches the same path, or
 * replaces the resource); a resource deleted outside Terraform drifted when the plan creates it
 * again. A change outside Terraform that the plan leaves alone is a value the configuration does
 * not set (the next deployment keeps it): listed in `kept`, not drift.
 */
export function pluginDrift(alias: string, plan: DriftAndChanges): PluginDrift {
  const changes = new Map(
    plan.changes.filter((c) => c.action !== 'read').map((c) => [c.address, c]),
  );
  const drifted: ResourceDetail[] = [];
  const kept: ResourceDetail[] = [];
  for (const resource of plan.drift) {
    const change = changes.get(resource.address);
    // Deleted (or back) outside Terraform: the whole resource, whatever the plan does.
    if (resource.action === 'delete' || resource.action === 'create') {
      (change ? drifted : kept).push(resource);
      continue;
    }
    const undone = change?.attributes.map((a) => a.path) ?? [];
    const reverts = (path: string) =>
      change?.action === 'replace' ||
      undone.some(
        (p) =>
          p === path ||
          path.startsWith(`${p}.`) ||
          path.startsWith(`${p}[`) ||
          p.startsWith(`${path}.`) ||
          p.startsWith(`${path}[`),
      );
    const back = resource.attributes.filter((a) => reverts(a.path));
    const stays = resource.attributes.filter((a) => !reverts(a.path));
    if (back.length > 0) drifted.push({ ...resource, attributes: back });
    if (stays.length > 0) kept.push({ ...resource, attributes: stays });
  }
  return {
    alias,
    status: drifted.length > 0 ? 'drifted' : 'in-sync',
    resources: drifted,
    ...(kept.length > 0 ? { kept } : {}),
  };
}

/**
 * Unified mode: one plan for the whole application, its drift split by module (one module per
 * plugin, `module.<alias>`). A resource outside every plugin's module goes to the root ('').
 */
export function splitByPlugin(
  resources: readonly ResourceDetail[],
  aliases: readonly string[],
): Map<string, ResourceDetail[]> {
  const byAlias = new Map<string, ResourceDetail[]>(aliases.map((a) => [a, []]));
  for (const resource of resources) {
    const alias = byAlias.has(resource.alias) ? resource.alias : '';
    const list = byAlias.get(alias) ?? [];
    list.push(resource);
    byAlias.set(alias, list);
  }
  return byAlias;
}

/** The report of a check, from each plugin's result in the deployment's order. */
export function buildDriftReport(input: {
  target: DeploymentTarget;
  checkedAt: string;
  deployment?: CheckedDeployment;
  running?: RunningDeployment;
  notice?: string;
  plugins: PluginDrift[];
}): DriftReport {
  const { plugins } = input;
  const driftedPlugins = plugins.filter((p) => p.status === 'drifted').map((p) => p.alias);
  return {
    format: DRIFT_REPORT_FORMAT,
    target: input.target,
    checkedAt: input.checkedAt,
    ...(input.deployment ? { deployment: input.deployment } : {}),
    ...(input.running ? { running: input.running } : {}),
    ...(input.notice ? { notice: input.notice } : {}),
    drifted: driftedPlugins.length > 0,
    driftedPlugins,
    failedPlugins: plugins.filter((p) => p.status === 'check-failed').map((p) => p.alias),
    plugins,
  };
}

/**
 * Why the step fails, if it does: a failed check always (the cloud could not be compared: not a
 * green check), drift only with FAIL_ON_DRIFT. Undefined: the step succeeds.
 */
export function driftCheckFailure(report: DriftReport, failOnDrift: boolean): string | undefined {
  const reasons: string[] = [];
  if (report.failedPlugins.length > 0)
    reasons.push(
      `the drift check of ${report.failedPlugins.join(', ')} failed (see the report for why)`,
    );
  if (failOnDrift && report.drifted)
    reasons.push(
      `${report.driftedPlugins.join(', ')} drifted from the last deployment (FAIL_ON_DRIFT)`,
    );
  return reasons.length > 0 ? `${reasons.join('; ')}.` : undefined;
}
