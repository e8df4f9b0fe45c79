/**
 * The one storage seam of the engine: JSON objects (and a run's raw files) in a bucket, with the conditional writes that
 * make locks and record updates safe between runners (S3 `If-None-Match: *` / `If-Match: <etag>`).
 */

export type WriteCondition = { ifNoneMatch: '*' } | { ifMatch: string };

export interface StoredJson<T> {
  value: T;
  etag: string;
}

export interface ObjectStore {
  readonly bucket: string;
  getJson<T>(key: string): Promise<StoredJson<T> | undefined>;
  /** Writes the object; with a condition, throws PreconditionFailedError when it does not hold. */
  putJson(key: string, value: unknown, condition?: WriteCondition): Promise<string>;
  /** Reads an object's raw bytes (plan files, plan text); undefined when absent. */
  getBytes(key: string): Promise<Uint8Array | undefined>;
  /** Writes raw bytes unconditionally (objects that belong to one run and are written once). */
  putBytes(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** Deletes the object (no error when it is absent); with ifMatch, only that version. */
  delete(key: string, condition?: { ifMatch: string }): Promise<void>;
  /** Keys under a prefix, sorted. */
  list(prefix: string): Promise<string[]>;
  /**
   * Keys under a prefix with their ETags, sorted (the same LIST request): a reader that keeps
   * objects by ETag fetches only those that changed. Optional: without it such readers GET all.
   */
  listTagged?(prefix: string): Promise<TaggedKey[]>;
  /**
   * The "folders" right under a prefix ending in `/` (S3's delimiter listing: `runs/` gives
   * `runs/<id>/` once per run, however many objects each holds), sorted. Optional: without it a
   * caller lists every key.
   */
  listFolders?(prefix: string): Promise<string[]>;
}

/** A key as a LIST returns it, with the ETag of its current version. */
export interface TaggedKey {
  key: string;
  etag: string;
}

/** A conditional write or delete lost: someone else created or changed the object first. */
export class PreconditionFailedError extends Error {
  override readonly name = 'PreconditionFailedError';
  constructor(readonly key: string) {
    super(`the object ${key} was created or changed by someone else`);
  }
}
