/** An in-memory ObjectStore with S3's conditional semantics, for unit tests of pure logic. */
import { createHash } from 'node:crypto';
import { parseStoredJson, STORED_OBJECT_HINTS } from '../errors';
import {
  PreconditionFailedError,
  type ObjectStore,
  type StoredJson,
  type TaggedKey,
  type WriteCondition,
} from './object-store';

export class MemoryObjectStore implements ObjectStore {
  /** One map for JSON and raw objects, as in a bucket: getJson reads what putBytes wrote. */
  private readonly objects = new Map<string, { body: Uint8Array; etag: string }>();
  private version = 0;

  constructor(readonly bucket = 'memory') {}

  async getJson<T>(key: string): Promise<StoredJson<T> | undefined> {
    const object = this.objects.get(key);
    if (!object) return undefined;
    const text = Buffer.from(object.body).toString('utf8');
    const value = parseStoredJson<T>({ bucket: this.bucket, key }, text, STORED_OBJECT_HINTS.any);
    return { value, etag: object.etag };
  }

  async putJson(key: string, value: unknown, condition?: WriteCondition): Promise<string> {
    const current = this.objects.get(key);
    if (condition && 'ifNoneMatch' in condition && current) throw new PreconditionFailedError(key);
    if (condition && 'ifMatch' in condition && current?.etag !== condition.ifMatch) {
      throw new PreconditionFailedError(key);
    }
    return this.put(key, Buffer.from(JSON.stringify(value), 'utf8'));
  }

  async getBytes(key: string): Promise<Uint8Array | undefined> {
    const object = this.objects.get(key);
    return object ? new Uint8Array(object.body) : undefined;
  }

  async putBytes(key: string, body: Uint8Array, _contentType?: string): Promise<void> {
    this.put(key, body);
  }

  async delete(key: string, condition?: { ifMatch: string }): Promise<void> {
    const current = this.objects.get(key);
    if (condition && current && current.etag !== condition.ifMatch)
      throw new PreconditionFailedError(key);
    this.objects.delete(key);
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async listTagged(prefix: string): Promise<TaggedKey[]> {
    return (await this.list(prefix)).map((key) => ({
      key,
      etag: (this.objects.get(key) as { etag: string }).etag,
    }));
  }

  async listFolders(prefix: string): Promise<string[]> {
    const folders = new Set<string>();
    for (const key of await this.list(prefix)) {
      const slash = key.indexOf('/', prefix.length);
      if (slash >= 0) folders.add(key.slice(0, slash + 1));
    }
    return [...folders].sort();
  }

  private put(key: string, body: Uint8Array): string {
    const etag = `"${createHash('md5').update(`${++this.version}:`).update(body).digest('hex')}"`;
    this.objects.set(key, { body: new Uint8Array(body), etag });
    return etag;
  }
}
