/**
 * An ObjectStore that reads through to another and refuses every write: what a preview (and any
 * other look that must change nothing) is given instead of the IaC bucket, so that no code path it
 * reuses (locks, run records, bindings, Connection Interfaces, history) can write by mistake.
 */
import type { ObjectStore, StoredJson, TaggedKey } from './object-store';

/** A write reached a read-only store: a bug of the engine, never the user's input. */
export class ReadOnlyStoreError extends Error {
  override readonly name = 'ReadOnlyStoreError';
  constructor(
    readonly key: string,
    why: string,
  ) {
    super(`refused to write ${key} in bucket that is read-only here: ${why}`);
  }
}

export class ReadOnlyObjectStore implements ObjectStore {
  /** @param why says, in the refusal, why nothing may be written (e.g. "a preview writes nothing") */
  constructor(
    private readonly inner: ObjectStore,
    private readonly why: string,
  ) {}

  get bucket(): string {
    return this.inner.bucket;
  }

  getJson<T>(key: string): Promise<StoredJson<T> | undefined> {
    return this.inner.getJson<T>(key);
  }

  getBytes(key: string): Promise<Uint8Array | undefined> {
    return this.inner.getBytes(key);
  }

  list(prefix: string): Promise<string[]> {
    return this.inner.list(prefix);
  }

  listTagged(prefix: string): Promise<TaggedKey[]> {
    return this.inner.listTagged
      ? this.inner.listTagged(prefix)
      : this.inner.list(prefix).then((keys) => keys.map((key) => ({ key, etag: '' })));
  }

  async listFolders(prefix: string): Promise<string[]> {
    if (this.inner.listFolders) return this.inner.listFolders(prefix);
    const folders = new Set<string>();
    for (const key of await this.inner.list(prefix)) {
      const slash = key.indexOf('/', prefix.length);
      if (slash >= 0) folders.add(key.slice(0, slash + 1));
    }
    return [...folders].sort();
  }

  putJson(key: string): Promise<string> {
    return Promise.reject(new ReadOnlyStoreError(key, this.why));
  }

  putBytes(key: string): Promise<void> {
    return Promise.reject(new ReadOnlyStoreError(key, this.why));
  }

  delete(key: string): Promise<void> {
    return Promise.reject(new ReadOnlyStoreError(key, this.why));
  }
}
