import { ConfigurationError } from '../errors';
import { taskGraph, type GraphTask } from '../schedule';
import { iacSelfHosted } from './iac-self-hosted';
import { PLANNING_TASKS, TASK_HANDLERS, TASK_TABLE, TASK_TYPES, TaskTable } from './table';
import type { PluginTaskHandler, TaskHandler } from './task-handler';

const classicTasks = (kept: string[], removed: string[]) =>
  TASK_TABLE.taskList('classic', kept, removed);
const unifiedTasks = (kept: string[], removed: string[]) =>
  TASK_TABLE.taskList('unified', kept, removed);

/** A task list as the run records it, each task named `<type> <alias>` (its id). */
function listed(specs: { taskType: string; pluginAppliedAlias: string | null }[]): GraphTask[] {
  return specs.map((s) => ({
    ...s,
    runTaskId: `${s.taskType} ${s.pluginAppliedAlias ?? ''}`.trim(),
  }));
}

function waitsOf(table: TaskTable, tasks: GraphTask[], dependsOn: Record<string, string[]> = {}) {
  const nodes = taskGraph(tasks, new Map(Object.entries(dependsOn)), table.waits);
  return Object.fromEntries(nodes.map((n) => [n.id, [...n.after].sort()]));
}

describe('the task table', () => {
  it('has the wire names of the contract, and plans PLAN and UNIFIED_IAC before approval', () => {
    expect(TASK_TYPES).toEqual([
      'IAC_SELF_HOSTED',
      'DEPLOY_SELF_HOSTED',
      'DESTROY_SELF_HOSTED',
      'PLAN',
      'UNIFIED_IAC',
      'UNIFIED_DEPLOY',
      'UNIFIED_DESTROY',
    ]);
    expect([...PLANNING_TASKS].sort()).toEqual(['PLAN', 'UNIFIED_IAC']);
  });

  it('has a handler for every task a run of either mode lists', () => {
    const tasks = [...classicTasks(['a', 'b'], ['gone']), ...unifiedTasks(['a'], ['gone'])];
    for (const task of tasks) expect(TASK_TABLE.find(task)).toBeDefined();
  });

  it('puts DEPLOY after its IAC, a dependent IAC after its producers DEPLOY, destroys after deploys, consumers first', () => {
    const tasks = listed(classicTasks(['a', 'b'], ['oldUser', 'old']));
    expect(waitsOf(TASK_TABLE, tasks, { a: [], b: ['a'], old: [], oldUser: ['old'] })).toEqual({
      'PLAN a': [],
      'PLAN b': [],
      'PLAN oldUser': [],
      'PLAN old': [],
      'IAC_SELF_HOSTED a': [],
      'DEPLOY_SELF_HOSTED a': ['IAC_SELF_HOSTED a'],
      'IAC_SELF_HOSTED b': ['DEPLOY_SELF_HOSTED a'],
      'DEPLOY_SELF_HOSTED b': ['IAC_SELF_HOSTED b'],
      'DESTROY_SELF_HOSTED old': [
        'DEPLOY_SELF_HOSTED a',
        'DEPLOY_SELF_HOSTED b',
        'DESTROY_SELF_HOSTED oldUser',
      ],
      'DESTROY_SELF_HOSTED oldUser': ['DEPLOY_SELF_HOSTED a', 'DEPLOY_SELF_HOSTED b'],
    });
  });

  it('keeps the unified chain in list order', () => {
    const tasks = listed(unifiedTasks(['a'], ['gone']));
    expect(waitsOf(TASK_TABLE, tasks)).toEqual({
      UNIFIED_IAC: [],
      PLAN: ['UNIFIED_IAC'],
      UNIFIED_DEPLOY: ['PLAN'],
      UNIFIED_DESTROY: ['UNIFIED_DEPLOY'],
    });
  });

  it('tells the modes apart, PLAN by its scope', () => {
    expect(TASK_TABLE.mode(unifiedTasks(['a'], []))).toBe('unified');
    expect(TASK_TABLE.mode(classicTasks(['a'], []))).toBe('classic');
    expect(TASK_TABLE.mode([{ taskType: 'PLAN', pluginAppliedAlias: null }])).toBe('unified');
    expect(TASK_TABLE.mode([{ taskType: 'PLAN', pluginAppliedAlias: 'a' }])).toBe('classic');
  });

  it('names tasks for the summaries', () => {
    const label = (taskType: string, pluginAppliedAlias: string | null = 'a') =>
      TASK_TABLE.label({ taskType, pluginAppliedAlias });
    expect(label('IAC_SELF_HOSTED')).toBe('IAC');
    expect(label('DESTROY_SELF_HOSTED')).toBe('DESTROY');
    expect(label('UNIFIED_DEPLOY', null)).toBe('UNIFIED_DEPLOY');
    // A record written by another version keeps its wire name.
    expect(label('SOMETHING_NEW')).toBe('SOMETHING_NEW');
  });

  it('refuses a TASK_LIST naming a type it does not have, listing the ones it has', () => {
    const refused = () =>
      TASK_TABLE.checkTaskTypes([
        { runTaskId: 'a', taskType: 'PLAN', pluginAppliedAlias: 'x' },
        { runTaskId: 'b', taskType: 'APPLY', pluginAppliedAlias: 'x' },
      ]);
    expect(refused).toThrow(ConfigurationError);
    expect(refused).toThrow(
      'element 1 has taskType "APPLY"; expected one of IAC_SELF_HOSTED, DEPLOY_SELF_HOSTED, DESTROY_SELF_HOSTED, PLAN, UNIFIED_IAC, UNIFIED_DEPLOY, UNIFIED_DESTROY.',
    );
  });

  it('refuses a known type in a scope it does not take', () => {
    expect(() =>
      TASK_TABLE.checkTaskTypes([
        { runTaskId: 'a', taskType: 'IAC_SELF_HOSTED', pluginAppliedAlias: null },
      ]),
    ).toThrow(/element 0 has taskType "IAC_SELF_HOSTED" without a pluginAppliedAlias/);
    expect(() =>
      TASK_TABLE.checkTaskTypes([
        { runTaskId: 'a', taskType: 'UNIFIED_DEPLOY', pluginAppliedAlias: 'a' },
      ]),
    ).toThrow(ConfigurationError);
  });

  it('refuses two handlers of one name in one scope, or in two phases', () => {
    expect(() => new TaskTable([...TASK_HANDLERS, { ...iacSelfHosted }])).toThrow(
      /IAC_SELF_HOSTED has two handlers of scope plugin/,
    );
    const runScoped: TaskHandler = {
      ...iacSelfHosted,
      scope: 'run',
      phase: 'plan',
      execute: () => Promise.resolve({}),
    };
    expect(() => new TaskTable([...TASK_HANDLERS, runScoped])).toThrow(/different phases/);
  });
});

