/**
 * DEPLOY_SELF_HOSTED (classic mode, after approval): applies one plugin, in its own state, with
 * the plan reviewed before approval when the plugin rendered to the same IaC (its producers'
 * outputs came out as planned); when the IaC changed it plans again and applies only if the new
 * plan does the same things to the same resources, reporting the change prominently; otherwise it
 * stops with USER_ERROR and asks for a new run. A task taken over from a lost worker of a pool
 * whose Terraform wrote the state applies only what is left of the reviewed plan
 * (taken-over-apply.ts); any other stale plan is refused. Then writes the output file and publishes the
 * plugin's Connection Interfaces. Waits for the plugin's IAC.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { classicPlanName } from '../deployment/artifacts';
import {
  loadPlanRecord,
  refuseStaleState,
  stateMoved,
  verifiedPlanBytes,
  type PlanRecord,
} from '../deployment/saved-plans';
import { ConfigurationError } from '../errors';
import { canonicalJson, sha256 } from '../encoding';
import type { ManifestPlugin } from '../manifest';
import type { ChangeSummary, TerraformProject } from '../terraform';
import { compareActions, readPlanChanges } from '../plan-review';
import type { ReviewedPlanUse, TaskContext } from './task-context';
import { applyTakenOver, continuesPlannedState } from './taken-over-apply';
import { infraPlugin, type PluginTaskHandler } from './task-handler';

export const deploySelfHosted: PluginTaskHandler = {
  type: 'DEPLOY_SELF_HOSTED',
  scope: 'plugin',
  phase: 'apply',
  mode: 'classic',
  listed: { stage: 1, for: 'kept' },
  label: 'DEPLOY',
  planApplied(use) {
    if (use?.kind === 'applied') return 'the reviewed plan';
    if (use?.kind === 'replanned') return '⚠️ re-planned (same changes)';
    if (use?.kind === 'remainder')
      return `⚠️ taken over: ${use.remaining} of ${use.done + use.remaining} reviewed changes left`;
    return use ? 'planned after approval' : '—';
  },
  waits(task, graph) {
    const iac = graph.find('IAC_SELF_HOSTED', task.pluginAppliedAlias);
    return iac ? [iac] : [];
  },
  async execute(context, alias) {
    const plugin = infraPlugin(context, alias);
    // Refused before anything is applied, rather than after.
    await context.outputs.checkTarget(alias);
    const dir = await context.iac.ensure(alias);
    const { terraform, changes, use } = await applyPlugin(context, plugin, dir);
    const outputs = await terraform.output();
    const outputFile = await context.outputs.publish(plugin, outputs);
    context.ledger.deployed(alias, context.ledger.digest(alias) ?? '');
    return { changes, outputs, outputFile, reviewedPlan: use };
  },
};

/**
 * Applies the reviewed plan, a new plan that does the same things, or (with no plan saved) plans
 * and applies in one go.
 */
async function applyPlugin(
  context: TaskContext,
  plugin: ManifestPlugin,
  dir: string,
): Promise<{ terraform: TerraformProject; changes: ChangeSummary; use: ReviewedPlanUse }> {
  const { runs, iacStore } = context.stores;
  const { logger } = context;
  const runId = context.run.runId;
  const record = await loadPlanRecord(runs, runId, classicPlanName(plugin.alias));
  // The reviewed plan (when it is the one applied) is fetched and checked while init runs.
  const reviewed =
    record && context.ledger.digest(plugin.alias) === record.iacDigest
      ? verifiedPlanBytes(runs, iacStore.bucket, runId, record)
      : undefined;
  reviewed?.catch(() => undefined); // awaited below, unless init fails first
  const terraform = context.terraform.project(dir, plugin.alias);
  await terraform.init(context.terraform.stateBackend(plugin.alias), {
    lockFile: record?.lockFile,
  });
  const plan = {
    name: classicPlanName(plugin.alias),
    alias: plugin.alias,
    kind: 'deploy' as const,
  };
  if (!record) {
    if (!context.policy)
      return { terraform, changes: await terraform.apply(), use: { kind: 'none' } };
    // Planned only now (after its producers): with a policy, plan, check, then apply that plan.
    const file = join(dir, 'plan.tfplan');
    await terraform.plan({ out: file });
    await context.policy.enforce(await terraform.show(file, { json: true }), plan);
    return { terraform, changes: await terraform.applyPlan(file), use: { kind: 'none' } };
  }
  const state = (await terraform.stateVersion()) ?? null;
  const moved = stateMoved(record.state, state);
  // Taken over from a lost worker whose Terraform wrote the state: only the rest of the review.
  if (moved && context.takeover && continuesPlannedState(record.state, state)) {
    const { changes, use } = await applyTakenOver(context, terraform, {
      dir,
      record,
      moved,
      from: context.takeover.from,
    });
    return { terraform, changes, use };
  }
  refuseStaleState(runId, record, state);
  if (reviewed) {
    const file = join(dir, 'reviewed.tfplan');
    await writeFile(file, await reviewed);
    logger.info(
      `Applying the reviewed plan of ${plugin.alias} (SHA-256 ${record.sha256.slice(0, 12)}): its inputs are the ones it was planned with.`,
    );
    return { terraform, changes: await terraform.applyPlan(file), use: { kind: 'applied' } };
  }
  const changedInterfaces = await changedConnections(context, record);
  const why =
    changedInterfaces.length > 0
      ? `the Connection Interface(s) ${changedInterfaces.join(', ')} changed since review`
      : 'its rendered IaC changed since review';
  const file = join(dir, 'replanned.tfplan');
  await terraform.plan({ out: file });
  const json = await terraform.show(file, { json: true });
  const differences = compareActions(record.changes, readPlanChanges(json));
  if (differences.length > 0) {
    throw new ConfigurationError(
      [
        ...differences.map((message) => ({ message })),
        {
          message: `Nothing was applied to ${plugin.alias}.`,
          hint: 'Start a new run (re-run the workflow) to review the new plan.',
        },
      ],
      `${plugin.alias} was planned again because ${why}, and the new plan does not do what the reviewed one did`,
    );
  }
  await context.policy?.enforce(json, plan);
  logger.warning(
    `Re-planned ${plugin.alias}: ${why}. The new plan makes the same resource changes as the reviewed one, so it is applied.`,
  );
  return {
    terraform,
    changes: await terraform.applyPlan(file),
    use: { kind: 'replanned', changedInterfaces },
  };
}

/** The Connection Interfaces the plan was made with whose values changed since. */
async function changedConnections(context: TaskContext, record: PlanRecord): Promise<string[]> {
  const { workspace, environment } = context.manifest.target;
  const changed: string[] = [];
  const planned = Object.entries(record.connections ?? {});
  const found = await context.stores.context.getMany(
    workspace,
    environment,
    planned.map(([name]) => name),
  );
  for (const [name, digest] of planned) {
    const instance = found.get(name);
    if (!instance || sha256(canonicalJson(instance.attributes)) !== digest) changed.push(name);
  }
  return changed;
}
