/**
 * DESTROY_SELF_HOSTED (classic mode, after approval): destroys a plugin that left stk.yaml with
 * the IaC of its last deployment, then deletes its Connection Interfaces. It applies the reviewed
 * destroy plan when the state did not move since; otherwise it plans the destroy again and applies
 * it only if it destroys exactly the reviewed resources (taken over from a lost worker of a pool
 * whose Terraform wrote the state: only what is left of them, see taken-over-apply.ts). With no
 * plan saved (a run opened by an
 * older version), it destroys directly. Waits for every DEPLOY, and for the DESTROY of each removed
 * plugin that required this one (consumers before producers).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { classicPlanName } from '../deployment/artifacts';
import {
  loadPlanRecord,
  replanReviewedDestroy,
  stateMoved,
  verifiedPlanBytes,
} from '../deployment/saved-plans';
import type { ChangeSummary } from '../terraform';
import type { ReviewedPlanUse, TaskContext } from './task-context';
import { applyTakenOver, continuesPlannedState } from './taken-over-apply';
import type { PluginTaskHandler } from './task-handler';

export const destroySelfHosted: PluginTaskHandler = {
  type: 'DESTROY_SELF_HOSTED',
  scope: 'plugin',
  phase: 'apply',
  mode: 'classic',
  listed: { stage: 2, for: 'removed' },
  label: 'DESTROY',
  planApplied(use) {
    if (use?.kind === 'applied') return 'the reviewed destroy plan';
    if (use?.kind === 'replanned') return '⚠️ re-planned (same changes)';
    if (use?.kind === 'remainder')
      return `⚠️ taken over: ${use.remaining} of ${use.done + use.remaining} reviewed changes left`;
    return use ? 'destroyed without a saved plan' : '—';
  },
  waits(task, graph) {
    const alias = task.pluginAppliedAlias ?? '';
    const deploys = graph.tasks.filter((t) => t.taskType === 'DEPLOY_SELF_HOSTED');
    const consumers = graph.tasks.filter(
      (t) =>
        t.taskType === 'DESTROY_SELF_HOSTED' &&
        t.pluginAppliedAlias !== null &&
        graph.dependsOn(t.pluginAppliedAlias).includes(alias),
    );
    return [...deploys, ...consumers].map((t) => t.runTaskId);
  },
  async execute(context, alias) {
    const removed = context.manifest.destroy.find((p) => p.alias === alias);
    if (!removed) throw new Error(`run ${context.run.runId} does not remove plugin ${alias}`);
    const dir = await context.iac.restoreLast(alias, 'destroy');
    const { changes, use } = await destroyPlugin(context, alias, dir);
    await context.outputs.removeConnections(removed);
    return { changes, reviewedPlan: use };
  },
};

/** The destroy of `alias` in `dir`, which holds the IaC of its last deployment. */
async function destroyPlugin(
  context: TaskContext,
  alias: string,
  dir: string,
): Promise<{ changes: ChangeSummary; use: ReviewedPlanUse }> {
  const { runs, iacStore } = context.stores;
  const { logger } = context;
  const runId = context.run.runId;
  const record = await loadPlanRecord(runs, runId, classicPlanName(alias));
  const terraform = context.terraform.project(dir, alias);
  await terraform.init(context.terraform.stateBackend(alias), { lockFile: record?.lockFile });
  if (!record) {
    if (!context.policy)
      return { changes: await terraform.apply({ destroy: true }), use: { kind: 'none' } };
    // With a policy, no plan is applied unchecked: plan, check, then apply that plan.
    const file = join(dir, 'destroy.tfplan');
    await terraform.plan({ out: file, destroy: true });
    await context.policy.enforce(await terraform.show(file, { json: true }), {
      name: classicPlanName(alias),
      alias,
      kind: 'destroy',
    });
    return { changes: await terraform.applyPlan(file), use: { kind: 'none' } };
  }
  const state = (await terraform.stateVersion()) ?? null;
  const moved = stateMoved(record.state, state);
  // Taken over from a lost worker whose Terraform wrote the state: only the rest of the review.
  if (moved && context.takeover && continuesPlannedState(record.state, state))
    return applyTakenOver(context, terraform, { dir, record, moved, from: context.takeover.from });
  if (!moved) {
    const file = join(dir, 'reviewed-destroy.tfplan');
    await writeFile(file, await verifiedPlanBytes(runs, iacStore.bucket, runId, record));
    logger.info(
      `Applying the reviewed destroy plan of ${alias} (SHA-256 ${record.sha256.slice(0, 12)}).`,
    );
    return { changes: await terraform.applyPlan(file), use: { kind: 'applied' } };
  }
  const file = join(dir, 'destroy-now.tfplan');
  const count = await replanReviewedDestroy(
    terraform,
    record,
    file,
    {
      title: `${alias}'s state changed since review (${moved}), and the destroy planned now is not the reviewed one`,
      nothing: `Nothing of ${alias} was destroyed.`,
      hint: 'Start a new run (re-run the workflow) to review a new destroy plan.',
    },
    context.policy,
  );
  logger.warning(
    `Planned the destroy of ${alias} again (${moved}): it destroys the same ${count} resource(s) as the reviewed plan, so it is applied.`,
  );
  return {
    changes: await terraform.applyPlan(file),
    use: { kind: 'replanned', changedInterfaces: [], stateMoved: true },
  };
}
