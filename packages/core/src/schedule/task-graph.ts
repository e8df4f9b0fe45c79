/**
 * Which task of a run must wait for which (docs/runs-and-tasks.md#ordering-and-the-task-graph), as a graph over task ids:
 * in classic mode a plugin's DEPLOY waits for its IAC, a dependent's IAC waits for its producers'
 * DEPLOY, every DESTROY waits for every deploy, and a removed producer's DESTROY waits for the
 * DESTROY of the removed plugins that required it. Other tasks (unified mode, PLAN) keep the
 * order of the list. Pure data: no I/O.
 */
import type { TaskType } from '../tasks';

export interface GraphTask {
  runTaskId: string;
  taskType: TaskType;
  pluginAppliedAlias: string | null;
}

export interface TaskNode {
  id: string;
  /** Ids of the tasks it waits for (only tasks of the graph). */
  after: string[];
}

const PLUGIN_TASKS: readonly TaskType[] = [
  'IAC_SELF_HOSTED',
  'DEPLOY_SELF_HOSTED',
  'DESTROY_SELF_HOSTED',
];

/**
 * @param dependsOn per plugin alias, the aliases it requires a connection from (manifest
 *   `dependsOn`, for kept and removed plugins alike)
 */
export function taskGraph(
  tasks: readonly GraphTask[],
  dependsOn: ReadonlyMap<string, readonly string[]>,
): TaskNode[] {
  const find = (type: TaskType, alias: string) =>
    tasks.find((t) => t.taskType === type && t.pluginAppliedAlias === alias)?.runTaskId;
  const deploys = tasks.filter((t) => t.taskType === 'DEPLOY_SELF_HOSTED').map((t) => t.runTaskId);
  const nodes: TaskNode[] = [];
  let previousOther: string | undefined;
  for (const task of tasks) {
    const alias = task.pluginAppliedAlias;
    const after = new Set<string>();
    if (alias === null || !PLUGIN_TASKS.includes(task.taskType)) {
      // PLAN tasks are independent of each other; the unified chain keeps its order.
      if (task.taskType !== 'PLAN' || alias === null) {
        if (previousOther) after.add(previousOther);
        previousOther = task.runTaskId;
      }
    } else if (task.taskType === 'IAC_SELF_HOSTED') {
      for (const producer of dependsOn.get(alias) ?? []) {
        const id = find('DEPLOY_SELF_HOSTED', producer);
        if (id) after.add(id);
      }
    } else if (task.taskType === 'DEPLOY_SELF_HOSTED') {
      const id = find('IAC_SELF_HOSTED', alias);
      if (id) after.add(id);
    } else {
      for (const id of deploys) after.add(id);
      // Consumers before producers: wait for the destroy of every removed plugin requiring this one.
      for (const other of tasks) {
        if (other.taskType !== 'DESTROY_SELF_HOSTED' || other.pluginAppliedAlias === null) continue;
        if ((dependsOn.get(other.pluginAppliedAlias) ?? []).includes(alias))
          after.add(other.runTaskId);
      }
    }
    after.delete(task.runTaskId);
    nodes.push({ id: task.runTaskId, after: [...after] });
  }
  return nodes;
}

/**
 * For each task, the number of tasks on the longest chain from it to the end (itself included):
 * starting the task with the longest remaining chain first shortens the whole run.
 */
export function remainingChain(nodes: readonly TaskNode[]): Map<string, number> {
  const dependents = new Map<string, string[]>();
  for (const node of nodes)
    for (const before of node.after)
      dependents.set(before, [...(dependents.get(before) ?? []), node.id]);
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (id: string): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) throw new Error(`task graph has a cycle through ${id}`);
    visiting.add(id);
    const value = 1 + Math.max(0, ...(dependents.get(id) ?? []).map(depth));
    visiting.delete(id);
    memo.set(id, value);
    return value;
  };
  for (const node of nodes) depth(node.id);
  return memo;
}
