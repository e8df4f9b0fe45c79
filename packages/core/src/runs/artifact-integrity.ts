/**
 * What orchestrate-and-plan stores with a run (the manifest, the plugin snapshots) is what
 * runtime-tasks applies after approval, so it must come back exactly as it was written: the run
 * record keeps the SHA-256 of each object's bytes, and reading one back checks it. An object
 * changed, corrupt or gone is a StoredObjectError naming its key: nothing of it is used.
 */
import { createHash } from 'node:crypto';
import { parseStoredJson, STORED_OBJECT_HINTS, StoredObjectError } from '../errors';

/** The digest recorded for an artifact: SHA-256 (hex) of the exact bytes stored. */
export function artifactDigest(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * Parses an artifact read back as `body` (undefined: the object is missing), checking it against
 * the digest the run recorded. `expected` undefined: the run recorded none (an artifact written by
 * a step itself, or a run opened before digests were recorded), only the JSON is checked.
 */
export function readRecordedArtifact<T>(
  where: { bucket: string; key: string; runId: string },
  body: Uint8Array | undefined,
  expected: string | undefined,
): T | undefined {
  const object = { bucket: where.bucket, key: where.key };
  if (body === undefined) {
    if (expected === undefined) return undefined;
    throw new StoredObjectError(
      { ...object, problem: 'missing' },
      `is missing, though run ${where.runId} stored it when it was planned: the IaC bucket lost it or someone deleted it, so the run cannot go on.`,
      STORED_OBJECT_HINTS.newRun,
    );
  }
  if (expected !== undefined) {
    const found = artifactDigest(body);
    if (found !== expected)
      throw new StoredObjectError(
        { ...object, problem: 'corrupt' },
        `is not the object run ${where.runId} stored when it was planned (SHA-256 ${expected.slice(0, 12)}… recorded, ${found.slice(0, 12)}… found): it was changed in the IaC bucket since, so nothing of it is used.`,
        `${STORED_OBJECT_HINTS.newRun.slice(0, -1)}, and check who can write to the IaC bucket.`,
      );
  }
  return parseStoredJson<T>(
    object,
    Buffer.from(body).toString('utf8'),
    'Start a new run (run the workflow again).',
  );
}
