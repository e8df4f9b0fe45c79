/**
 * The task list of a unified-mode run (docs/runs-and-tasks.md#classic-and-unified-mode): orchestrate-and-plan runs UNIFIED_IAC and
 * PLAN itself; UNIFIED_DEPLOY (when plugins stay) and UNIFIED_DESTROY (when plugins left stk.yaml)
 * are the tasks to approve.
 */
import type { TaskType } from '../tasks';

export type DeploymentMode = 'classic' | 'unified';

/** Tasks orchestrate-and-plan executes itself before asking for approval (both modes). */
export const PLANNING_TASKS: readonly TaskType[] = ['UNIFIED_IAC', 'PLAN'];

export function planUnifiedTasks(
  deployOrder: readonly string[],
  destroyOrder: readonly string[],
): { taskType: TaskType; pluginAppliedAlias: null }[] {
  const types: TaskType[] = [
    'UNIFIED_IAC',
    'PLAN',
    ...(deployOrder.length > 0 ? (['UNIFIED_DEPLOY'] as const) : []),
    ...(destroyOrder.length > 0 ? (['UNIFIED_DESTROY'] as const) : []),
  ];
  if (types.length === 2) return [];
  return types.map((taskType) => ({ taskType, pluginAppliedAlias: null }));
}

export function deploymentMode(tasks: readonly { taskType: TaskType }[]): DeploymentMode {
  return tasks.some((t) => t.taskType.startsWith('UNIFIED_')) ? 'unified' : 'classic';
}
