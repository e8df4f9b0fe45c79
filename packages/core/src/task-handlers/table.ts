/**
 * The task types: one handler each, one line each below. Everything the rest of the engine knows
 * about task types is derived from this table: a run's task list per mode, which types a TASK_LIST
 * may name, which tasks orchestrate-and-plan runs before approval (the planning set), what each
 * task waits for in the graph, a run's deployment mode, and how summaries name a task.
 *
 * Lower layers (tasks/, runs/, schedule/) treat a task type as an opaque string: they store and
 * compare it, and take the graph's waits as a function (schedule's WaitsOf). Only this table says
 * which types exist, and it checks every task list that comes in (checkTaskTypes).
 *
 * A handler is found by its wire name and its scope: PLAN is classic mode's per-plugin plan and
 * unified mode's whole-run plan, two handlers under one name, as TASK_LIST has always carried it
 * (pluginAppliedAlias set or null).
 */
import { ConfigurationError } from '../errors';
import type { GraphTask, WaitsOf } from '../schedule';
import type { DeploymentMode, TaskType } from '../tasks';
import { classicPlan } from './classic-plan';
import { deploySelfHosted } from './deploy-self-hosted';
import { destroySelfHosted } from './destroy-self-hosted';
import { iacSelfHosted } from './iac-self-hosted';
import type { TaskContext, TaskResult } from './task-context';
import type { ListedFor, TaskHandler } from './task-handler';
import { unifiedDeploy } from './unified-deploy';
import { unifiedDestroy } from './unified-destroy';
import { unifiedIac } from './unified-iac';
import { unifiedPlan } from './unified-plan';

export const TASK_HANDLERS: readonly TaskHandler[] = [
  iacSelfHosted,
  deploySelfHosted,
  destroySelfHosted,
  classicPlan,
  unifiedIac,
  unifiedPlan,
  unifiedDeploy,
  unifiedDestroy,
];

/** A task as the table looks it up: its wire name and plugin (null: the whole run). */
export type TaskKey = Pick<GraphTask, 'taskType' | 'pluginAppliedAlias'>;

/** A set of handlers and what is derived from them (TASK_TABLE: the engine's). */
export class TaskTable {
  /** Every wire name a TASK_LIST may name, in table order. */
  readonly types: readonly TaskType[];
  /** The wire names orchestrate-and-plan runs itself before approval (left out of apply_tasks). */
  readonly planning: readonly TaskType[];

  constructor(readonly handlers: readonly TaskHandler[]) {
    const seen = new Map<TaskType, TaskHandler>();
    for (const handler of handlers) {
      const other = seen.get(handler.type);
      // One name, one phase: apply_tasks and the summaries split tasks by name.
      if (other && (other.scope === handler.scope || other.phase !== handler.phase))
        throw new Error(
          `task type ${handler.type} has two handlers of ${other.scope === handler.scope ? `scope ${handler.scope}` : 'different phases'}`,
        );
      seen.set(handler.type, handler);
    }
    this.types = [...seen.keys()];
    this.planning = [...seen.values()].filter((h) => h.phase === 'plan').map((h) => h.type);
  }

