/**
 * Heartbeats: the step executing a run (runtime-tasks, or orchestrate-and-plan while it plans)
 * writes the time every HEARTBEAT_INTERVAL_MS, so that a later run can tell a step that is still
 * there from one whose machine was lost without closing the run (see holder-liveness.ts). Under
 * GitHub Actions GitHub's own answer decides; outside it (the CLI, another CI) the heartbeat is
 * all there is.
 *
 * A small object of its own (`runs/<ulid>/heartbeat.json`), not a field of the run record: the
 * record is rewritten with If-Match by every task transition, and a write there every 30 s would
 * make those updates conflict and retry (and rewrite the whole record each time). Only the step
 * holding the run's executor claim writes it, each write conditional on the ETag of its previous
 * one: a heartbeat changed by anyone else stops this step's beating (it is no longer the
 * executor), and a write whose answer was lost is recognised as its own when read back.
 */
import type { Logger } from '../logging';
import { PreconditionFailedError, type ObjectStore } from '../store';
import { keys } from '../bucket-layout';

/** How often the executing step writes its heartbeat. */
export const HEARTBEAT_INTERVAL_MS = 30_000;
/**
 * A step silent for longer than this is gone: ten missed heartbeats, so an S3 hiccup of a few
 * minutes does not make a live step look dead.
 */
export const HEARTBEAT_SILENCE_MS = 5 * 60_000;

/** What the executing step last wrote. */
export interface Heartbeat {
  runId: string;
  /** The executor claim (RunExecutor.id) of the step that writes it. */
  executorId: string;
  /** When it was written, by the writer's clock. */
  at: string;
  /** After how long without a heartbeat the writer counts as gone. */
  silenceMs: number;
}

export interface HeartbeatOptions {
  intervalMs?: number;
  silenceMs?: number;
  now?: () => Date;
}

/** A beating heartbeat; `stop` ends it (the last write, if any, is awaited). */
export interface HeartbeatHandle {
  stop(): Promise<void>;
}

/** The heartbeat of a run, if a step ever wrote one. */
export async function readHeartbeat(
  store: ObjectStore,
  runId: string,
): Promise<Heartbeat | undefined> {
  return (await store.getJson<Heartbeat>(keys.heartbeat(runId)))?.value;
}

/**
 * Writes the heartbeat of `runId` for `executorId` now and every interval until stopped. A write
 * that fails is logged once and tried again at the next beat; one refused because another step
 * wrote the heartbeat ends the beating, with a warning.
 */
export function startHeartbeat(
  store: ObjectStore,
  runId: string,
  executorId: string,
  logger: Logger,
  options: HeartbeatOptions = {},
): HeartbeatHandle {
  const key = keys.heartbeat(runId);
  const intervalMs = options.intervalMs ?? HEARTBEAT_INTERVAL_MS;
  const silenceMs = options.silenceMs ?? HEARTBEAT_SILENCE_MS;
  const now = options.now ?? (() => new Date());
  let etag: string | undefined;
  let started = false;
  let stopped = false;
  let warned = false;

  const write = async (): Promise<void> => {
    const beat: Heartbeat = { runId, executorId, at: now().toISOString(), silenceMs };
    try {
      if (!started) {
        // A resumed run has the heartbeat of its earlier attempt: overwrite that one only.
        const previous = await store.getJson<Heartbeat>(key);
        etag = await store.putJson(
          key,
          beat,
          previous ? { ifMatch: previous.etag } : { ifNoneMatch: '*' },
        );
        started = true;
      } else {
        etag = await store.putJson(key, beat, { ifMatch: etag as string });
      }
      warned = false;
    } catch (error) {
      if (error instanceof PreconditionFailedError) {
        const current = await store.getJson<Heartbeat>(key).catch(() => undefined);
        // Our own write, whose answer was lost: go on from it.
        if (current && current.value.executorId === executorId && started) {
          etag = current.etag;
          return;
        }
        if (!started) return; // a race on the first write: the next beat reads again
        stopped = true;
        logger.warning(
          `The heartbeat of run ${runId} was written by another step: this step stops sending it.`,
        );
        return;
      }
      if (!warned)
        logger.warning(
          `Could not write the heartbeat of run ${runId} (${(error as Error).message}); trying again every ${Math.round(intervalMs / 1000)} s. A step silent for ${Math.round(silenceMs / 60000)} min counts as gone.`,
        );
      warned = true;
    }
  };
  return beatEvery(intervalMs, write, () => stopped);
}

/**
 * Calls `write` now and every `intervalMs` (never two at once) until `stop`, or until `stopped()`
 * says the writer gave up; `stop` awaits the write under way. The timer keeps no process alive.
 */
export function beatEvery(
  intervalMs: number,
  write: () => Promise<void>,
  stopped: () => boolean,
): HeartbeatHandle {
  let ended = false;
  let pending: Promise<void> = Promise.resolve();
  const beat = (): void => {
    if (ended || stopped()) return;
    pending = pending.then(write);
  };
  beat();
  const timer = setInterval(beat, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      ended = true;
      clearInterval(timer);
      await pending;
    },
  };
}
