/**
 * While a step executes a run's tasks, another job may close the run under it: cancel-run (the
 * workflow's cancel job, or a person). The watch reads the run record every second and, once
 * the run is no longer RUNNING, aborts the step's work the way a job cancellation does (Terraform
 * is interrupted and saves its state), so nothing keeps changing infrastructure after the lock
 * was released.
 */
import { CancelledError } from '../errors';
import type { Logger } from '../logging';
import type { RunStore } from '../runs';

/**
 * Every second: Terraform must stop within 2 s of the run being closed elsewhere, since a new run
 * may take the lock at once. One GET of a small object a second costs about 0.15 US cents per
 * hour of apply at S3's request price.
 */
export const WATCH_INTERVAL_MS = 1000;

export interface RunWatch {
  /** Aborted when the job is cancelled or the run was closed elsewhere. */
  signal: AbortSignal;
  /** Why the run was closed elsewhere, once it was. */
  closedElsewhere(): CancelledError | undefined;
  stop(): void;
}

export function watchRun(
  runs: RunStore,
  runId: string,
  logger: Logger,
  options: { signal?: AbortSignal; intervalMs?: number },
): RunWatch {
  const controller = new AbortController();
  let closed: CancelledError | undefined;
  const onJobCancel = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onJobCancel();
  options.signal?.addEventListener('abort', onJobCancel, { once: true });
  let checking = false;
  const timer = setInterval(() => {
    if (checking || controller.signal.aborted) return;
    checking = true;
    runs
      .getRecord(runId)
      .then((run) => {
        if (run && run.status !== 'RUNNING' && !controller.signal.aborted) {
          const by = run.supersededBy
            ? `by run ${run.supersededBy.runId}, which found it dead (${run.supersededBy.reason}) and took its lock,`
            : 'by another job (cancel-run)';
          closed = new CancelledError(
            `Run ${runId} was closed as ${run.status} ${by} while this step was executing it; the task in progress was interrupted and Terraform asked to save its state.`,
          );
          logger.warning(closed.message);
          controller.abort(closed);
        }
      })
      // A failed read says nothing about the run: the next tick tries again.
      .catch(() => undefined)
      .finally(() => {
        checking = false;
      });
  }, options.intervalMs ?? WATCH_INTERVAL_MS);
  timer.unref();
  return {
    signal: controller.signal,
    closedElsewhere: () => closed,
    stop: () => {
      clearInterval(timer);
      options.signal?.removeEventListener('abort', onJobCancel);
    },
  };
}
