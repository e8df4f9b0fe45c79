/**
 * Terraform's S3 backend: every state an object of one bucket, locked by Terraform's own lock file
 * (`use_lockfile`: a `<key>.tflock` object written with If-None-Match), no DynamoDB table. The
 * engine reads states and lock files with its own S3 client; Terraform gets its credentials from
 * its environment only, never in these settings.
 */
import { ExternalError } from '../errors';
import type { ObjectStore } from '../store';
import type { BackendSettings } from '../terraform';
import type { HeldStateLock, StateBackend } from './state-backend';

/** The kind an S3 backend has in the run record. */
export const S3_BACKEND_KIND = 's3';

/** The run record's tagged value for an S3 backend (records older than `kind` lack it). */
export type S3StateBackendRecord = { kind: typeof S3_BACKEND_KIND; bucket: string; region: string };

/** What Terraform's S3 backend writes to `<key>.tflock`. */
interface TerraformLockFile {
  ID?: unknown;
  Operation?: unknown;
  Who?: unknown;
  Created?: unknown;
}

/** Settings for an S3-compatible server (AWS_ENDPOINT_URL_S3: moto, MinIO): path-style, no AWS-only checks. */
function endpointSettings(endpoint: string): BackendSettings['settings'] {
  return {
    endpoints: { s3: endpoint },
    use_path_style: true,
    skip_credentials_validation: true,
    skip_requesting_account_id: true,
    skip_metadata_api_check: true,
    skip_region_validation: true,
    skip_s3_checksum: true,
  };
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

export class S3StateBackend implements StateBackend {
  readonly description: string;

  /**
   * `store`: the state bucket, read with the credentials of whoever runs the engine; `endpoint`:
   * AWS_ENDPOINT_URL_S3, which Terraform's backend must be told too.
   */
  constructor(
    private readonly store: ObjectStore,
    private readonly region: string,
    private readonly endpoint?: string,
  ) {
    this.description = `S3 bucket ${store.bucket} (${region})`;
  }

  locationOf(key: string): string {
    return `s3://${this.store.bucket}/${key}`;
  }

  settings(key: string): BackendSettings {
    return {
      type: 's3',
      settings: {
        bucket: this.store.bucket,
        key,
        region: this.region,
        use_lockfile: true,
        ...(this.endpoint ? endpointSettings(this.endpoint) : {}),
      },
      readState: () => this.readState(key),
      stateObject: { bucket: this.store.bucket, key },
    };
  }

  async readState(key: string): Promise<string | undefined> {
    const bytes = await this.store.getBytes(key);
    return bytes ? Buffer.from(bytes).toString('utf8') : undefined;
  }

  keyOfLockPath(path: string): string | undefined {
    const prefix = `${this.store.bucket}/`;
    return path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
  }

  async readLock(key: string): Promise<HeldStateLock | undefined> {
    const lockKey = `${key}.tflock`;
    const stored = await this.store.getJson<TerraformLockFile>(lockKey);
    if (!stored) return undefined;
    const file: TerraformLockFile =
      typeof stored.value === 'object' && stored.value !== null ? stored.value : {};
    const id = text(file.ID);
    if (!id) {
      throw new ExternalError(
        `${this.locationOf(lockKey)} is not a Terraform lock file (no lock ID): it was written by something else. If no Terraform is running on this state, delete the object by hand.`,
      );
    }
    const [operation, who, created] = [text(file.Operation), text(file.Who), text(file.Created)];
    return {
      id,
      ...(operation !== undefined ? { operation } : {}),
      ...(who !== undefined ? { who } : {}),
      ...(created !== undefined ? { created } : {}),
      location: this.locationOf(lockKey),
      version: stored.etag,
    };
  }

  async releaseLock(key: string, lock: HeldStateLock): Promise<void> {
    await this.store.delete(`${key}.tflock`, { ifMatch: lock.version });
  }
}
