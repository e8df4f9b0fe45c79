/** An in-memory ObjectStore with S3's conditional semantics, for unit tests of pure logic. */
import { createHash } from 'node:crypto';
import {
  PreconditionFailedError,
  type ObjectStore,
  type StoredJson,
  type WriteCondition,
} from './object-store';

export class MemoryObjectStore implements ObjectStore {
  private readonly objects = new Map<string, { body: string; etag: string }>();
  private readonly files = new Map<string, Uint8Array>();
  private version = 0;

  constructor(readonly bucket = 'memory') {}

  async getJson<T>(key: string): Promise<StoredJson<T> | undefined> {
    const object = this.objects.get(key);
    return object ? { value: JSON.parse(object.body) as T, etag: object.etag } : undefined;
  }

  async putJson(key: string, value: unknown, condition?: WriteCondition): Promise<string> {
    const current = this.objects.get(key);
    if (condition && 'ifNoneMatch' in condition && current) throw new PreconditionFailedError(key);
    if (condition && 'ifMatch' in condition && current?.etag !== condition.ifMatch) {
      throw new PreconditionFailedError(key);
    }
    const body = JSON.stringify(value);
    const etag = `"${createHash('md5').update(`${++this.version}:${body}`).digest('hex')}"`;
    this.objects.set(key, { body, etag });
    return etag;
  }

  async getBytes(key: string): Promise<Uint8Array | undefined> {
    const file = this.files.get(key);
    return file ? new Uint8Array(file) : undefined;
  }

  async putBytes(key: string, body: Uint8Array, _contentType?: string): Promise<void> {
    this.files.set(key, new Uint8Array(body));
  }

  async delete(key: string, condition?: { ifMatch: string }): Promise<void> {
    const current = this.objects.get(key);
    if (condition && current && current.etag !== condition.ifMatch)
      throw new PreconditionFailedError(key);
    this.objects.delete(key);
    this.files.delete(key);
  }

  async list(prefix: string): Promise<string[]> {
    return [...new Set([...this.objects.keys(), ...this.files.keys()])]
      .filter((k) => k.startsWith(prefix))
      .sort();
  }
}
