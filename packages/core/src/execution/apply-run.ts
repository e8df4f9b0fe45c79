/**
 * runtime-tasks' part of a run, whole: the region it applies in must be the one it was planned in,
 * EXCLUDE_FILES_PATH is deleted from the checkout, then the approved tasks execute
 * (executeRunTasks), which closes the run. The action only maps its inputs to these options.
 */
import { rm } from 'node:fs/promises';
import { ConfigurationError } from '../errors';
import { confinePath } from '../guardrails';
import { RunClaimedError } from '../runs';
import type { BucketStores } from '../deployment/bucket-stores';
import { executeRunTasks } from './execute-run-tasks';
import type { ExecuteOptions, ExecuteResult } from './execute-options';
import { ForeignRunError } from '../deployment/run-claim';
import { applyRegion } from '../deployment/terraform-region';

export interface ApplyRunOptions {
  runId: string;
  /** AWS_REGION as given ('' when not): must be the region the run was planned in. */
  awsRegion: string;
  /** The IaC bucket's region (the region of runs recorded before they kept their own). */
  iacBucketRegion: string;
  /** The checkout (PATH_TO_MOUNT) and EXCLUDE_FILES_PATH in it, deleted before any task. */
  checkout: { root: string; excludeFilesPath: string };
  /** How the tasks execute, in the region the run applies in (its task environment). */
  execution: (awsRegion: string) => Promise<Omit<ExecuteOptions, 'runId'>>;
  /**
   * Called when this step fails leaving the run as it found it (a wrong AWS_REGION, a run another
   * step executes or another repository's): whoever guards the run must not close it either.
   */
  onUntouched: () => void;
}

/** Executes the approved tasks of a run (see the header); the result says how the run ended. */
export async function applyRun(
  deps: BucketStores,
  options: ApplyRunOptions,
): Promise<ExecuteResult> {
  let awsRegion: string;
  try {
    awsRegion = applyRegion(
      options.awsRegion,
      await deps.runs.getRun(options.runId),
      options.iacBucketRegion,
    );
  } catch (error) {
    // A wrong AWS_REGION changes nothing: the run stays open for a re-run with the right one.
    if (error instanceof ConfigurationError) options.onUntouched();
    throw error;
  }
  const { root, excludeFilesPath } = options.checkout;
  if (excludeFilesPath) {
    const excluded = confinePath(root, excludeFilesPath, 'EXCLUDE_FILES_PATH');
    await rm(excluded, { recursive: true, force: true });
    deps.logger.info(`Deleted ${excludeFilesPath} (EXCLUDE_FILES_PATH) before running tasks.`);
  }
  return executeRunTasks(deps, {
    ...(await options.execution(awsRegion)),
    runId: options.runId,
  }).catch((error: unknown) => {
    // Another step executes the run, or it is another repository's: this one changed nothing.
    if (error instanceof RunClaimedError || error instanceof ForeignRunError) options.onUntouched();
    throw error;
  });
}