  /**
   * The tasks of a run of `mode` (docs/runs-and-tasks.md#ordering-and-the-task-graph), in a valid order task by task: stage by
   * stage, within a stage the run's own tasks first, then plugin by plugin, each plugin's tasks in
   * table order (classic: every PLAN; then IAC and DEPLOY of each plugin, producers first; then
   * each DESTROY, consumers first). None when the run would have no task to apply.
   *
   * @param deployOrder infra plugin aliases in dependency order (producers first)
   * @param destroyOrder removed plugin aliases in destroy order (consumers first)
   */
  taskList(
    mode: DeploymentMode,
    deployOrder: readonly string[],
    destroyOrder: readonly string[],
  ): TaskKey[] {
    const kept = new Set(deployOrder);
    for (const alias of destroyOrder)
      if (kept.has(alias))
        throw new Error(`taskList: alias ${alias} is both deployed and destroyed`);
    const runWants: Record<ListedFor, boolean> = {
      run: true,
      'run-if-kept': deployOrder.length > 0,
      'run-if-removed': destroyOrder.length > 0,
      kept: false,
      removed: false,
      'kept-and-removed': false,
    };
    const pluginWants = (handler: TaskHandler, alias: string): boolean =>
      handler.listed.for === 'kept-and-removed' ||
      handler.listed.for === (kept.has(alias) ? 'kept' : 'removed');
    const ofMode = this.handlers.filter((h) => h.mode === mode);
    const stages = [...new Set(ofMode.map((h) => h.listed.stage))].sort((a, b) => a - b);
    const tasks: TaskKey[] = [];
    for (const stage of stages) {
      const inStage = ofMode.filter((h) => h.listed.stage === stage);
      for (const handler of inStage)
        if (handler.scope === 'run' && runWants[handler.listed.for])
          tasks.push({ taskType: handler.type, pluginAppliedAlias: null });
      for (const alias of [...deployOrder, ...destroyOrder])
        for (const handler of inStage)
          if (handler.scope === 'plugin' && pluginWants(handler, alias))
            tasks.push({ taskType: handler.type, pluginAppliedAlias: alias });
    }
    return tasks.some((t) => this.find(t)?.phase === 'apply') ? tasks : [];
  }

  /** The handler of `task`, if the table has one for its type and scope. */
  find(task: TaskKey): TaskHandler | undefined {
    const scope = task.pluginAppliedAlias === null ? 'run' : 'plugin';
    return this.handlers.find((h) => h.type === task.taskType && h.scope === scope);
  }

  /** Refuses a task list naming a type (or a scope of it) the table does not have. */
  checkTaskTypes<T extends TaskKey>(tasks: readonly T[]): T[] {
    tasks.forEach((task, index) => {
      if (this.find(task)) return;
      const where = `element ${index} has taskType ${JSON.stringify(task.taskType)}`;
      const known = this.types.includes(task.taskType);
      throw new ConfigurationError({
        message: known
          ? `${where} ${task.pluginAppliedAlias === null ? 'without' : 'with'} a pluginAppliedAlias, which that type does not take.`
          : `${where}; expected one of ${this.types.join(', ')}.`,
        hint: 'Pass the apply_tasks output of orchestrate-and-plan unchanged.',
      });
    });
    return [...tasks];
  }

  /** What a task waits for in the graph: its handler's waits (none for an unknown one). */
  readonly waits: WaitsOf = (task, graph) => this.find(task)?.waits(task, graph) ?? [];

  /** A run's mode: unified when any of its tasks is a unified mode's. */
  mode(tasks: readonly TaskKey[]): DeploymentMode {
    return tasks.some((t) => this.find(t)?.mode === 'unified') ? 'unified' : 'classic';
  }

  /** Whether orchestrate-and-plan runs `task` before approval. */
  isPlanning(task: TaskKey): boolean {
    return this.find(task)?.phase === 'plan';
  }

  /** How summaries name a task type in a few characters (its wire name when unknown). */
  label(task: TaskKey): string {
    return this.find(task)?.label ?? task.taskType;
  }

  /** Executes `task` with its handler. */
  async execute(context: TaskContext, task: TaskKey & { runTaskId: string }): Promise<TaskResult> {
    const handler = this.find(task);
    if (!handler)
      throw new Error(
        `task ${task.runTaskId} (${task.taskType} ${task.pluginAppliedAlias ?? 'over the whole run'}) has no handler`,
      );
    return handler.scope === 'run'
      ? handler.execute(context)
      : handler.execute(context, task.pluginAppliedAlias as string);
  }
}

/** The engine's task types. */
export const TASK_TABLE = new TaskTable(TASK_HANDLERS);
/** Every task type's wire name. */
export const TASK_TYPES = TASK_TABLE.types;
/** The types orchestrate-and-plan executes itself before asking for approval (both modes). */
export const PLANNING_TASKS = TASK_TABLE.planning;
