/**
 * Deployment history: the last successful deployment of a target, and one per version tag, each
 * with the manifest it deployed and where its rendered IaC is (destroy and rollback need both).
 */
import { keys } from '../bucket-layout';
import type { RunAudit, RunType } from '../audit';
import type { ObjectStore } from '../store';
import type { AppKind, DeploymentTarget } from '../target';

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
  /** The run type that wrote it (absent: DEPLOY, see recordedRunType). */
  runType?: RunType;
  /** The Terraform version that applied it. */
  terraformVersion?: string;
  /**
   * What SKIP_DEPLOY compares: the manifest's plugins and order, the mode and the Terraform
   * version (see deploymentFingerprint).
   */
  fingerprint?: string;
  /**
   * Set on `last` when a DESTROY run removed everything: nothing is deployed any more, but the
   * version records stay (a rollback can bring a version back).
   */
  destroyed?: { runId: string; at: string };
  /** The audit of the run that wrote it: who started and approved it, from which commit. */
  audit?: RunAudit;
}

/** The last record, when something is deployed (not destroyed since). */
export function liveDeployment(record: DeploymentRecord | undefined): DeploymentRecord | undefined {
  return record && !record.destroyed ? record : undefined;
}

export interface VersionSummary {
  version: string;
  runId: string;
  finishedAt: string;
  /** Who deployed it and from which commit, when recorded. */
  audit?: RunAudit;
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

  /** Every version deployed successfully, newest first: what a rollback can go back to. */
  async listDeployed(target: DeploymentTarget): Promise<VersionSummary[]> {
    const versions = await this.listVersions(target);
    const records = await Promise.all(versions.map((v) => this.getByVersion(target, v)));
    return records
      .flatMap((r) =>
        r
          ? [
              {
                version: r.version,
                runId: r.runId,
                finishedAt: r.finishedAt,
                ...(r.audit ? { audit: r.audit } : {}),
              },
            ]
          : [],
      )
      .sort((a, b) => (a.finishedAt < b.finishedAt ? 1 : -1));
  }

  /**
   * The last deployment of an id in every environment of the workspace, by environment. One
   * listing of the workspace's history: for the rare question "was this id ever deployed here,
   * and from where" (an id not bound to a repository yet, see AppBindingStore).
   */
  async lastInEveryEnvironment(
    workspace: string,
    appKind: AppKind,
    appId: string,
  ): Promise<Map<string, DeploymentRecord>> {
    const prefix = keys.historyPrefix(workspace);
    const suffix = `/${appKind}/${encodeURIComponent(appId)}/last.json`;
    const found = (await this.store.list(prefix)).filter(
      (k) => k.endsWith(suffix) && !k.slice(prefix.length, -suffix.length).includes('/'),
    );
    const records = await Promise.all(
      found.map(async (k) => {
        const environment = decodeURIComponent(k.slice(prefix.length, -suffix.length));
        const record = (await this.store.getJson<DeploymentRecord>(k))?.value;
        return record ? ([[environment, record]] as const) : [];
      }),
    );
    return new Map(records.flat());
  }

  /**
   * Writes the version record first (when `keepVersion`: the run type says so), then `last`, so
   * `last` never points at a missing version. A rollback or destroy writes only `last`: the
   * version records keep what each tag deployed.
   */
  async record(
    target: DeploymentTarget,
    record: DeploymentRecord,
    options: { keepVersion: boolean },
  ): Promise<void> {
    if (options.keepVersion)
      await this.store.putJson(keys.versionDeployment(target, record.version), record);
    await this.store.putJson(keys.lastDeployment(target), record);
  }
}
