/**
 * Retention of runs: what `deploy-engine prune` deletes. A finished run older than the age goes
 * (every object under `runs/<ulid>/`: record, artifacts, plans, task logs); never a RUNNING run,
 * never anything outside `runs/`, and never a run the deployment history or a lock names: the
 * history points at the rendered IaC of the runs that deployed what is live and of every version
 * ROLLBACK_TO can return to (destroy and rollback read it from there), at any depth of its JSON.
 */
import { decodeTime, isValid } from 'ulid';
import { PreconditionFailedError, type ObjectStore } from '../store';
import { keys } from '../bucket-layout';
import type { RunRecord, RunStatus } from './run-record';

export interface PruneCandidate {
  runId: string;
  /** Undefined for objects of a run whose record is gone (a prune that stopped halfway). */
  status?: RunStatus;
  /** When it finished (or, without a record, was created). */
  endedAt: string;
  objects: number;
}

export interface PrunePlan {
  /** Runs that ended before this are old enough. */
  cutoff: string;
  delete: PruneCandidate[];
  /** Old enough but kept, and why. */
  kept: { runId: string; reason: string }[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const RUN_KEY = /runs\/([0-9A-HJKMNP-TV-Z]{26})\//g;

/** What a prune of runs older than `olderThanDays` would delete and keep; changes nothing. */
export async function planPrune(
  store: ObjectStore,
  options: { olderThanDays: number; now?: Date },
): Promise<PrunePlan> {
  const cutoffMs = (options.now ?? new Date()).getTime() - options.olderThanDays * DAY_MS;
  // One entry per run (a delimiter listing), not every object of every run.
  const ids = (await runFolders(store))
    .map((folder) => folder.slice(keys.runsPrefix.length, -1))
    .filter((id) => ULID.test(id) && isValid(id));
  // Created after the cutoff: it cannot have ended before it (no read needed).
  const old = ids.filter((id) => decodeTime(id) < cutoffMs).sort();
  const named = old.length > 0 ? await namedRuns(store) : new Map<string, string>();
  const plan: PrunePlan = { cutoff: new Date(cutoffMs).toISOString(), delete: [], kept: [] };
  for (const runId of old) {
    const record = (await store.getJson<RunRecord>(keys.run(runId)))?.value;
    if (record?.status === 'RUNNING') {
      plan.kept.push({ runId, reason: 'RUNNING' });
      continue;
    }
    const endedAt = record
      ? (record.finishedAt ?? record.updatedAt)
      : new Date(decodeTime(runId)).toISOString();
    if (new Date(endedAt).getTime() >= cutoffMs) continue;
    const why = named.get(runId);
    if (why) {
      plan.kept.push({ runId, reason: why });
      continue;
    }
    const objects = (await store.list(keys.runPrefix(runId))).length;
    plan.delete.push({ runId, ...(record ? { status: record.status } : {}), endedAt, objects });
  }
  return plan;
}

/**
 * Deletes the runs of a plan. Each run's record goes first, conditionally on the version the
 * check read (a run resumed meanwhile is left alone), then its other objects: a prune stopped
 * halfway leaves objects without a record, which the next prune deletes.
 */
export async function executePrune(
  store: ObjectStore,
  plan: PrunePlan,
): Promise<{ deleted: string[]; skipped: { runId: string; reason: string }[] }> {
  const deleted: string[] = [];
  const skipped: { runId: string; reason: string }[] = [];
  for (const candidate of plan.delete) {
    const { runId } = candidate;
    const stored = await store.getJson<RunRecord>(keys.run(runId));
    if (stored) {
      if (stored.value.status === 'RUNNING') {
        skipped.push({ runId, reason: 'it is RUNNING again (resumed)' });
        continue;
      }
      try {
        await store.delete(keys.run(runId), { ifMatch: stored.etag });
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        skipped.push({ runId, reason: 'its record changed meanwhile' });
        continue;
      }
    }
    const rest = await store.list(keys.runPrefix(runId));
    const queue = [...rest];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let key = queue.pop(); key !== undefined; key = queue.pop()) await store.delete(key);
      }),
    );
    deleted.push(runId);
  }
  return { deleted, skipped };
}

/** The folder of every run (`runs/<id>/`): a delimiter listing where the store has one. */
async function runFolders(store: ObjectStore): Promise<string[]> {
  if (store.listFolders) return store.listFolders(keys.runsPrefix);
  const folders = (await store.list(keys.runsPrefix)).map(
    (key) => `${keys.runsPrefix}${key.split('/')[1] ?? ''}/`,
  );
  return [...new Set(folders)];
}

/**
 * Every run the history (last.json and versions/, of every target) or a lock names, with why:
 * its id anywhere in them, or a key under its `runs/<ulid>/`.
 */
async function namedRuns(store: ObjectStore): Promise<Map<string, string>> {
  const named = new Map<string, string>();
  const records = (await store.list('history/')).filter(
    (k) => k.endsWith('/last.json') || (k.includes('/versions/') && k.endsWith('.json')),
  );
  const locks = await store.list('locks/');
  for (const key of [...records, ...locks]) {
    const value = (await store.getJson<unknown>(key))?.value;
    const why = key.startsWith('locks/')
      ? `a lock names it (${key})`
      : `the deployment history points to it (${key}): destroy and ROLLBACK_TO read its rendered IaC`;
    for (const runId of runIdsIn(value)) if (!named.has(runId)) named.set(runId, why);
  }
  return named;
}

/** Run ids a JSON value names: strings that are a ULID, or hold `runs/<ULID>/`. */
function runIdsIn(value: unknown, found = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    if (ULID.test(value)) found.add(value);
    for (const match of value.matchAll(RUN_KEY)) found.add(match[1] as string);
  } else if (Array.isArray(value)) {
    for (const item of value) runIdsIn(item, found);
  } else if (value && typeof value === 'object') {
    for (const item of Object.values(value)) runIdsIn(item, found);
  }
  return found;
}
