import { StoredObjectError } from '../errors';
import type { ObjectStore, StoredJson } from './object-store';

/**
 * Reads a JSON object that must be there (a record another step wrote, an object the history
 * points at). Missing, it is a StoredObjectError naming it.
 *
 * @param missing what its absence means, continuing `s3://bucket/key ...` ("is missing, though ...")
 * @param hint what to do (see STORED_OBJECT_HINTS)
 */
export async function requireJson<T>(
  store: ObjectStore,
  key: string,
  missing: string,
  hint: string,
): Promise<StoredJson<T>> {
  const stored = await store.getJson<T>(key);
  if (!stored)
    throw new StoredObjectError({ bucket: store.bucket, key, problem: 'missing' }, missing, hint);
  return stored;
}
