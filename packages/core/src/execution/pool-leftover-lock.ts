/**
 * A pool's task re-claimed from a worker that went silent for longer than the lease (its runner
 * was lost, its process killed): the Terraform it ran was killed with it and may have left the
 * plugin's state lock (`<key>.tflock`), which would make the re-claimed task fail at once.
 *
 * The re-claiming worker releases that one lock only when it is provably the dead worker's:
 * - the plugin's state is touched only by the worker holding the task's claim (the run's lock keeps
 *   other runs out, previews and drift checks plan without the lock, and no other task of a run
 *   applies the same plugin);
 * - the lock was taken after the dead worker's claim of this task started (so not by an earlier
 *   holder, nor by someone before this run);
 * - Terraform wrote the dead worker's host (`Who` is user@host, the host the worker recorded when
 *   it joined);
 * - a live worker stops its own Terraform when its heartbeat has not been written for half the
 *   lease (see pool-fence.ts), so after the lease no live Terraform of it can hold the lock;
 * - it is deleted only if unchanged since read (the ETag read).
 * Anything else is left alone and logged: the task's Terraform then reports the lock with the
 * scoped unlock command, as it does outside a pool.
 */
import type { Logger } from '../logging';
import type { RunRecord, RunWorker } from '../runs';
import { openStateBackend, stateKey, type StateBackendAccess } from '../state-backends';
import { PreconditionFailedError } from '../store';

export interface LeftoverLockCase {
  run: RunRecord;
  alias: string;
  /** The worker the task was re-claimed from. */
  dead: RunWorker;
  /** When the dead worker's claim of the task started (its startedAt), if this worker read it. */
  deadClaimStartedAt?: string;
  stateAccess: StateBackendAccess;
}

/** Releases the dead worker's leftover lock on `alias`'s state, if there is one (see the header). */
export async function releaseDeadWorkerLock(
  logger: Logger,
  leftover: LeftoverLockCase,
): Promise<void> {
  const { run, alias, dead } = leftover;
  const backend = openStateBackend(run.tfstate, leftover.stateAccess);
  const key = stateKey({ ...run.target, alias });
  let lock;
  try {
    lock = await backend.readLock(key);
  } catch (error) {
    logger.warning(
      `Could not read the state lock of ${alias} (${(error as Error).message}); if the dead worker left one, the task reports it.`,
    );
    return;
  }
  if (!lock) return;
  const since = leftover.deadClaimStartedAt ?? dead.joinedAt;
  const created = parseLockTime(lock.created);
  const why: string[] = [];
  if (created === undefined || created < Date.parse(since))
    why.push(
      `it was taken ${lock.created ?? 'at an unknown time'}, not after the dead worker's claim started (${since})`,
    );
  if (!dead.host) why.push('the dead worker recorded no host');
  else if (!lock.who?.endsWith(`@${dead.host}`))
    why.push(
      `it was taken by ${lock.who ?? 'an unknown holder'}, not on the dead worker's host ${dead.host}`,
    );
  const described = `lock ${lock.id} on ${lock.location} (${lock.operation ?? 'operation unknown'} by ${lock.who ?? 'unknown'}, since ${lock.created ?? 'unknown'})`;
  if (why.length > 0) {
    logger.warning(
      `The state of ${alias} holds ${described}, which is not released automatically: ${why.join('; ')}. The task's Terraform reports it with the command that releases it.`,
    );
    return;
  }
  try {
    await backend.releaseLock(key, lock);
  } catch (error) {
    if (error instanceof PreconditionFailedError) {
      logger.warning(`The ${described} changed while being released: left alone.`);
      return;
    }
    throw error;
  }
  logger.warning(
    `RELEASED the Terraform state ${described}: it was left by worker ${dead.id} (${dead.description}, host ${dead.host}), whose heartbeat stayed silent for longer than the lease while it applied ${alias}; its Terraform was killed with it. The lock was taken on that host after its claim of the task started, and no other Terraform uses this state while the task is claimed.`,
  );
}

/** Terraform's lock time (RFC 3339 with nanoseconds) in ms; undefined when unreadable. */
export function parseLockTime(created: string | undefined): number | undefined {
  if (!created) return undefined;
  const normalised = created.replace(/(\.\d{3})\d+/, '$1');
  const ms = Date.parse(normalised);
  return Number.isNaN(ms) ? undefined : ms;
}
