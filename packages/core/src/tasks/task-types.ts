/**
 * Task statuses, and the shape of a task as TASK_LIST and run records carry it (docs/runs-and-tasks.md#task-types).
 *
 * A task type is a wire name kept from StackSpot (IAC_SELF_HOSTED, PLAN...) and, at this level,
 * an opaque string: which types exist and what each does is the handler table's
 * (task-handlers/table.ts), which sits above runs/, schedule/ and tasks/ and validates every task
 * list that comes in. Below it, a type is only stored, compared and shown.
 */

/** A task type's wire name; see task-handlers/table.ts for the ones that exist. */
export type TaskType = string;

/** How a run's plugins are deployed: one Terraform project each, or one project for all (docs/runs-and-tasks.md#classic-and-unified-mode). */
export type DeploymentMode = 'classic' | 'unified';

export const TASK_STATUSES = [
  'PENDING',
  'READY_TO_RUN',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'INTERNAL_ERROR',
  'ABORTED',
] as const;
/**
 * PENDING until a step claims the run for it (tasks awaiting approval stay PENDING), READY_TO_RUN
 * once claimed, RUNNING while it runs; then SUCCEEDED, FAILED (the user's configuration or an
 * outside failure), INTERNAL_ERROR (a bug of the engine) or ABORTED (cancelled, or never started
 * because the run stopped).
 */
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** One entry of `apply_tasks` / TASK_LIST: what runtime-tasks is asked to execute. */
export interface ApplyTask {
  runTaskId: string;
  taskType: TaskType;
  /** The plugin alias the task works on; null for tasks over the whole run (unified mode). */
  pluginAppliedAlias: string | null;
}
