/**
 * One task type, all it is: its scope, phase and mode, what it waits for in the run's task graph,
 * how it executes, and how summaries name it. Registered in table.ts, which derives everything
 * else from the handlers (see there).
 */
import type { ManifestPlugin } from '../manifest';
import type { GraphTask, TaskGraphView } from '../schedule';
import type { DeploymentMode, TaskType } from '../tasks';
import type { ReviewedPlanUse, TaskContext, TaskResult } from './task-context';

/**
 * Which runs of its mode list the task: for each plugin the run deploys ('kept'), destroys
 * ('removed') or both, or once over the whole run ('run', or only when the run deploys a plugin,
 * 'run-if-kept', or destroys one, 'run-if-removed').
 */
export type ListedFor =
  'kept' | 'removed' | 'kept-and-removed' | 'run' | 'run-if-kept' | 'run-if-removed';

interface HandlerBase {
  /** The wire name (TASK_LIST, apply_tasks, run records): part of the contract, never renamed. */
  readonly type: TaskType;
  /**
   * 'plan': orchestrate-and-plan runs it before approval (its tasks are left out of apply_tasks);
   * 'apply': runtime-tasks runs it after approval.
   */
  readonly phase: 'plan' | 'apply';
  /** The deployment mode whose runs have it. */
  readonly mode: DeploymentMode;
  /**
   * Where a run's task list has it (see TaskTable.taskList): stage by stage, and within a stage
   * plugin by plugin (producers first, then removed plugins, consumers first), each plugin's tasks
   * in table order. The list is a valid order task by task, so a task's stage comes after those of
   * everything it waits for.
   */
  readonly listed: { stage: number; for: ListedFor };
  /** How summaries name it in a few characters (the timeline's bars). */
  readonly label: string;
  /** The summary's "Plan applied" cell for this task; absent: it applies no plan. */
  planApplied?(use: ReviewedPlanUse | undefined): string;
  /** The ids of the listed tasks it waits for (see schedule/task-graph.ts). */
  waits(task: GraphTask, graph: TaskGraphView): Iterable<string>;
}

/** A task on one plugin (pluginAppliedAlias set). */
export interface PluginTaskHandler extends HandlerBase {
  readonly scope: 'plugin';
  execute(context: TaskContext, alias: string): Promise<TaskResult>;
}

/** A task over the whole run (pluginAppliedAlias null). */
export interface RunTaskHandler extends HandlerBase {
  readonly scope: 'run';
  execute(context: TaskContext): Promise<TaskResult>;
}

export type TaskHandler = PluginTaskHandler | RunTaskHandler;

/** The infra plugin `alias` of the run's manifest. */
export function infraPlugin(context: TaskContext, alias: string): ManifestPlugin {
  const plugin = context.manifest.plugins.find((p) => p.alias === alias && p.type === 'infra');
  if (!plugin)
    throw new Error(`run ${context.run.runId} has no infra plugin ${alias} in its manifest`);
  return plugin;
}

/** A run-scope task waits for the run-scope task listed before it: they form one chain. */
export function afterPreviousRunTask(task: GraphTask, graph: TaskGraphView): string[] {
  const index = graph.tasks.findIndex((t) => t.runTaskId === task.runTaskId);
  const previous = graph.tasks
    .slice(0, index < 0 ? 0 : index)
    .reverse()
    .find((t) => t.pluginAppliedAlias === null);
  return previous ? [previous.runTaskId] : [];
}
