/** The plan outputs of orchestrate-and-plan: has_changes, counts and the destroys flag. */
import type { Manifest, PlanRecord, RunRecord } from '@deploy-engine/core';

export function planOutputs(
  manifest: Manifest,
  open: RunRecord | undefined,
  plans: readonly PlanRecord[] | undefined,
): Record<
  'has_changes' | 'to_add' | 'to_change' | 'to_destroy' | 'to_replace' | 'destroys',
  string
> {
  if (plans === undefined) {
    // Classic mode: plugins are planned at apply time, so only the task list is known here.
    return {
      has_changes: String(open !== undefined),
      to_add: '',
      to_change: '',
      to_destroy: '',
      to_replace: '',
      destroys: String(open !== undefined && manifest.destroy.length > 0),
    };
  }
  const sum = (key: 'add' | 'change' | 'destroy' | 'replace') =>
    plans.reduce((total, plan) => total + plan.counts[key], 0);
  return {
    has_changes: String(plans.some((p) => p.hasChanges)),
    to_add: String(sum('add')),
    to_change: String(sum('change')),
    to_destroy: String(sum('destroy')),
    to_replace: String(sum('replace')),
    destroys: String(sum('destroy') + sum('replace') > 0),
  };
}
