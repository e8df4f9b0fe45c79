/**
 * PLAN of one plugin (classic mode; orchestrate-and-plan runs it before approval). A plugin whose
 * required Connection Interfaces already exist (from earlier deployments or other applications)
 * is rendered and planned, and the plan saved for DEPLOY to apply; the others are planned after
 * approval, after their producers. For a plugin the run destroys, the destroy is planned with the
 * IaC of its last deployment, so the reviewer sees what it removes. PLAN tasks wait for nothing.
 *
 * The wire name PLAN is also unified mode's whole-run plan (unified-plan.ts): one name, two
 * handlers, told apart by scope (a plugin alias or none), as TASK_LIST has always carried them.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { classicPlanName } from '../deployment/artifacts';
import { savePlan, type PlanRecord } from '../deployment/saved-plans';
import { canonicalJson, sha256 } from '../encoding';
import type { ManifestPlugin } from '../manifest';
import { writeRenderedProject } from '../templates';
import type { TaskContext, UnplannedPlugin } from './task-context';
import { infraPlugin, type PluginTaskHandler } from './task-handler';

export const classicPlan: PluginTaskHandler = {
  type: 'PLAN',
  scope: 'plugin',
  phase: 'plan',
  mode: 'classic',
  listed: { stage: 0, for: 'kept-and-removed' },
  label: 'PLAN',
  waits: () => [],
  async execute(context, alias) {
    if (context.manifest.destroy.some((p) => p.alias === alias)) {
      return planDestroy(context, alias, await context.iac.restoreLast(alias, 'plan-destroy'));
    }
    return planPlugin(context, infraPlugin(context, alias));
  },
};

/**
 * Where the classic PLAN of `alias` leaves its plan file in the job's `workDir` (a preview reads
 * it back with `terraform show -json` for the outputs it predicts).
 */
export function classicPlanFile(
  workDir: string,
  alias: string,
  kind: 'deploy' | 'destroy',
): string {
  return kind === 'deploy'
    ? join(workDir, 'plan', alias, 'plan.tfplan')
    : join(workDir, 'plan-destroy', alias, 'destroy.tfplan');
}

/** Plans the destroy of a removed plugin in `dir`, which holds the IaC of its last deployment. */
async function planDestroy(
  context: TaskContext,
  alias: string,
  dir: string,
): Promise<{ plans: PlanRecord[] }> {
  const terraform = context.terraform.project(dir, alias);
  await terraform.init(context.terraform.stateBackend(alias));
  const lockFile = await terraform.lockFile();
  const record = await savePlan(context.stores.runs, context.run.runId, terraform, context.logger, {
    name: classicPlanName(alias),
    kind: 'destroy',
    alias,
    file: classicPlanFile(context.workDir, alias, 'destroy'),
    targets: [],
    state: (await terraform.stateVersion()) ?? null,
    ...(lockFile !== undefined ? { lockFile } : {}),
    ...(context.policy ? { policy: context.policy } : {}),
  });
  return { plans: [record] };
}

async function planPlugin(
  context: TaskContext,
  plugin: ManifestPlugin,
): Promise<{ plans?: PlanRecord[]; unplanned?: UnplannedPlugin }> {
  const { workspace, environment } = context.manifest.target;
  const missing: string[] = [];
  const connections: Record<string, string> = {};
  // A rollback deploys IaC rendered back then: it needs no Connection Interface values now.
  const requires = context.manifest.rollback ? [] : plugin.requires;
  const found = await context.stores.context.getMany(
    workspace,
    environment,
    requires.map((r) => r.name),
  );
  for (const required of requires) {
    const instance = found.get(required.name);
    if (instance) connections[required.name] = sha256(canonicalJson(instance.attributes));
    else
      missing.push(
        `${required.name}${required.from.kind === 'plugin' ? ` (from ${required.from.alias})` : ''}`,
      );
  }
  if (missing.length > 0) {
    const reason = `requires ${missing.join(', ')}, which does not exist yet`;
    context.logger.info(
      `Not planned now: ${plugin.alias} ${reason}; it is planned once its producers are applied (in a run: by the approved job, after them).`,
    );
    return { unplanned: { alias: plugin.alias, reason } };
  }
  const project = await context.renderer.render(plugin);
  const dir = join(context.workDir, 'plan', plugin.alias);
  await rm(dir, { recursive: true, force: true });
  await writeRenderedProject(project, dir);
  const terraform = context.terraform.project(dir, plugin.alias);
  await terraform.init(context.terraform.stateBackend(plugin.alias));
  const state = (await terraform.stateVersion()) ?? null;
  const lockFile = await terraform.lockFile();
  const record = await savePlan(context.stores.runs, context.run.runId, terraform, context.logger, {
    name: classicPlanName(plugin.alias),
    kind: 'deploy',
    alias: plugin.alias,
    file: classicPlanFile(context.workDir, plugin.alias, 'deploy'),
    targets: [],
    state,
    ...(lockFile !== undefined ? { lockFile } : {}),
    iacDigest: project.digest,
    connections,
    ...(context.policy ? { policy: context.policy } : {}),
  });
  return { plans: [record] };
}
