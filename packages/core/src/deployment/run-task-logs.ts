/**
 * Each task's log, stored with its run when the task ends (runs/<ulid>/logs/, see
 * TaskLogRecorder): the logger a job's tasks log through, and how one task is run with its log kept.
 */
import { TaskLogRecorder, type Logger } from '../logging';
import { putTaskLog } from '../runs';
import type { ObjectStore } from '../store';

export interface RunTaskLogs {
  /** Forwards every line to the step's logger; keeps the lines of the task running. */
  logger: Logger;
  /** Runs `fn` as task `runTaskId`: its log is stored when it ends, succeeded or failed. */
  run<T>(runTaskId: string, fn: () => Promise<T>): Promise<T>;
}

export function runTaskLogs(
  store: ObjectStore,
  runId: string,
  inner: Logger,
  options: { maskLog: ((text: string) => string) | undefined; secrets: readonly string[] },
): RunTaskLogs {
  const logger = new TaskLogRecorder(inner, {
    ...(options.maskLog ? { mask: options.maskLog } : {}),
    secrets: options.secrets,
  });
  return {
    logger,
    run: (runTaskId, fn) =>
      logger.task(fn, async (text) => {
        await putTaskLog(store, runId, runTaskId, text);
      }),
  };
}
