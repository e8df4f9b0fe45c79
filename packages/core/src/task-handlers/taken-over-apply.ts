/**
 * A DEPLOY or DESTROY taken over from a lost worker of a pool, whose Terraform had persisted part
 * of the reviewed plan's changes before it was killed: the reviewed plan is stale (the state moved), so
 * the plugin is planned again (`plan -out`, POLICY_COMMAND on the new plan when set) and the new
 * plan is applied only when it does nothing but what the reviewed plan still had to do
 * (plan-review/plan-remainder.ts). Outside a take-over a stale plan stays refused
 * (saved-plans.ts refuseStaleState).
 */
import { join } from 'node:path';
import type { PlanRecord } from '../deployment/saved-plans';
import { ConfigurationError } from '../errors';
import { planRemainder, readPlanChanges } from '../plan-review';
import type { RunWorker } from '../runs';
import type { ChangeSummary, StateVersion, TerraformProject } from '../terraform';
import type { ReviewedPlanUse, TaskContext } from './task-context';

/**
 * Whether the state now can be the planned one carried on by an apply: written again (same
 * lineage) or created where there was none. A state deleted or replaced by another lineage is
 * not what a killed apply leaves, and stays refused as stale.
 */
export function continuesPlannedState(
  planned: StateVersion | null,
  now: StateVersion | null,
): boolean {
  if (now === null) return false;
  return planned === null || (planned.lineage === now.lineage && now.serial > planned.serial);
}

export async function applyTakenOver(
  context: TaskContext,
  terraform: TerraformProject,
  options: { dir: string; record: PlanRecord; moved: string; from: RunWorker },
): Promise<{ changes: ChangeSummary; use: ReviewedPlanUse }> {
  const { dir, record, moved, from } = options;
  const alias = record.alias ?? '';
  const destroy = record.kind === 'destroy';
  const worker = `worker ${from.id} (${from.description}${from.host ? `, host ${from.host}` : ''})`;
  const file = join(dir, 'remainder.tfplan');
  await terraform.plan(
    destroy ? { out: file, destroy: true, targets: record.targets } : { out: file },
  );
  const json = await terraform.show(file, { json: true });
  const { refused, done, remaining } = planRemainder(record.changes, readPlanChanges(json));
  if (refused.length > 0) {
    throw new ConfigurationError(
      [
        ...refused.map((message) => ({ message })),
        {
          message: `Nothing more was applied to ${alias}.`,
          hint: `Look at what ${worker} applied before it was lost (the state of ${alias}), then start a new run (re-run the workflow) to review a plan against the current state.`,
        },
      ],
      `${alias} was taken over from ${worker}, whose Terraform had written its state (${moved}), and the plan made now does something the reviewed plan did not`,
    );
  }
  await context.policy?.enforce(json, { name: record.name, alias, kind: record.kind });
  const total = done.length + remaining.length;
  context.logger.warning(
    `${alias} was taken over from ${worker}, whose Terraform had written its state before it was lost (${moved}): ${done.length} of ${total} reviewed change(s) were already applied${done.length > 0 ? ` (${done.map((c) => c.address).join(', ')})` : ''}; planned again${destroy ? ' (destroy)' : ''}, applying the remaining ${remaining.length}${remaining.length > 0 ? ` (${remaining.map((c) => c.address).join(', ')})` : ''}.`,
  );
  return {
    changes: await terraform.applyPlan(file),
    use: { kind: 'remainder', from: from.id, done: done.length, remaining: remaining.length },
  };
}
