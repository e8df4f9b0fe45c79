/**
 * The seam between the engine and where Terraform keeps its states. A run records its backend as a
 * tagged value (RunRecord.tfstate, `kind` first: see open-state-backend.ts); everything the engine
 * does with states goes through this interface: the settings `terraform init` gets, reading a
 * state without a Terraform process, the lock a killed Terraform left behind, and how messages
 * name where states live. Keys are the engine's (state-key.ts); a backend only places them.
 */
import type { BackendSettings } from '../terraform';

/**
 * A Terraform state lock read from a backend: what its holder wrote (the fields Terraform's Lock
 * Info prints), and what releasing that lock and no later one takes.
 */
export interface HeldStateLock {
  id: string;
  operation?: string;
  who?: string;
  created?: string;
  /** Where the lock lives, for messages (`s3://tf/<key>.tflock`). */
  location: string;
  /** The version read (S3: the lock object's ETag): release removes only that one. */
  version: string;
}

export interface StateBackend {
  /** Where the states live, for messages (`S3 bucket tf in us-east-1`). */
  readonly description: string;
  /** Where one state lives, for messages (`s3://tf/<key>`). */
  locationOf(key: string): string;
  /** What `terraform init` needs to keep the state `key` here (no credential in it). */
  settings(key: string): BackendSettings;
  /** The state at `key` as Terraform wrote it; undefined when there is none yet. Never logged. */
  readState(key: string): Promise<string | undefined>;
  /**
   * The key of the state Terraform names in a Lock Info's `Path:` (S3: `<bucket>/<key>`);
   * undefined when that state is not in this backend.
   */
  keyOfLockPath(path: string): string | undefined;
  /** The lock on the state at `key`; undefined when there is none. */
  readLock(key: string): Promise<HeldStateLock | undefined>;
  /** Removes `lock`, only if it is still the version read (else PreconditionFailedError). */
  releaseLock(key: string, lock: HeldStateLock): Promise<void>;
}
