/** Task types and statuses, with the wire names kept from StackSpot (docs/runs-and-tasks.md#task-types). */

export const TASK_TYPES = [
  'IAC_SELF_HOSTED',
  'DEPLOY_SELF_HOSTED',
  'DESTROY_SELF_HOSTED',
  'PLAN',
  'UNIFIED_IAC',
  'UNIFIED_DEPLOY',
  'UNIFIED_DESTROY',
] as const;
export type TaskType = (typeof TASK_TYPES)[number];

export const TASK_STATUSES = [
  'PENDING',
  'READY_TO_RUN',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'INTERNAL_ERROR',
  'ABORTED',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** One entry of `apply_tasks` / TASK_LIST: what runtime-tasks is asked to execute. */
export interface ApplyTask {
  runTaskId: string;
  taskType: TaskType;
  /** The plugin alias the task works on; null for tasks over the whole run (unified mode). */
  pluginAppliedAlias: string | null;
}

export function isTaskType(value: unknown): value is TaskType {
  return typeof value === 'string' && (TASK_TYPES as readonly string[]).includes(value);
}