describe('a table with one more task type', () => {
  /** A drift check of one plugin, planned before approval, after the plugin's PLAN. */
  const driftCheck: PluginTaskHandler = {
    type: 'DRIFT_CHECK',
    scope: 'plugin',
    phase: 'plan',
    mode: 'classic',
    listed: { stage: 0, for: 'kept' },
    label: 'DRIFT',
    waits(task, graph) {
      const plan = graph.find('PLAN', task.pluginAppliedAlias);
      return plan ? [plan] : [];
    },
    execute: () => Promise.resolve({}),
  };
  const table = new TaskTable([...TASK_HANDLERS, driftCheck]);

  it('derives the task lists, the task types, the planning set, the waits, the mode and the labels from it', () => {
    expect(table.taskList('classic', ['a'], ['gone'])).toEqual([
      { taskType: 'PLAN', pluginAppliedAlias: 'a' },
      { taskType: 'DRIFT_CHECK', pluginAppliedAlias: 'a' },
      { taskType: 'PLAN', pluginAppliedAlias: 'gone' },
      { taskType: 'IAC_SELF_HOSTED', pluginAppliedAlias: 'a' },
      { taskType: 'DEPLOY_SELF_HOSTED', pluginAppliedAlias: 'a' },
      { taskType: 'DESTROY_SELF_HOSTED', pluginAppliedAlias: 'gone' },
    ]);
    expect(table.taskList('unified', ['a'], [])).toEqual(TASK_TABLE.taskList('unified', ['a'], []));
    expect(table.types).toEqual([...TASK_TYPES, 'DRIFT_CHECK']);
    expect(table.planning).toEqual([...PLANNING_TASKS, 'DRIFT_CHECK']);
    const tasks = listed([
      { taskType: 'PLAN', pluginAppliedAlias: 'a' },
      { taskType: 'DRIFT_CHECK', pluginAppliedAlias: 'a' },
    ]);
    expect(waitsOf(table, tasks)).toEqual({ 'PLAN a': [], 'DRIFT_CHECK a': ['PLAN a'] });
    expect(table.mode(tasks)).toBe('classic');
    expect(table.isPlanning(tasks[1] as GraphTask)).toBe(true);
    expect(table.label({ taskType: 'DRIFT_CHECK', pluginAppliedAlias: 'a' })).toBe('DRIFT');
    expect(
      table.checkTaskTypes([{ runTaskId: 'x', taskType: 'DRIFT_CHECK', pluginAppliedAlias: 'a' }]),
    ).toHaveLength(1);
  });

  it('leaves the engine table as it is', () => {
    expect(() =>
      TASK_TABLE.checkTaskTypes([
        { runTaskId: 'x', taskType: 'DRIFT_CHECK', pluginAppliedAlias: 'a' },
      ]),
    ).toThrow(/expected one of/);
  });
});

