/**
 * Each task's log, kept with its run in the IaC bucket (`runs/<ulid>/logs/<runTaskId>.log`), so it
 * outlives the GitHub job log. Written once per task, at its end, already masked and size-capped
 * (see logging/task-log-recorder.ts); read back by the CLI (`deploy-engine logs`).
 */
import type { ObjectStore } from '../store';
import { keys } from './keys';

/** Stores the (masked) log of one task; a task run again (a resumed run) replaces it. */
export async function putTaskLog(
  store: ObjectStore,
  runId: string,
  runTaskId: string,
  text: string,
): Promise<string> {
  const key = keys.taskLog(runId, runTaskId);
  await store.putBytes(key, Buffer.from(text, 'utf8'), 'text/plain; charset=utf-8');
  return key;
}

/** The stored log of one task, or undefined when none was stored. */
export async function getTaskLog(
  store: ObjectStore,
  runId: string,
  runTaskId: string,
): Promise<string | undefined> {
  const bytes = await store.getBytes(keys.taskLog(runId, runTaskId));
  return bytes ? Buffer.from(bytes).toString('utf8') : undefined;
}

/** The runTaskIds of a run that have a stored log. */
export async function listTaskLogs(store: ObjectStore, runId: string): Promise<string[]> {
  const prefix = keys.taskLogsPrefix(runId);
  return (await store.list(prefix))
    .filter((key) => key.endsWith('.log'))
    .map((key) => decodeURIComponent(key.slice(prefix.length, -'.log'.length)));
}
