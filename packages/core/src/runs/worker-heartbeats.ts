/**
 * The workers of a pool executing one run (runtime-tasks with WORKERS > 1): one small object per
 * worker, `runs/<ulid>/workers/<workerId>.json`, which only that worker writes. Joining creates it
 * (If-None-Match); the worker's heartbeat rewrites it every 30 s (If-Match on its own previous
 * write); leaving sets `leftAt`. A worker silent for longer than its lease is gone: the tasks it
 * holds may be claimed again (task-claims.ts), and the run's holder liveness outside GitHub is its
 * freshest worker (holder-liveness.ts).
 */
import type { Logger } from '../logging';
import { PreconditionFailedError, type ObjectStore } from '../store';
import { keys } from '../bucket-layout';
import { ExternalError } from '../errors';
import {
  beatEvery,
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_SILENCE_MS,
  type HeartbeatHandle,
} from './heartbeat';
import { CONFLICT_RETRIES } from './run-records';
import type { RunWorker, RunWorkerState } from './run-record';

/** The stored object of a worker. */
export interface StoredWorker extends RunWorkerState {
  runId: string;
}

export interface WorkerHeartbeatOptions {
  intervalMs?: number;
  silenceMs?: number;
  now?: () => Date;
}

/**
 * Registers `worker` in run `runId` (its heartbeat as of now). Idempotent for the same worker id:
 * a second join, or a join whose answer was lost, finds its own object and leaves it.
 */
export async function registerWorker(
  store: ObjectStore,
  runId: string,
  worker: RunWorker,
  options: { now: () => Date; silenceMs?: number },
): Promise<void> {
  const value: StoredWorker = {
    runId,
    worker,
    at: options.now().toISOString(),
    silenceMs: options.silenceMs ?? HEARTBEAT_SILENCE_MS,
  };
  try {
    await store.putJson(keys.worker(runId, worker.id), value, { ifNoneMatch: '*' });
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    // Worker ids are fresh: the object is this worker's own (a join repeated, or its lost answer).
  }
}

/** One worker of the run as stored, with its ETag. */
async function readWorker(store: ObjectStore, runId: string, workerId: string) {
  return store.getJson<StoredWorker>(keys.worker(runId, workerId));
}

/** The worker `workerId` of the run, undefined when it never joined. */
export async function workerOf(
  store: ObjectStore,
  runId: string,
  workerId: string,
): Promise<RunWorkerState | undefined> {
  const stored = await readWorker(store, runId, workerId);
  return stored ? stateOf(stored.value) : undefined;
}

/** Every worker that ever joined the run, oldest first: one LIST and one GET per worker. */
export async function workersOf(store: ObjectStore, runId: string): Promise<RunWorkerState[]> {
  const listed = await store.list(keys.workersPrefix(runId));
  const read = await Promise.all(
    listed.map((key) => store.getJson<StoredWorker>(key).then((s) => s?.value)),
  );
  return read
    .filter((w): w is StoredWorker => w !== undefined)
    .map(stateOf)
    .sort((a, b) => a.worker.joinedAt.localeCompare(b.worker.joinedAt));
}

/** Whether a worker is gone: it left, or its heartbeat is silent for longer than `leaseMs`. */
export function isGone(state: RunWorkerState, now: Date, leaseMs = state.silenceMs): boolean {
  return state.leftAt !== undefined || now.getTime() - new Date(state.at).getTime() > leaseMs;
}

/** Marks the worker as having left the run (idempotent). */
export async function leaveWorker(
  store: ObjectStore,
  runId: string,
  workerId: string,
  now: () => Date,
): Promise<void> {
  for (let attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
    const stored = await readWorker(store, runId, workerId);
    if (!stored || stored.value.leftAt) return;
    try {
      await store.putJson(
        keys.worker(runId, workerId),
        { ...stored.value, leftAt: now().toISOString() },
        { ifMatch: stored.etag },
      );
      return;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      // Its own heartbeat wrote meanwhile (or this write's answer was lost): read again.
    }
  }
  throw new ExternalError(`worker ${workerId} of run ${runId} kept changing while it left`, {
    retryable: true,
  });
}

/**
 * Writes the heartbeat of worker `workerId` now and every interval until stopped, each write
 * If-Match on the previous one. A failed write is logged once and tried again at the next beat;
 * a worker that left (or never joined) stops beating.
 */
export function startWorkerHeartbeat(
  store: ObjectStore,
  runId: string,
  workerId: string,
  logger: Logger,
  options: WorkerHeartbeatOptions = {},
): HeartbeatHandle {
  const key = keys.worker(runId, workerId);
  const intervalMs = options.intervalMs ?? HEARTBEAT_INTERVAL_MS;
  const now = options.now ?? (() => new Date());
  let known: { value: StoredWorker; etag: string } | undefined;
  let stopped = false;
  let warned = false;

  const write = async (): Promise<void> => {
    try {
      known ??= await readWorker(store, runId, workerId);
      if (!known || known.value.leftAt) {
        if (!known)
          logger.warning(
            `Worker ${workerId} is not registered in run ${runId}: it sends no heartbeat.`,
          );
        stopped = true;
        return;
      }
      const value: StoredWorker = {
        ...known.value,
        at: now().toISOString(),
        ...(options.silenceMs ? { silenceMs: options.silenceMs } : {}),
      };
      const etag = await store.putJson(key, value, { ifMatch: known.etag });
      known = { value, etag };
      warned = false;
    } catch (error) {
      // Changed meanwhile (it left, or this write's answer was lost): the next beat reads it again.
      known = undefined;
      if (error instanceof PreconditionFailedError) return;
      if (!warned)
        logger.warning(
          `Could not write the heartbeat of worker ${workerId} of run ${runId} (${(error as Error).message}); trying again every ${Math.round(intervalMs / 1000)} s.`,
        );
      warned = true;
    }
  };
  return beatEvery(intervalMs, write, () => stopped);
}

function stateOf(stored: StoredWorker): RunWorkerState {
  return {
    worker: stored.worker,
    at: stored.at,
    silenceMs: stored.silenceMs,
    ...(stored.leftAt ? { leftAt: stored.leftAt } : {}),
  };
}
