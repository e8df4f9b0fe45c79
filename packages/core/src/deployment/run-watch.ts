/**
 * While a step executes a run's tasks, another job may close the run under it: cancel-run (the
 * workflow's cancel job, or a person). The watch reads the run record every second and, once
 * the run is no longer RUNNING, aborts the step's work the way a job cancellation does (Terraform
 * is interrupted and saves its state), so nothing keeps changing infrastructure after the lock
 * was released.
 */
import { CancelledError } from '../errors';
import type { Logger } from '../logging';
import type { RunRecord, RunStore } from '../runs';

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
  /**
   * The record of the watch's next read (undefined when that read failed, or once the watch
   * stopped): a pool's worker waits on it for what the others did, with no read of its own.
   */
  nextRead(): Promise<RunRecord | undefined>;
  stop(): void;
}

export function watchRun(
  runs: RunStore,
  runId: string,
  logger: Logger,
  options: {
    signal?: AbortSignal;
    intervalMs?: number;
    /**
     * Read the tasks' current states too (getRun: the record, a LIST of the task objects and the
     * changed ones), for a pool's worker that waits on nextRead for what the others did; without
     * it one GET of the record, all the close needs.
     */
    withTasks?: boolean;
  },
): RunWatch {
  const controller = new AbortController();
  let closed: CancelledError | undefined;
  const onJobCancel = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onJobCancel();
  options.signal?.addEventListener('abort', onJobCancel, { once: true });
  const intervalMs = options.intervalMs ?? WATCH_INTERVAL_MS;
  let checking = false;
  let stopped = false;
  let waiting: ((run: RunRecord | undefined) => void)[] = [];
  const answer = (run: RunRecord | undefined): void => {
    const answered = waiting;
    waiting = [];
    answered.forEach((done) => done(run));
  };
  controller.signal.addEventListener('abort', () => answer(undefined), { once: true });
  const timer = setInterval(() => {
    if (checking || controller.signal.aborted) return;
    checking = true;
    (options.withTasks ? runs.getRun(runId) : runs.getRecord(runId))
      .then((run) => {
        answer(run);
        // SUCCEEDED under a step: a pool's other worker closed it, every task done (none here).
        const interrupt = run && run.status !== 'RUNNING' && run.status !== 'SUCCEEDED';
        if (interrupt && !controller.signal.aborted) {
          const by = run.supersededBy
            ? `by run ${run.supersededBy.runId}, which found it dead (${run.supersededBy.reason}) and took its lock,`
            : run.pool
              ? `by another job (cancel-run, or a worker of its pool whose task failed${run.error ? `: ${run.error.message}` : ''})`
              : 'by another job (cancel-run)';
          closed = new CancelledError(
            `Run ${runId} was closed as ${run.status} ${by} while this step was executing it; the task in progress was interrupted and Terraform asked to save its state.`,
          );
          logger.warning(closed.message);
          controller.abort(closed);
        }
      })
      // A failed read says nothing about the run: the next tick tries again.
      .catch(() => answer(undefined))
      .finally(() => {
        checking = false;
      });
  }, intervalMs);
  timer.unref();
  return {
    signal: controller.signal,
    closedElsewhere: () => closed,
    nextRead: () =>
      new Promise<RunRecord | undefined>((done) => {
        if (stopped || controller.signal.aborted) return done(undefined);
        // Not unref'd, unlike the watch's own timer: the caller waits on it, so the process
        // must not end meanwhile; and an answer comes within two intervals whatever happens.
        const latest = setTimeout(() => finish(undefined), 2 * intervalMs);
        const finish = (run: RunRecord | undefined): void => {
          clearTimeout(latest);
          waiting = waiting.filter((w) => w !== finish);
          done(run);
        };
        waiting.push(finish);
      }),
    stop: () => {
      stopped = true;
      answer(undefined);
      clearInterval(timer);
      options.signal?.removeEventListener('abort', onJobCancel);
    },
  };
}
