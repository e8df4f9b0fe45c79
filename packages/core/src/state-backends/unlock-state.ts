/**
 * Releases one Terraform state lock left behind by a Terraform process that was killed (S3: the
 * `<key>.tflock` object of use_lockfile), through the run's state backend, and only when it is
 * safe to:
 * - the state belongs to the application of the given run (in the run's backend, key under the
 *   application's prefix), so a RUN_ID cannot be used to unlock someone else's state;
 * - no run of ours is deploying that application now (its run lock is free or held by a finished
 *   run), so the lock is not one a live Terraform holds;
 * - the lock is still the one the person saw (same lock ID), deleted only if unchanged since read.
 */
import { ConfigurationError } from '../errors';
import type { RunRecord, RunStore } from '../runs';
import type { HeldStateLock, StateBackend } from './state-backend';
import { unifiedStateKey } from './state-key';

export interface UnlockStateRequest {
  run: RunRecord;
  /** The state's path as Terraform's Lock Info prints it (S3: `<bucket>/<key>`). */
  statePath: string;
  lockId: string;
}

/** Releases the lock (see the file's header); returns the lock it released. */
export async function unlockState(
  runs: RunStore,
  backend: StateBackend,
  request: UnlockStateRequest,
): Promise<HeldStateLock> {
  const { run, statePath, lockId } = request;
  const key = backend.keyOfLockPath(statePath) ?? '';
  const appPrefix = unifiedStateKey(run.target).replace(/terraform\.tfstate$/, '');
  if (!key.startsWith(appPrefix) || !key.endsWith('terraform.tfstate') || key.includes('..')) {
    throw new ConfigurationError({
      message: `${statePath} is not a Terraform state of run ${run.runId}'s application in ${backend.description} (expected ${backend.locationOf(appPrefix)}...terraform.tfstate).`,
      hint: 'Pass the Path that the error message printed, with the RUN_ID of a run of the same application.',
    });
  }
  const current = await runs.getLock(run.target);
  if (current?.holder?.status === 'RUNNING') {
    throw new ConfigurationError({
      message: `Run ${current.lock.runId} is deploying this application right now (${current.lock.workflowRunUrl}): its Terraform may hold this lock.`,
      hint: 'Wait for it to end, or cancel it with cancel-run, then try again.',
    });
  }
  const lock = await backend.readLock(key);
  if (!lock) {
    throw new ConfigurationError({
      message: `There is no lock on ${statePath} in ${backend.description} any more: nothing to release.`,
    });
  }
  if (lock.id !== lockId) {
    throw new ConfigurationError({
      message: `The lock on ${statePath} is now ${lock.id}, not ${lockId}: another Terraform took it since.`,
      hint: 'Run the deployment again and read the new message before releasing anything.',
    });
  }
  await backend.releaseLock(key, lock);
  return lock;
}
