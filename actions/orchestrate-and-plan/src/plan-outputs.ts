/** The outputs of orchestrate-and-plan: the run, its tasks to approve, and what its plans change. */
import {
  cliCommand,
  formatTaskList,
  planHasChanges,
  type Manifest,
  type PlannedRun,
  type PlanRecord,
  type RunRecord,
  type UnplannedPlugin,
} from '@deploy-engine/core';

export type PlanOutputs = Record<
  'has_changes' | 'to_add' | 'to_change' | 'to_destroy' | 'to_replace' | 'destroys',
  string
>;

/**
 * @param planned whether anything was planned (a run waits for approval, or a preview planned)
 * @param plans the plans saved before approval (none when no run was opened)
 * @param unplanned classic plugins that could not be planned yet: their changes are unknown
 */
export function planOutputs(
  manifest: Manifest,
  planned: boolean,
  plans: readonly PlanRecord[],
  unplanned: readonly UnplannedPlugin[],
): PlanOutputs {
  if (!planned) {
    return {
      has_changes: 'false',
      to_add: '0',
      to_change: '0',
      to_destroy: '0',
      to_replace: '0',
      destroys: 'false',
    };
  }
  const sum = (key: 'add' | 'change' | 'destroy' | 'replace') =>
    plans.reduce((total, plan) => total + plan.counts[key], 0);
  const removes = manifest.destroy.length > 0;
  return {
    has_changes: String(planHasChanges(manifest, plans, unplanned)),
    to_add: String(sum('add')),
    to_change: String(sum('change')),
    to_destroy: String(sum('destroy')),
    to_replace: String(sum('replace')),
    destroys: String(removes || sum('destroy') + sum('replace') > 0),
  };
}

/** Every output of the step, in the order they are set, from what planRun returned. */
export function orchestrateOutputs(
  result: PlannedRun,
  runRef: (run: RunRecord) => string,
): Record<string, string> {
  const { run, open, opened } = result;
  return {
    run_id: open ? runRef(open) : '',
    apply_tasks: formatTaskList(result.applyTasks),
    ...planOutputs(opened.manifest, open !== undefined, result.plans, result.unplanned),
    run_type: run?.type ?? '',
    run_status: run?.status ?? '',
    status_command: run ? cliCommand('status', runRef(run)) : '',
  };
}
