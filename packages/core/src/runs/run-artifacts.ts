/**
 * What a run stores besides its record: JSON artifacts (the manifest, plugin snapshots, rendered
 * IaC, plan records) and raw files (plan files, plan texts). The artifacts whose digest the record
 * keeps are checked when read back (see artifact-integrity.ts).
 */
import { STORED_OBJECT_HINTS, StoredObjectError, type StoredObjectRef } from '../errors';
import type { ObjectStore } from '../store';
import { artifactDigest, readRecordedArtifact } from './artifact-integrity';
import { keys } from '../bucket-layout';
import type { RunRecords } from './run-records';

export class RunArtifacts {
  constructor(
    private readonly store: ObjectStore,
    private readonly records: RunRecords,
  ) {}

  /** Where an artifact of the run is stored (the history points at rendered IaC). */
  artifactObject(runId: string, name: string): StoredObjectRef {
    return { bucket: this.store.bucket, key: keys.artifact(runId, name) };
  }

  async putArtifact(runId: string, name: string, value: unknown): Promise<void> {
    await this.store.putJson(keys.artifact(runId, name), value);
  }

  /** Stores an artifact whose digest the run record is to keep, and returns that digest. */
  async putCheckedArtifact(runId: string, name: string, value: unknown): Promise<string> {
    const body = Buffer.from(JSON.stringify(value), 'utf8');
    await this.store.putBytes(keys.artifact(runId, name), body, 'application/json');
    return artifactDigest(body);
  }

  /** Reads every artifact whose digest the run recorded, a few at a time, checking each. */
  async verifyRecorded(runId: string): Promise<void> {
    const names = Object.keys((await this.records.get(runId))?.artifacts ?? {});
    const next = async (): Promise<void> => {
      for (let name = names.pop(); name !== undefined; name = names.pop())
        await this.get(runId, name);
    };
    await Promise.all(Array.from({ length: 8 }, next));
  }

  /**
   * Reads an artifact back. One whose digest the run recorded is checked against it: changed,
   * corrupt or missing, it is a StoredObjectError naming its key (see artifact-integrity.ts).
   */
  async get<T>(runId: string, name: string): Promise<T | undefined> {
    const key = keys.artifact(runId, name);
    const recorded =
      this.records.lastSeen(runId)?.artifacts ?? (await this.records.get(runId))?.artifacts;
    const expected = recorded?.[name];
    if (expected === undefined) return (await this.store.getJson<T>(key))?.value;
    return readRecordedArtifact<T>(
      { bucket: this.store.bucket, key, runId },
      await this.store.getBytes(key),
      expected,
    );
  }

  /**
   * Reads an artifact the run must have: missing, a StoredObjectError naming its key, saying
   * `missing` ("is missing: the IAC task of x did not store its IaC") and to start a new run.
   */
  async require<T>(runId: string, name: string, missing: string): Promise<T> {
    const value = await this.get<T>(runId, name);
    if (value !== undefined) return value;
    throw new StoredObjectError(
      { ...this.artifactObject(runId, name), problem: 'missing' },
      missing,
      STORED_OBJECT_HINTS.newRun,
    );
  }

  async putFile(
    runId: string,
    name: string,
    body: Uint8Array,
    contentType: string,
  ): Promise<string> {
    const key = keys.file(runId, name);
    await this.store.putBytes(key, body, contentType);
    return key;
  }

  async getFile(runId: string, name: string): Promise<Uint8Array | undefined> {
    return this.store.getBytes(keys.file(runId, name));
  }
}
