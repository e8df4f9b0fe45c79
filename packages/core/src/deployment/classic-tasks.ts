/**
 * The task list of a classic-mode run (docs/runs-and-tasks.md#task-types): first a PLAN task per plugin deployed or
 * destroyed, which orchestrate-and-plan runs itself (see classic-plans.ts); then for each plugin in dependency order
 * its IAC task and its DEPLOY task, so a dependent is rendered only after its producers are deployed
 * and their real output values exist; then a DESTROY task for each removed plugin, consumers
 * before producers (the order the manifest already gives them).
 */
import type { TaskType } from '../tasks';

export interface TaskSpec {
  taskType: TaskType;
  pluginAppliedAlias: string;
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
