/**
 * TASK_LIST is the approved job's copy of orchestrate-and-plan's apply_tasks, passed through the
 * workflow: it is checked against the run's own tasks, which are authoritative. A task the run does
 * not have (or has with another type or plugin) is refused; so is a list that leaves out a task
 * still to be done, since the run could then never have done what was reviewed. The order of the
 * list does not matter: tasks run in the order the run recorded them (a valid order), and with
 * TASK_PARALLELISM above 1 as soon as what they wait for has succeeded.
 */
import { ConfigurationError, type Problem } from '../errors';
import type { RunRecord, RunTask } from '../runs';
import type { ApplyTask } from '../tasks';

const HINT =
  'Pass needs.<job>.outputs.apply_tasks of the orchestrate-and-plan job that opened this run, unchanged.';

/**
 * Refuses a TASK_LIST that does not match `run`. With `complete`, every task of the run not yet
 * SUCCEEDED must be in it (runtime-tasks, which closes the run); without it (orchestrate-and-plan's
 * own tasks) the list may be a part.
 */
export function checkTaskList(
  run: RunRecord,
  tasks: readonly ApplyTask[],
  options: { complete: boolean },
): void {
  if (tasks.length === 0) {
    throw new ConfigurationError({
      message: 'TASK_LIST is empty.',
      hint: 'If orchestrate-and-plan returned tasks, GitHub may have dropped the job output because it contained a secret: check that no secret value appears in apply_tasks, and pass needs.<job>.outputs.apply_tasks unchanged.',
    });
  }
  const problems: Problem[] = tasks.flatMap((task, index) => {
    const recorded = run.tasks.find((t) => t.runTaskId === task.runTaskId);
    if (!recorded)
      return [
        {
          message: `TASK_LIST element ${index} (${describe(task)}, ${task.runTaskId}) is not a task of run ${run.runId}.`,
        },
      ];
    if (
      recorded.taskType !== task.taskType ||
      recorded.pluginAppliedAlias !== task.pluginAppliedAlias
    ) {
      return [
        {
          message: `TASK_LIST element ${index} says ${describe(task)}, but run ${run.runId} recorded ${describe(recorded)} for it.`,
        },
      ];
    }
    return [];
  });
  if (options.complete) {
    const listed = new Set(tasks.map((t) => t.runTaskId));
    const missing = run.tasks.filter((t) => t.status !== 'SUCCEEDED' && !listed.has(t.runTaskId));
    if (missing.length > 0)
      problems.push({
        message: `TASK_LIST leaves out ${missing.length} task(s) of run ${run.runId} that are still to be done: ${missing.map((t) => `${describe(t)} (${t.runTaskId})`).join(', ')}. A run only succeeds when every task it planned has succeeded.`,
      });
  }
  if (problems.length > 0) {
    problems[problems.length - 1] = { ...problems[problems.length - 1]!, hint: HINT };
    throw new ConfigurationError(problems, 'TASK_LIST does not match the run');
  }
}

/** The listed tasks in the order the run recorded them (orchestrate-and-plan's valid order). */
export function inRunOrder(run: RunRecord, tasks: readonly ApplyTask[]): ApplyTask[] {
  const position = new Map(run.tasks.map((t, i) => [t.runTaskId, i]));
  return [...tasks].sort(
    (a, b) => (position.get(a.runTaskId) ?? 0) - (position.get(b.runTaskId) ?? 0),
  );
}

/**
 * Why `run` cannot be closed SUCCEEDED, when some task of it did not succeed (a task list that
 * left tasks out, tasks the scheduler could not start): the run must then fail, never succeed.
 */
export function incompleteRun(run: RunRecord): Error | undefined {
  const left = run.tasks.filter((t) => t.status !== 'SUCCEEDED');
  if (left.length === 0) return undefined;
  return new Error(
    `run ${run.runId} cannot succeed: ${left.length} of its task(s) did not succeed (${left.map((t) => `${describe(t)} ${t.status}`).join(', ')}); nothing is recorded as deployed`,
  );
}

function describe(task: Pick<RunTask, 'taskType' | 'pluginAppliedAlias'>): string {
  return `${task.taskType} ${task.pluginAppliedAlias ?? ''}`.trim();
}
