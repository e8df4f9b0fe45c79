/**
 * Plans in classic mode. orchestrate-and-plan plans every plugin whose required Connection
 * Interfaces already exist (from earlier deployments or other applications) and saves the plan.
 * At apply time, DEPLOY applies that reviewed plan when the plugin rendered to the same IaC (its
 * producers' outputs came out as planned); when the IaC changed it plans again and applies only if
 * the new plan does the same things to the same resources, reporting the change prominently;
 * otherwise it stops with USER_ERROR and asks for a new run.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigurationError } from '../errors';
import { canonicalJson, sha256 } from '../encoding';
import type { ManifestPlugin } from '../manifest';
import { writeRenderedProject } from '../templates';
import type { ChangeSummary, TerraformProject } from '../terraform';
import { compareActions, readPlanChanges } from '../unified';
import { classicPlanName } from './artifacts';
import {
  loadPlanRecord,
  refuseStaleState,
  replanReviewedDestroy,
  savePlan,
  stateMoved,
  verifiedPlanBytes,
  type PlanRecord,
} from './saved-plans';
import type { TaskToolbox } from './unified-tasks';

export interface UnplannedPlugin {
  alias: string;
  /** Why it could not be planned before the run. */
  reason: string;
}

/** How DEPLOY used the reviewed plan. */
export type ReviewedPlanUse =
  { kind: 'none' } | { kind: 'applied' } | { kind: 'replanned'; changedInterfaces: string[] };

export interface ClassicPlanToolbox extends TaskToolbox {
  backend(alias: string): Parameters<TerraformProject['init']>[0];
  iacDigest(alias: string): string | undefined;
}

/**
 * PLAN of a plugin the run destroys (classic mode), in `dir`, which holds the IaC of its last
 * deployment: the reviewer sees what the destroy removes.
 */
export async function planClassicDestroy(
  tb: ClassicPlanToolbox,
  alias: string,
  dir: string,
): Promise<{ plans: PlanRecord[] }> {
  const terraform = tb.project(dir, alias);
  await terraform.init(tb.backend(alias));
  const lockFile = await terraform.lockFile();
  const record = await savePlan(tb.deps.runs, tb.run.runId, terraform, tb.deps.logger, {
    name: classicPlanName(alias),
    kind: 'destroy',
    alias,
    file: join(dir, 'destroy.tfplan'),
    targets: [],
    state: (await terraform.stateVersion()) ?? null,
    ...(lockFile !== undefined ? { lockFile } : {}),
  });
  return { plans: [record] };
}

/**
 * DESTROY of one plugin in classic mode, in `dir` (the IaC of its last deployment): applies the
 * reviewed destroy plan when the state did not move since; otherwise plans the destroy again and
 * applies it only if it destroys exactly the reviewed resources. With no plan saved (a run opened
 * by an older version), destroys directly.
 */
export async function destroyClassicPlugin(
  tb: ClassicPlanToolbox,
  alias: string,
  dir: string,
): Promise<{ changes: ChangeSummary; use: ReviewedPlanUse }> {
  const { runs, logger, iacStore } = tb.deps;
  const runId = tb.run.runId;
  const record = await loadPlanRecord(runs, runId, classicPlanName(alias));
  const terraform = tb.project(dir, alias);
  await terraform.init(tb.backend(alias), { lockFile: record?.lockFile });
  if (!record) return { changes: await terraform.apply({ destroy: true }), use: { kind: 'none' } };
  const moved = stateMoved(record.state, (await terraform.stateVersion()) ?? null);
  if (!moved) {
    const file = join(dir, 'reviewed-destroy.tfplan');
    await writeFile(file, await verifiedPlanBytes(runs, iacStore.bucket, runId, record));
    logger.info(
      `Applying the reviewed destroy plan of ${alias} (SHA-256 ${record.sha256.slice(0, 12)}).`,
    );
    return { changes: await terraform.applyPlan(file), use: { kind: 'applied' } };
  }
  const file = join(dir, 'destroy-now.tfplan');
  const count = await replanReviewedDestroy(terraform, record, file, {
    title: `${alias}'s state changed since review (${moved}), and the destroy planned now is not the reviewed one`,
    nothing: `Nothing of ${alias} was destroyed.`,
    hint: 'Start a new run (re-run the workflow) to review a new destroy plan.',
  });
  logger.warning(
    `Planned the destroy of ${alias} again (${moved}): it destroys the same ${count} resource(s) as the reviewed plan, so it is applied.`,
  );
  return {
    changes: await terraform.applyPlan(file),
    use: { kind: 'replanned', changedInterfaces: [] },
  };
}

