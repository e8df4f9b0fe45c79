/**
 * Opens the state backend a run records (RunRecord.tfstate, a tagged value): one entry per kind in
 * BACKENDS. Records written before backends had a kind are S3's `{ bucket, region }` (they are in
 * users' buckets), so a missing kind reads as S3. Adding a backend: its file here, one line in
 * BACKENDS, and the input that records it (see the README's "Adding a state backend").
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { ExternalError } from '../errors';
import type { StoredStateBackend } from '../runs';
import { S3ObjectStore } from '../store';
import { S3_BACKEND_KIND, S3StateBackend } from './s3-state-backend';
import type { StateBackend } from './state-backend';

/** How the caller reaches state backends: its clients, with its credentials. */
export interface StateBackendAccess {
  /** An S3 client for a bucket in `region`. */
  s3In(region: string): S3Client;
  /** AWS_ENDPOINT_URL_S3: an S3-compatible server, which Terraform's S3 backend must use too. */
  s3Endpoint?: string;
}

type Opener = (stored: StoredStateBackend, access: StateBackendAccess) => StateBackend;

/** A setting of the stored backend, which must be a non-empty string. */
function setting(stored: StoredStateBackend, name: string): string {
  const value = stored[name];
  if (typeof value !== 'string' || value === '') {
    throw new ExternalError(
      `The run record's state backend (${stored.kind ?? S3_BACKEND_KIND}) has no ${name}: the record was changed outside the engine or is corrupt. Start a new run.`,
    );
  }
  return value;
}

const BACKENDS: Record<string, Opener> = {
  [S3_BACKEND_KIND]: (stored, access) => {
    const region = setting(stored, 'region');
    return new S3StateBackend(
      new S3ObjectStore(access.s3In(region), setting(stored, 'bucket')),
      region,
      access.s3Endpoint,
    );
  },
};

/** The backend `stored` names (no kind: S3, as recorded before kinds existed). */
export function openStateBackend(
  stored: StoredStateBackend,
  access: StateBackendAccess,
): StateBackend {
  const kind = stored.kind ?? S3_BACKEND_KIND;
  const open = Object.hasOwn(BACKENDS, kind) ? BACKENDS[kind] : undefined;
  if (!open) {
    throw new ExternalError(
      `The run's states are in a backend of kind '${kind}', which this version of the engine does not know (it knows ${Object.keys(BACKENDS).join(', ')}): use the engine version that opened the run.`,
    );
  }
  return open(stored, access);
}
