/**
 * How a run is read: its record, with the current state of each task (task-objects.ts) over the
 * record's while the run is RUNNING. A finished run's record holds its tasks' final states (the
 * close folds them in), so it is read in one GET; a RUNNING one in one GET, one LIST of its task
 * objects and a GET of each object that changed since this process last read it.
 */
import { ExternalError } from '../errors';
import type { ObjectStore } from '../store';
import { missingRecord, RunRecords } from './run-records';
import { mergeRun, TaskObjects } from './task-objects';
import { isFinished, type RunRecord, type RunTask } from './run-record';

/** The record and task objects of a bucket, as one process reads and writes them. */
export interface RunParts {
  records: RunRecords;
  tasks: TaskObjects;
}

/** The run with its tasks' current state; undefined when it has no record. */
export async function readRun(parts: RunParts, runId: string): Promise<RunRecord | undefined> {
  const record = await parts.records.get(runId);
  if (!record || isFinished(record.status)) return record;
  return mergeRun(record, await parts.tasks.readAll(runId));
}

/** The run as this process last saw or wrote it, without a request (undefined: never seen). */
export function lastSeenRun(parts: RunParts, runId: string): RunRecord | undefined {
  const record = parts.records.lastSeen(runId);
  return record && mergeRun(record, parts.tasks.lastSeen(runId));
}

/** The record to judge a transition against: this process's copy, else read (missing: an error). */
export async function recordToJudge(parts: RunParts, runId: string): Promise<RunRecord> {
  const known = parts.records.lastSeen(runId);
  if (known && !isFinished(known.status)) return known;
  const record = await parts.records.get(runId);
  if (!record) throw missingRecord(parts.records.store.bucket, runId);
  return record;
}

export function findTask(run: RunRecord, runTaskId: string): RunTask {
  const task = run.tasks.find((t) => t.runTaskId === runTaskId);
  if (!task) throw new ExternalError(`run ${run.runId} has no task ${runTaskId}`);
  return task;
}

/** Reads a run once, with its tasks' current state, outside a RunStore (the CLI's `logs`). */
export async function readRunFrom(
  store: ObjectStore,
  runId: string,
): Promise<RunRecord | undefined> {
  const now = () => new Date();
  return readRun(
    { records: new RunRecords(store, now), tasks: new TaskObjects(store, now) },
    runId,
  );
}
