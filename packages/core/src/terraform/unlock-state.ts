/**
 * Releases one Terraform state lock left behind by a Terraform process that was killed (the
 * `<key>.tflock` object of the S3 backend's use_lockfile), and only when it is safe to:
 * - the state belongs to the application of the given run (same tfstate bucket, key under the
 *   application's prefix), so a RUN_ID cannot be used to unlock someone else's state;
 * - no run of ours is deploying that application now (its run lock is free or held by a finished
 *   run), so the lock is not one a live Terraform holds;
 * - the lock is still the one the person saw (same lock ID), deleted only if unchanged since read.
 */
import { ConfigurationError } from '../errors';
import type { RunRecord, RunStore } from '../runs';
import type { ObjectStore } from '../store';
import { unifiedStateKey } from './state-key';

/** What Terraform's S3 backend writes to `<key>.tflock`. */
export interface TerraformLockFile {
  ID: string;
  Operation?: string;
  Who?: string;
  Created?: string;
}

export interface UnlockStateRequest {
  run: RunRecord;
  /** `<bucket>/<key>` as Terraform's Lock Info prints it. */
  statePath: string;
  lockId: string;
}

export async function unlockState(
  runs: RunStore,
  tfstate: ObjectStore,
  request: UnlockStateRequest,
): Promise<{ key: string; lock: TerraformLockFile }> {
  const { run, statePath, lockId } = request;
  const bucketPrefix = `${run.tfstate.bucket}/`;
  const key = statePath.startsWith(bucketPrefix) ? statePath.slice(bucketPrefix.length) : '';
  const appPrefix = unifiedStateKey(run.target).replace(/terraform\.tfstate$/, '');
  if (!key.startsWith(appPrefix) || !key.endsWith('terraform.tfstate') || key.includes('..')) {
    throw new ConfigurationError({
      message: `${statePath} is not a Terraform state of run ${run.runId}'s application (expected s3://${bucketPrefix}${appPrefix}...terraform.tfstate).`,
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
  const lockKey = `${key}.tflock`;
  const stored = await tfstate.getJson<TerraformLockFile>(lockKey);
  if (!stored) {
    throw new ConfigurationError({
      message: `There is no lock on ${statePath} any more: nothing to release.`,
    });
  }
  if (stored.value.ID !== lockId) {
    throw new ConfigurationError({
      message: `The lock on ${statePath} is now ${stored.value.ID}, not ${lockId}: another Terraform took it since.`,
      hint: 'Run the deployment again and read the new message before releasing anything.',
    });
  }
  await tfstate.delete(lockKey, { ifMatch: stored.etag });
  return { key: lockKey, lock: stored.value };
}
