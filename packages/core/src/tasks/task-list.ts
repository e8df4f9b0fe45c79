/**
 * The `apply_tasks` output and the TASK_LIST input: a JSON array of
 * `{runTaskId, taskType, pluginAppliedAlias}`. runtime-tasks also accepts the StackSpot form, a
 * Python-style list with single quotes, which is a YAML flow sequence and is parsed as one.
 */
import { parse as parseYaml } from 'yaml';
import type { ApplyTask } from './task-types';

const MAX_TASK_LIST_CHARS = 1024 * 1024;

/** Serializes tasks for the `apply_tasks` output: compact JSON, stable key order. */
export function formatTaskList(tasks: readonly ApplyTask[]): string {
  return JSON.stringify(
    tasks.map((t) => ({
      runTaskId: t.runTaskId,
      taskType: t.taskType,
      pluginAppliedAlias: t.pluginAppliedAlias,
    })),
  );
}

/**
 * Parses a task list. Throws an Error whose message says what is wrong and at which element.
 * An empty list is valid (nothing to apply). Task types are not checked here: the handler table
 * knows which exist (see checkTaskTypes in task-handlers/table.ts).
 */
export function parseTaskList(raw: string): ApplyTask[] {
  // GitHub caps a job's outputs at 1 MB: a longer list did not come from apply_tasks.
  if (raw.length > MAX_TASK_LIST_CHARS) {
    throw new Error(
      `is ${raw.length} characters long; a task list passed between jobs is at most ${MAX_TASK_LIST_CHARS}. Pass the apply_tasks output of orchestrate-and-plan unchanged.`,
    );
  }
  const value = parseJsonOrFlowYaml(raw);
  if (!Array.isArray(value)) {
    throw new Error(
      `must be a JSON array of {runTaskId, taskType, pluginAppliedAlias}, got ${describe(value)}.`,
    );
  }
  const seen = new Set<string>();
  return value.map((item: unknown, index) => {
    const where = `element ${index}`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new Error(`${where} must be an object, got ${describe(item)}.`);
    }
    const { runTaskId, taskType, pluginAppliedAlias } = item as Record<string, unknown>;
    if (typeof runTaskId !== 'string' || runTaskId.trim() === '') {
      throw new Error(`${where} has no runTaskId (a non-empty string).`);
    }
    if (seen.has(runTaskId)) throw new Error(`${where} repeats runTaskId ${runTaskId}.`);
    seen.add(runTaskId);
    if (typeof taskType !== 'string' || taskType === '') {
      throw new Error(`${where} has no taskType (a non-empty string).`);
    }
    if (
      pluginAppliedAlias !== undefined &&
      pluginAppliedAlias !== null &&
      typeof pluginAppliedAlias !== 'string'
    ) {
      throw new Error(`${where} has a pluginAppliedAlias that is not a string.`);
    }
    return { runTaskId, taskType, pluginAppliedAlias: pluginAppliedAlias ?? null };
  });
}

function parseJsonOrFlowYaml(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch (jsonError) {
    // The StackSpot form ([{'runTaskId': '...', ...}]) is not JSON but is valid YAML flow style.
    if (raw.trimStart().startsWith('[')) {
      try {
        return parseYaml(raw) as unknown;
      } catch {
        // Report the JSON error: JSON is the documented form.
      }
    }
    throw new Error(
      `is not valid JSON (${(jsonError as Error).message}). Pass the apply_tasks output of orchestrate-and-plan unchanged.`,
    );
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
