/**
 * Which task of a run must wait for which, as a graph over task ids
 * (docs/runs-and-tasks.md#ordering-and-the-task-graph). schedule/ does not know the
 * task types: each handler says what its tasks wait for (task-handlers/, which sits above this
 * folder), and the caller passes that in as `waitsOf`; here the graph is only built and walked.
 * Pure data: no I/O.
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

/** What a task's waits are decided from: the whole list and the plugins' dependencies. */
export interface TaskGraphView {
  /** Every task of the graph, in list order. */
  readonly tasks: readonly GraphTask[];
  /** The id of the listed task of `type` on plugin `alias` (null: over the whole run), if any. */
  find(type: TaskType, alias: string | null): string | undefined;
  /** The aliases plugin `alias` requires a connection from (kept and removed plugins alike). */
  dependsOn(alias: string): readonly string[];
}

/** The ids `task` waits for; ids of tasks outside the list are ignored. */
export type WaitsOf = (task: GraphTask, graph: TaskGraphView) => Iterable<string>;

/**
 * @param dependsOn per plugin alias, the aliases it requires a connection from (manifest
 *   `dependsOn`, for kept and removed plugins alike)
 * @param waitsOf what each task waits for (the handler table's `waits`)
 */
export function taskGraph(
  tasks: readonly GraphTask[],
  dependsOn: ReadonlyMap<string, readonly string[]>,
  waitsOf: WaitsOf,
): TaskNode[] {
  const view: TaskGraphView = {
    tasks,
    find: (type, alias) =>
      tasks.find((t) => t.taskType === type && t.pluginAppliedAlias === alias)?.runTaskId,
    dependsOn: (alias) => dependsOn.get(alias) ?? [],
  };
  const ids = new Set(tasks.map((t) => t.runTaskId));
  return tasks.map((task) => {
    const after = new Set([...waitsOf(task, view)].filter((id) => ids.has(id)));
    after.delete(task.runTaskId);
    return { id: task.runTaskId, after: [...after] };
  });
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