describe('planClassicTasks', () => {
  it('plans every plugin deployed or destroyed first, then IAC and DEPLOY of each in dependency order, then destroys', () => {
    expect(classicTasks(['topic', 'queue'], ['old-consumer', 'old-producer'])).toEqual([
      { taskType: 'PLAN', pluginAppliedAlias: 'topic' },
      { taskType: 'PLAN', pluginAppliedAlias: 'queue' },
      { taskType: 'PLAN', pluginAppliedAlias: 'old-consumer' },
      { taskType: 'PLAN', pluginAppliedAlias: 'old-producer' },
      { taskType: 'IAC_SELF_HOSTED', pluginAppliedAlias: 'topic' },
      { taskType: 'DEPLOY_SELF_HOSTED', pluginAppliedAlias: 'topic' },
      { taskType: 'IAC_SELF_HOSTED', pluginAppliedAlias: 'queue' },
      { taskType: 'DEPLOY_SELF_HOSTED', pluginAppliedAlias: 'queue' },
      { taskType: 'DESTROY_SELF_HOSTED', pluginAppliedAlias: 'old-consumer' },
      { taskType: 'DESTROY_SELF_HOSTED', pluginAppliedAlias: 'old-producer' },
    ]);
  });

  it('gives nothing to do for nothing', () => {
    expect(classicTasks([], [])).toEqual([]);
  });

  it('refuses an alias both deployed and destroyed', () => {
    expect(() => classicTasks(['a'], ['a'])).toThrow(/alias a is both deployed and destroyed/);
  });
});

describe('planUnifiedTasks', () => {
  it('renders and plans the run, then deploys what stays and destroys what left', () => {
    expect(unifiedTasks(['a'], ['gone']).map((t) => t.taskType)).toEqual([
      'UNIFIED_IAC',
      'PLAN',
      'UNIFIED_DEPLOY',
      'UNIFIED_DESTROY',
    ]);
    expect(unifiedTasks([], ['gone']).map((t) => t.taskType)).toEqual([
      'UNIFIED_IAC',
      'PLAN',
      'UNIFIED_DESTROY',
    ]);
  });

  it('gives nothing to do for nothing', () => {
    expect(unifiedTasks([], [])).toEqual([]);
  });
});
