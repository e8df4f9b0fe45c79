/**
 * Deployment history: the last successful deployment of a target, and one per version tag, each
 * with the manifest it deployed and where its rendered IaC is (destroy and rollback need both).
 */
import { keys } from '../runs/keys';
import type { ObjectStore } from '../store';
import type { DeploymentTarget } from './target';

export interface DeploymentRecord {
  runId: string;
  /**
   * Classic: one Terraform state per plugin; unified: one per application. Absent in records
   * written before unified mode existed (classic).
   */
  mode?: 'classic' | 'unified';
  version: string;
  finishedAt: string;
  manifestDigest: string;
  /** The manifest as stored (JSON); see the manifest module for its shape. */
  manifest: Record<string, unknown>;
  /** Per plugin alias: the object key of its rendered IaC in the IaC bucket, and its digest. */
  iac: Record<string, { key: string; digest: string }>;
}

export class DeploymentHistory {
  constructor(private readonly store: ObjectStore) {}

  async getLast(target: DeploymentTarget): Promise<DeploymentRecord | undefined> {
    return (await this.store.getJson<DeploymentRecord>(keys.lastDeployment(target)))?.value;
  }

  async getByVersion(
    target: DeploymentTarget,
    version: string,
  ): Promise<DeploymentRecord | undefined> {
    return (await this.store.getJson<DeploymentRecord>(keys.versionDeployment(target, version)))
      ?.value;
  }

  async listVersions(target: DeploymentTarget): Promise<string[]> {
    const prefix = keys.versionsPrefix(target);
    return (await this.store.list(prefix)).map((k) =>
      decodeURIComponent(k.slice(prefix.length, -'.json'.length)),
    );
  }

  /** Writes the version record first, then `last`, so `last` never points at a missing version. */
  async record(target: DeploymentTarget, record: DeploymentRecord): Promise<void> {
    await this.store.putJson(keys.versionDeployment(target, record.version), record);
    await this.store.putJson(keys.lastDeployment(target), record);
  }
}
