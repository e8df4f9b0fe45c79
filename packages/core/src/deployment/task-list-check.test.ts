import { ConfigurationError } from '../errors';
import type { RunRecord } from '../runs';
import { checkTaskList, incompleteRun, inRunOrder } from './task-list-check';

const task = (id: string, taskType: string, alias: string, status = 'PENDING') =>
  ({ runTaskId: id, taskType, pluginAppliedAlias: alias, status }) as RunRecord['tasks'][number];

const run = {
  runId: 'R',
  tasks: [
    task('1', 'IAC_SELF_HOSTED', 'producer'),
    task('2', 'DEPLOY_SELF_HOSTED', 'producer'),
    task('3', 'IAC_SELF_HOSTED', 'consumer'),
    task('4', 'DEPLOY_SELF_HOSTED', 'consumer'),
  ],
} as RunRecord;
const listed = run.tasks.map(({ runTaskId, taskType, pluginAppliedAlias }) => ({
  runTaskId,
  taskType,
  pluginAppliedAlias,
}));

function problems(tasks: typeof listed, complete = true): string[] {
  try {
    checkTaskList(run, tasks, { complete });
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems.map((p) => p.message);
    throw error;
  }
  return [];
}

describe('checkTaskList', () => {
  it('accepts the run tasks in any order, and executes them in the run order', () => {
    const reversed = [...listed].reverse();
    expect(problems(reversed)).toEqual([]);
    expect(inRunOrder(run, reversed).map((t) => t.runTaskId)).toEqual(['1', '2', '3', '4']);
  });

  it('refuses a list that leaves tasks out, naming them', () => {
    expect(problems(listed.slice(0, 2))).toEqual([
      expect.stringMatching(
        /leaves out 2 task\(s\) of run R .*IAC_SELF_HOSTED consumer \(3\), DEPLOY_SELF_HOSTED consumer \(4\)/,
      ),
    ]);
    // orchestrate-and-plan's own tasks are a part of the run on purpose.
    expect(problems(listed.slice(0, 2), false)).toEqual([]);
  });

  it('refuses an extra task and a task said to be another', () => {
    const forged = { runTaskId: 'X', taskType: 'DEPLOY_SELF_HOSTED', pluginAppliedAlias: 'evil' };
    const relabelled = { ...listed[3]!, pluginAppliedAlias: 'producer' };
    expect(problems([...listed.slice(0, 3), relabelled, forged] as typeof listed)).toEqual([
      expect.stringMatching(
        /element 3 says DEPLOY_SELF_HOSTED producer, but run R recorded DEPLOY_SELF_HOSTED consumer/,
      ),
      expect.stringMatching(/element 4 \(DEPLOY_SELF_HOSTED evil, X\) is not a task of run R/),
    ]);
  });

  it('a run with a task that did not succeed is incomplete', () => {
    expect(incompleteRun(run)?.message).toMatch(/4 of its task\(s\) did not succeed/);
    const done = { ...run, tasks: run.tasks.map((t) => ({ ...t, status: 'SUCCEEDED' as const })) };
    expect(incompleteRun(done)).toBeUndefined();
  });
});
