import { classifyError } from '../errors';
import type { Logger } from '../logging';
import type { RunStore } from '../runs';

/** Ends a run that failed before its tasks could start; never hides the original error. */
export async function closeAfterFailure(
  deps: { runs: RunStore; logger: Logger },
  runId: string,
  error: unknown,
): Promise<void> {
  const status = classifyError(error);
  try {
    await deps.runs.finishRun(runId, status, {
      kind: status,
      message: error instanceof Error ? error.message : String(error),
    });
    deps.logger.info(`Run ${runId} closed as ${status}; its lock is released.`);
  } catch (closeError) {
    deps.logger.error(
      `Run ${runId} could not be closed (${(closeError as Error).message}); run cancel-run with its RUN_ID to release the lock.`,
    );
  }
}