/** PLAN of one plugin (orchestrate-and-plan, classic mode). */
export async function planClassicPlugin(
  tb: ClassicPlanToolbox,
  plugin: ManifestPlugin,
): Promise<{ plans?: PlanRecord[]; unplanned?: UnplannedPlugin }> {
  const { workspace, environment } = tb.manifest.target;
  const missing: string[] = [];
  const connections: Record<string, string> = {};
  // A rollback deploys IaC rendered back then: it needs no Connection Interface values now.
  const requires = tb.manifest.rollback ? [] : plugin.requires;
  const found = await tb.deps.context.getMany(
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
    tb.deps.logger.info(
      `Not planned before approval: ${plugin.alias} ${reason}; it is planned and applied in the approved job, after its producers.`,
    );
    return { unplanned: { alias: plugin.alias, reason } };
  }
  const project = await tb.renderPlugin(plugin, {});
  const dir = join(tb.workDir, 'plan', plugin.alias);
  await rm(dir, { recursive: true, force: true });
  await writeRenderedProject(project, dir);
  const terraform = tb.project(dir, plugin.alias);
  await terraform.init(tb.backend(plugin.alias));
  const state = (await terraform.stateVersion()) ?? null;
  const lockFile = await terraform.lockFile();
  const record = await savePlan(tb.deps.runs, tb.run.runId, terraform, tb.deps.logger, {
    name: classicPlanName(plugin.alias),
    kind: 'deploy',
    alias: plugin.alias,
    file: join(dir, 'plan.tfplan'),
    targets: [],
    state,
    ...(lockFile !== undefined ? { lockFile } : {}),
    iacDigest: project.digest,
    connections,
  });
  return { plans: [record] };
}

/**
 * DEPLOY of one plugin in classic mode, in its rendered folder `dir`: applies the reviewed plan,
 * a new plan that does the same things, or (with no plan saved) plans and applies in one go.
 */
export async function applyClassicPlugin(
  tb: ClassicPlanToolbox,
  plugin: ManifestPlugin,
  dir: string,
): Promise<{ terraform: TerraformProject; changes: ChangeSummary; use: ReviewedPlanUse }> {
  const { runs, logger, iacStore } = tb.deps;
  const runId = tb.run.runId;
  const record = await loadPlanRecord(runs, runId, classicPlanName(plugin.alias));
  const terraform = tb.project(dir, plugin.alias);
  await terraform.init(tb.backend(plugin.alias), { lockFile: record?.lockFile });
  if (!record) {
    return { terraform, changes: await terraform.apply(), use: { kind: 'none' } };
  }
  refuseStaleState(runId, record, (await terraform.stateVersion()) ?? null);
  if (tb.iacDigest(plugin.alias) === record.iacDigest) {
    const file = join(dir, 'reviewed.tfplan');
    await writeFile(file, await verifiedPlanBytes(runs, iacStore.bucket, runId, record));
    logger.info(
      `Applying the reviewed plan of ${plugin.alias} (SHA-256 ${record.sha256.slice(0, 12)}): its inputs are the ones it was planned with.`,
    );
    return { terraform, changes: await terraform.applyPlan(file), use: { kind: 'applied' } };
  }
  const changedInterfaces = await changedConnections(tb, plugin, record);
  const why =
    changedInterfaces.length > 0
      ? `the Connection Interface(s) ${changedInterfaces.join(', ')} changed since review`
      : 'its rendered IaC changed since review';
  const file = join(dir, 'replanned.tfplan');
  await terraform.plan({ out: file });
  const differences = compareActions(
    record.changes,
    readPlanChanges(await terraform.show(file, { json: true })),
  );
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
  logger.warning(
    `Re-planned ${plugin.alias}: ${why}. The new plan makes the same resource changes as the reviewed one, so it is applied.`,
  );
  return {
    terraform,
    changes: await terraform.applyPlan(file),
    use: { kind: 'replanned', changedInterfaces },
  };
}

async function changedConnections(
  tb: ClassicPlanToolbox,
  plugin: ManifestPlugin,
  record: PlanRecord,
): Promise<string[]> {
  const { workspace, environment } = tb.manifest.target;
  const changed: string[] = [];
  const planned = Object.entries(record.connections ?? {});
  const found = await tb.deps.context.getMany(
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
