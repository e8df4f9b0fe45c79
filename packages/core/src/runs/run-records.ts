/**
 * The run records of a bucket (runs/<id>/record.json) as one process reads and writes them: every
 * update is a read-modify-write with If-Match, retried on conflict, so no two writers silently
 * overwrite each other; updates of one run from this process take turns.
 */
import { monotonicFactory } from 'ulid';
import { ExternalError, StoredObjectError } from '../errors';
import { PreconditionFailedError, type ObjectStore, type StoredJson } from '../store';
import { keys } from '../bucket-layout';
import type { RunRecord } from './run-record';

const ulid = monotonicFactory();

/** A fresh id (runs, tasks, record revisions): a ULID, so ids sort by the time they were made. */
export function newRunId(now: Date): string {
  return ulid(now.getTime());
}

/** How often a conflicting write is tried again before giving up. */
export const CONFLICT_RETRIES = 8;

export class RunRecords {
  /** The last queued update of each run (see update). */
  private readonly updates = new Map<string, Promise<void>>();
  /**
   * Each run's record as this process last wrote or read it, with its ETag: the next update starts
   * from it instead of reading it again (If-Match still catches a writer elsewhere).
   */
  private readonly known = new Map<string, StoredJson<RunRecord>>();

  constructor(
    readonly store: ObjectStore,
    private readonly now: () => Date,
  ) {}

  /**
   * Writes a new run record. Run ids are fresh, so when the write is refused because the object
   * exists, it is this very record, written by an attempt whose answer was lost (a timeout retried
   * by the store): read back and go on. Returns its ETag.
   */
  async create(record: RunRecord): Promise<string> {
    const key = keys.run(record.runId);
    let etag: string;
    try {
      etag = await this.store.putJson(key, record, { ifNoneMatch: '*' });
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      const stored = await this.store.getJson<RunRecord>(key);
      if (!stored || !sameJson(stored.value, record)) throw error;
      etag = stored.etag;
    }
    this.known.set(record.runId, { value: structuredClone(record), etag });
    return etag;
  }

  /** Deletes a record `create` wrote (a run that could not take its lock); errors are ignored. */
  async remove(runId: string, etag: string): Promise<void> {
    this.known.delete(runId);
    await this.store.delete(keys.run(runId), { ifMatch: etag }).catch(() => undefined);
  }

  /** The run's record as stored; undefined when there is none. */
  async get(runId: string): Promise<RunRecord | undefined> {
    const stored = await this.store.getJson<RunRecord>(keys.run(runId));
    if (stored && !this.known.has(runId)) this.known.set(runId, structuredClone(stored));
    return stored?.value;
  }

  /**
   * Recent runs, newest first (ULIDs sort by time), optionally of one workspace or environment.
   * Found through the per-target markers (`history/<target>/runs/<ulid>.json`, keys.targetRun),
   * listing only the prefix of the workspace or environment asked for: never every key under
   * `runs/` (a run's artifacts, plans, logs and task objects).
   */
  async recent(filter: {
    workspace?: string;
    environment?: string;
    limit?: number;
  }): Promise<RunRecord[]> {
    const prefix = keys.targetRunMarkersPrefix(filter.workspace, filter.environment);
    const ids = [
      ...new Set(
        (await this.store.list(prefix)).map(runIdOfMarker).filter((id) => id !== undefined),
      ),
    ]
      .sort()
      .reverse();
    const limit = filter.limit ?? 20;
    const result: RunRecord[] = [];
    // Read a page at a time, in parallel: a marker whose record is gone (pruned) is skipped.
    for (let start = 0; start < ids.length && result.length < limit; start += limit) {
      const page = await Promise.all(ids.slice(start, start + limit).map((id) => this.get(id)));
      for (const run of page) {
        if (!run) continue;
        if (filter.workspace && run.target.workspace !== filter.workspace) continue;
        if (filter.environment && run.target.environment !== filter.environment) continue;
        if (result.length < limit) result.push(run);
      }
    }
    return result;
  }

  /** The record as this process last saw it, without reading it (undefined: never seen). */
  lastSeen(runId: string): RunRecord | undefined {
    return this.known.get(runId)?.value;
  }

  /**
   * Read-modify-write with If-Match; `mutate` returns false to leave the record as it is. Updates
   * of one run from this process take turns (tasks running at once would otherwise keep
   * invalidating each other's If-Match); a writer in another process (cancel-run) is still caught
   * by If-Match and retried, after a short random pause.
   */
  update(runId: string, mutate: (run: RunRecord) => boolean): Promise<RunRecord> {
    const previous = this.updates.get(runId) ?? Promise.resolve();
    const next = previous.then(() => this.updateNow(runId, mutate));
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.updates.set(runId, settled);
    void settled.then(() => {
      if (this.updates.get(runId) === settled) this.updates.delete(runId);
    });
    return next;
  }

  private async updateNow(runId: string, mutate: (run: RunRecord) => boolean): Promise<RunRecord> {
    const key = keys.run(runId);
    let current = this.known.get(runId);
    // A copy kept in memory may miss a write made elsewhere (cancel-run): it may start a write,
    // which If-Match then checks, but any other outcome is decided again on a fresh read.
    let fresh = false;
    for (let attempt = 0; attempt < CONFLICT_RETRIES;) {
      if (!current) {
        current = await this.store.getJson<RunRecord>(key);
        if (!current) throw missingRecord(this.store.bucket, runId);
        fresh = true;
      }
      const run = structuredClone(current.value);
      let write: boolean;
      try {
        write = mutate(run);
      } catch (error) {
        if (fresh) throw error;
        current = undefined;
        continue;
      }
      if (!write) {
        if (fresh) return run;
        current = undefined;
        continue;
      }
      run.updatedAt = this.now().toISOString();
      run.revision = newRunId(this.now());
      try {
        const etag = await this.store.putJson(key, run, { ifMatch: current.etag });
        this.known.set(runId, { value: structuredClone(run), etag });
        return run;
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        this.known.delete(runId);
        // Refused because the record changed: maybe by this very write, retried after a timeout.
        const now = await this.store.getJson<RunRecord>(key);
        if (now && sameJson(now.value, run)) {
          this.known.set(runId, now);
          return run;
        }
      }
      current = undefined;
      attempt++;
      await new Promise((r) => setTimeout(r, Math.random() * 50 * attempt));
    }
    throw new ExternalError(`run ${runId} kept changing while it was being updated`, {
      retryable: true,
    });
  }
}

/** The run id a marker key names (`history/<ws>/<env>/<kind>/<id>/runs/<ulid>.json`), else undefined. */
function runIdOfMarker(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length !== 7 || parts[5] !== 'runs') return undefined;
  const id = (parts[6] as string).replace(/\.json$/, '');
  return /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id) ? id : undefined;
}

/** The record of a run this step was told about, or opened, is gone from the bucket. */
export function missingRecord(bucket: string, runId: string): StoredObjectError {
  return new StoredObjectError(
    { bucket, key: keys.run(runId), problem: 'missing' },
    `is missing: the record of run ${runId} was deleted from the IaC bucket (or never written), so the run cannot go on.`,
    "Restore it from the bucket's versioning if the run must be closed or resumed; otherwise start a new run (run the workflow again).",
  );
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
