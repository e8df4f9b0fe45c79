/**
 * What is left of a reviewed plan that was partly applied (a worker killed mid-apply, whose
 * Terraform had persisted the state of the resources it finished): the plan made now must only
 * do what the reviewed plan still had to do. Each change of the new plan must be a change the
 * reviewed plan made to the same resource with the same action, or one half of a reviewed
 * replacement (its create, when the old object was destroyed first; its delete, when the new
 * object was created first). Anything else (a resource the review did not change, another action,
 * a destroy the review did not show) is refused. Reads change nothing and are left out.
 */
import type { ResourceChange } from './plan-changes';

export interface PlanRemainder {
  /** One sentence per change of the new plan the reviewed plan did not make; empty when none. */
  refused: string[];
  /** The reviewed changes the new plan no longer makes: applied before the take-over. */
  done: ResourceChange[];
  /** The reviewed changes the new plan still makes. */
  remaining: ResourceChange[];
}

export function planRemainder(
  reviewed: readonly ResourceChange[],
  now: readonly ResourceChange[],
): PlanRemainder {
  const reviewedChanges = reviewed.filter((c) => c.action !== 'read');
  const before = new Map(reviewedChanges.map((c) => [c.address, c.action]));
  const refused: string[] = [];
  const still = new Set<string>();
  for (const change of now) {
    if (change.action === 'read') continue;
    const was = before.get(change.address);
    const halfOfReplace =
      was === 'replace' && (change.action === 'create' || change.action === 'delete');
    if (was === change.action || halfOfReplace) {
      still.add(change.address);
      continue;
    }
    refused.push(
      was === undefined
        ? `${change.address}: the new plan would ${change.action} it, but the reviewed plan left it unchanged.`
        : `${change.address}: the reviewed plan would ${was} it, the new plan would ${change.action} it.`,
    );
  }
  return {
    refused,
    done: reviewedChanges.filter((c) => !still.has(c.address)),
    remaining: reviewedChanges.filter((c) => still.has(c.address)),
  };
}
