/**
 * Shared values (StackSpot's "shared values context"): key/value pairs people set once per
 * workspace, optionally per environment, that every template reads as `{{ var.KEY }}` (the
 * environment's value wins). Each key is one object in the IaC bucket with its revision and who
 * changed it when; a delete leaves a tombstone so the history stays. Writes are conditional, so two
 * people changing the same key never lose one change silently.
 */
import { ConfigurationError } from '../errors';
import { canonicalJson, sha256 } from '../encoding';
import { keys } from '../bucket-layout';
import { PreconditionFailedError, type ObjectStore } from '../store';

/** Template identifiers: `var.KEY` must be able to name it. */
export const SHARED_VALUE_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** Values are for configuration, not files. */
export const MAX_SHARED_VALUE_BYTES = 64 * 1024;

export interface SharedValueChange {
  revision: number;
  at: string;
  by: string;
  deleted?: boolean;
}

export interface SharedValueRecord {
  key: string;
  /** Absent on a tombstone. */
  value?: unknown;
  secret: boolean;
  workspace: string;
  /** Undefined: the value of the whole workspace. */
  environment?: string;
  revision: number;
  updatedAt: string;
  updatedBy: string;
  deleted?: boolean;
  /** Every change, oldest first (no values: secrets must not linger in history). */
  history: SharedValueChange[];
}

/** The value a template sees for one key, and where it came from. */
export interface ResolvedSharedValue {
  value: unknown;
  secret: boolean;
  scope: 'workspace' | 'environment';
  revision: number;
  updatedAt: string;
  updatedBy: string;
  /** SHA-256 of the value and where it came from: what a run records instead of the value. */
  digest: string;
}

export class SharedValueStore {
  constructor(private readonly store: ObjectStore) {}

  /** Sets a value (a new revision); returns the record written. */
  async set(
    scope: { workspace: string; environment?: string },
    key: string,
    value: unknown,
    options: { secret: boolean; by: string; now?: Date },
  ): Promise<SharedValueRecord> {
    checkKey(key);
    const size = Buffer.byteLength(JSON.stringify(value) ?? '');
    if (size > MAX_SHARED_VALUE_BYTES) {
      throw new ConfigurationError({
        message: `Shared value ${key} is ${size} bytes; at most ${MAX_SHARED_VALUE_BYTES} are allowed.`,
        hint: 'Keep files in the repository (CHECKOUT_BRANCH) and put only settings in shared values.',
      });
    }
    return this.write(scope, key, options.by, options.now ?? new Date(), (at, revision) => ({
      value,
      secret: options.secret,
      revision,
      at,
    }));
  }

  /** Deletes a value, keeping its history in a tombstone; false when it did not exist. */
  async delete(
    scope: { workspace: string; environment?: string },
    key: string,
    options: { by: string; now?: Date },
  ): Promise<boolean> {
    checkKey(key);
    const current = await this.get(scope, key);
    if (!current) return false;
    await this.write(scope, key, options.by, options.now ?? new Date(), () => ({ deleted: true }));
    return true;
  }

  /** One value of one scope (tombstones read as absent). */
  async get(
    scope: { workspace: string; environment?: string },
    key: string,
  ): Promise<SharedValueRecord | undefined> {
    const stored = await this.store.getJson<SharedValueRecord>(
      keys.sharedValue(scope.workspace, scope.environment, key),
    );
    return stored && !stored.value.deleted ? stored.value : undefined;
  }

  /** Every value of one scope, by key. */
  async list(scope: { workspace: string; environment?: string }): Promise<SharedValueRecord[]> {
    const found = await this.store.list(
      keys.sharedValuesPrefix(scope.workspace, scope.environment),
    );
    const records = await Promise.all(found.map((k) => this.store.getJson<SharedValueRecord>(k)));
    return records
      .flatMap((r) => (r && !r.value.deleted ? [r.value] : []))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  /** What templates of this environment see: workspace values, overridden by the environment's. */
  async resolve(
    workspace: string,
    environment: string,
  ): Promise<Record<string, ResolvedSharedValue>> {
    const [all, env] = await Promise.all([
      this.list({ workspace }),
      this.list({ workspace, environment }),
    ]);
    const resolved: Record<string, ResolvedSharedValue> = {};
    for (const record of [...all, ...env]) {
      const scope = record.environment === undefined ? 'workspace' : 'environment';
      resolved[record.key] = {
        value: record.value,
        secret: record.secret,
        scope,
        revision: record.revision,
        updatedAt: record.updatedAt,
        updatedBy: record.updatedBy,
        digest: sha256(
          canonicalJson({ scope, value: record.value ?? null, secret: record.secret }),
        ),
      };
    }
    return resolved;
  }

  private async write(
    scope: { workspace: string; environment?: string },
    key: string,
    by: string,
    now: Date,
    change: (at: string, revision: number) => Partial<SharedValueRecord>,
  ): Promise<SharedValueRecord> {
    const objectKey = keys.sharedValue(scope.workspace, scope.environment, key);
    for (let attempt = 0; attempt < 8; attempt++) {
      const current = await this.store.getJson<SharedValueRecord>(objectKey);
      const revision = (current?.value.revision ?? 0) + 1;
      const at = now.toISOString();
      const changed = change(at, revision);
      const record: SharedValueRecord = {
        key,
        secret: changed.secret ?? current?.value.secret ?? false,
        workspace: scope.workspace,
        ...(scope.environment !== undefined ? { environment: scope.environment } : {}),
        ...('value' in changed ? { value: changed.value } : {}),
        ...(changed.deleted ? { deleted: true } : {}),
        revision,
        updatedAt: at,
        updatedBy: by,
        history: [
          ...(current?.value.history ?? []),
          { revision, at, by, ...(changed.deleted ? { deleted: true } : {}) },
        ],
      };
      try {
        await this.store.putJson(
          objectKey,
          record,
          current ? { ifMatch: current.etag } : { ifNoneMatch: '*' },
        );
        return record;
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
      }
    }
    throw new ConfigurationError({
      message: `Shared value ${key} kept changing while it was being written.`,
      hint: 'Someone else is changing it: try again.',
    });
  }
}

function checkKey(key: string): void {
  if (!SHARED_VALUE_KEY.test(key)) {
    throw new ConfigurationError({
      message: `'${key.slice(0, 80)}' is not a shared value key: use letters, digits and '_', starting with a letter or '_' (so templates can write {{ var.KEY }}).`,
    });
  }
}
