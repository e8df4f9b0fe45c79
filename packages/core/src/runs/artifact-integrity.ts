/**
 * What orchestrate-and-plan stores with a run (the manifest, the plugin snapshots) is what
 * runtime-tasks applies after approval, so it must come back exactly as it was written: the run
 * record keeps the SHA-256 of each object's bytes, and reading one back checks it. An object
 * changed, corrupt or gone is an ExternalError naming its key: nothing of it is used.
 */
import { createHash } from 'node:crypto';
import { ExternalError } from '../errors';

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
  const object = `s3://${where.bucket}/${where.key}`;
  if (body === undefined) {
    if (expected === undefined) return undefined;
    throw new ExternalError(
      `${object} is missing, though run ${where.runId} stored it when it was planned: the IaC bucket lost it or someone deleted it, so the run cannot go on. Start a new run (run the workflow again) and review its plan.`,
    );
  }
  if (expected !== undefined) {
    const found = artifactDigest(body);
    if (found !== expected)
      throw new ExternalError(
        `${object} is not the object run ${where.runId} stored when it was planned (SHA-256 ${expected.slice(0, 12)}… recorded, ${found.slice(0, 12)}… found): it was changed in the IaC bucket since, so nothing of it is used. Start a new run (run the workflow again) and review its plan, and check who can write to the IaC bucket.`,
      );
  }
  try {
    return JSON.parse(Buffer.from(body).toString('utf8')) as T;
  } catch {
    throw new ExternalError(
      `${object} is not valid JSON: the object was changed outside this tool or is corrupt. Start a new run (run the workflow again).`,
    );
  }
}
