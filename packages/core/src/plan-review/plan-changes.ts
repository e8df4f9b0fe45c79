/**
 * What a saved plan will do, read from `terraform show -json <plan>`: every resource change with
 * its address, the module (= plugin alias) it belongs to and one action word, and the counts
 * reviewers read (add / change / destroy / replace).
 */
import { ExternalError } from '../errors';

export type ResourceAction = 'create' | 'update' | 'delete' | 'replace' | 'read';

export interface ResourceChange {
  address: string;
  /** The alias of the module the resource is in; '' for the root module. */
  alias: string;
  action: ResourceAction;
}

export interface PlanCounts {
  add: number;
  change: number;
  destroy: number;
  replace: number;
}

interface ShowJson {
  resource_changes?: {
    address?: string;
    module_address?: string;
    change?: { actions?: string[] };
  }[];
}

function actionOf(actions: readonly string[]): ResourceAction | undefined {
  const set = [...actions].sort().join(',');
  if (set === 'create') return 'create';
  if (set === 'update') return 'update';
  if (set === 'delete') return 'delete';
  if (set === 'create,delete') return 'replace';
  if (set === 'read') return 'read';
  return undefined; // no-op
}

/** The changes of a plan, in the plan's order; no-ops left out. */
export function readPlanChanges(showJson: string): ResourceChange[] {
  let plan: ShowJson;
  try {
    plan = JSON.parse(showJson) as ShowJson;
  } catch {
    throw new ExternalError('terraform show -json printed something that is not JSON');
  }
  const changes: ResourceChange[] = [];
  for (const rc of plan.resource_changes ?? []) {
    const action = actionOf(rc.change?.actions ?? []);
    if (!action || !rc.address) continue;
    const alias = /^module\.([^.[]+)/.exec(rc.module_address ?? '')?.[1] ?? '';
    changes.push({ address: rc.address, alias, action });
  }
  return changes;
}

export function countChanges(changes: readonly ResourceChange[]): PlanCounts {
  const counts: PlanCounts = { add: 0, change: 0, destroy: 0, replace: 0 };
  for (const c of changes) {
    if (c.action === 'create') counts.add++;
    else if (c.action === 'update') counts.change++;
    else if (c.action === 'delete') counts.destroy++;
    else if (c.action === 'replace') counts.replace++;
  }
  return counts;
}

/** Sorted addresses of the resources a plan destroys (replacements included). */
export function destroyedAddresses(changes: readonly ResourceChange[]): string[] {
  return changes
    .filter((c) => c.action === 'delete' || c.action === 'replace')
    .map((c) => c.address)
    .sort();
}

/** How two destroy sets differ, as sentences; empty when they are the same. */
export function compareDestroys(reviewed: readonly string[], now: readonly string[]): string[] {
  const before = new Set(reviewed);
  const after = new Set(now);
  const added = now.filter((a) => !before.has(a));
  const gone = reviewed.filter((a) => !after.has(a));
  return [
    ...added.map((a) => `${a} would now be destroyed, but the reviewed plan did not destroy it.`),
    ...gone.map((a) => `${a} was to be destroyed in the reviewed plan, but no longer is.`),
  ];
}

/**
 * How the resource actions of two plans differ, one sentence per resource; empty when both plans
 * do the same thing to the same resources (values may differ).
 */
export function compareActions(
  reviewed: readonly ResourceChange[],
  now: readonly ResourceChange[],
): string[] {
  const before = new Map(reviewed.map((c) => [c.address, c.action]));
  const after = new Map(now.map((c) => [c.address, c.action]));
  const addresses = [...new Set([...before.keys(), ...after.keys()])].sort();
  return addresses
    .filter((a) => before.get(a) !== after.get(a))
    .map(
      (a) =>
        `${a}: the reviewed plan would ${before.get(a) ?? 'leave it unchanged'}, the new plan would ${after.get(a) ?? 'leave it unchanged'}.`,
    );
}
