/** Assertions and views shared by the end-to-end tests of a step's result. */
import type { ActionResult } from './runner';

/** Exit code, log and stderr: what a failed expectation should show. */
export function explain(result: ActionResult): string {
  return `exit ${result.exitCode}\n${result.log}\n${result.stderr}`;
}

/** The step exited 0 (or the failure shows its log). */
export function expectOk(result: ActionResult): void {
  expect([result.exitCode, explain(result)]).toEqual([0, expect.any(String)]);
}

/** Every annotation's message (errors, warnings, notices), one per line. */
export function errorsOf(result: ActionResult): string {
  return result.annotations.map((a) => a.message).join('\n');
}

/** The apply_tasks output as `TYPE alias` strings. */
export function tasksOf(plan: ActionResult): string[] {
  return (
    JSON.parse(plan.outputs.apply_tasks ?? '[]') as {
      taskType: string;
      pluginAppliedAlias: string;
    }[]
  ).map((t) => `${t.taskType} ${t.pluginAppliedAlias}`);
}
