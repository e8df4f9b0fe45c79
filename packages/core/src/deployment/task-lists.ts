/**
 * The task list of a run, per deployment mode (CONTRACT.md §4 and §6), in an order that is valid
 * task by task (TASK_PARALLELISM 1 runs it as listed).
 *
 * - classic: first a PLAN task per plugin deployed or destroyed, which orchestrate-and-plan runs
 *   itself; then for each plugin in dependency order its IAC task and its DEPLOY task, so a
 *   dependent is rendered only after its producers are deployed and their real output values
 *   exist; then a DESTROY task for each removed plugin, consumers before producers (the order the
 *   manifest already gives them).
 * - unified: UNIFIED_IAC and PLAN, which orchestrate-and-plan runs itself; then UNIFIED_DEPLOY
 *   (when plugins stay) and UNIFIED_DESTROY (when plugins left stk.yaml), the tasks to approve.
 */
import type { TaskType } from '../tasks';

export interface TaskSpec {
  taskType: TaskType;
  pluginAppliedAlias: string | null;
}

/**
 * @param deployOrder infra plugin aliases in dependency order (producers first)
 * @param destroyOrder removed plugin aliases in destroy order (consumers first)
 */
export function planClassicTasks(
  deployOrder: readonly string[],
  destroyOrder: readonly string[],
): TaskSpec[] {
  const seen = new Set<string>();
  for (const alias of [...deployOrder, ...destroyOrder]) {
    if (seen.has(alias)) throw new Error(`planClassicTasks: alias ${alias} appears twice`);
    seen.add(alias);
  }
  return [
    ...[...deployOrder, ...destroyOrder].map((alias): TaskSpec => ({
      taskType: 'PLAN',
      pluginAppliedAlias: alias,
    })),
    ...deployOrder.flatMap((alias): TaskSpec[] => [
      { taskType: 'IAC_SELF_HOSTED', pluginAppliedAlias: alias },
      { taskType: 'DEPLOY_SELF_HOSTED', pluginAppliedAlias: alias },
    ]),
    ...destroyOrder.map((alias): TaskSpec => ({
      taskType: 'DESTROY_SELF_HOSTED',
      pluginAppliedAlias: alias,
    })),
  ];
}

/** Unified mode's tasks; none when the run neither deploys nor destroys a plugin. */
export function planUnifiedTasks(
  deployOrder: readonly string[],
  destroyOrder: readonly string[],
): TaskSpec[] {
  const types: TaskType[] = [
    'UNIFIED_IAC',
    'PLAN',
    ...(deployOrder.length > 0 ? ['UNIFIED_DEPLOY'] : []),
    ...(destroyOrder.length > 0 ? ['UNIFIED_DESTROY'] : []),
  ];
  if (types.length === 2) return [];
  return types.map((taskType) => ({ taskType, pluginAppliedAlias: null }));
}
