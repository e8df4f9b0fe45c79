/**
 * Each task's log, kept with its run in the IaC bucket (`runs/<ulid>/logs/<runTaskId>.log`), so it
 * outlives the GitHub job log. Written once per task, at its end, already masked and size-capped
 * (see logging/task-log-recorder.ts); read back by the CLI (`deploy-engine logs`).
 */
import type { ObjectStore } from '../store';
import { keys } from '../bucket-layout';

/** Of the logs of earlier attempts of a task, at most this many bytes (their end) are kept. */
const EARLIER_ATTEMPTS_MAX_BYTES = 1024 * 1024;

/**
 * Stores the (masked) log of one task. A task run again (a re-run of a failed job resumes its
 * run) keeps the log of its earlier attempt(s) above the new one, their end when they are long.
 */
export async function putTaskLog(
  store: ObjectStore,
  runId: string,
  runTaskId: string,
  text: string,
  now: Date = new Date(),
): Promise<string> {
  const key = keys.taskLog(runId, runTaskId);
  const earlier = await store.getBytes(key);
  let body = Buffer.from(text, 'utf8');
  if (earlier && earlier.length > 0) {
    const kept = Buffer.from(earlier).subarray(-EARLIER_ATTEMPTS_MAX_BYTES).toString('utf8');
    const cut =
      earlier.length > EARLIER_ATTEMPTS_MAX_BYTES ? '[… the beginning is left out]\n' : '';
    body = Buffer.concat([
      Buffer.from(`${cut}${kept}${kept.endsWith('\n') ? '' : '\n'}`, 'utf8'),
      Buffer.from(`=== the task ran again (${now.toISOString()}) ===\n`, 'utf8'),
      body,
    ]);
  }
  await store.putBytes(key, body, 'text/plain; charset=utf-8');
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
