/**
 * Classic mode's rendered IaC on this job's disk: one folder per plugin, stored with the run when
 * IAC renders it and restored from the run after a job boundary (DEPLOY runs in the approved job);
 * and, for a plugin that left stk.yaml, the IaC of its last deployment in a fresh folder.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Manifest } from '../manifest';
import type { RunStore } from '../runs';
import { writeRenderedProject, type RenderedProject } from '../templates';
import { iacArtifact } from './artifacts';
import type { DeployedIacLedger } from './deployed-iac';
import { restoreSnapshot, type PluginSnapshot } from '../plugins';
import { lastDeployedIac, type RecordedIacDeps } from './recorded-iac';

export class PluginIacFolders {
  constructor(
    private readonly deps: RecordedIacDeps & { runs: RunStore },
    private readonly runId: string,
    private readonly manifest: Manifest,
    private readonly workDir: string,
    private readonly ledger: DeployedIacLedger,
  ) {}

  /** Where plugin `alias`'s rendered IaC is on this job's disk. */
  dir(alias: string): string {
    return join(this.workDir, 'iac', alias);
  }

  /** Writes `project` to the plugin's folder and stores it with the run. */
  async store(alias: string, project: RenderedProject): Promise<void> {
    const dir = this.dir(alias);
    await rm(dir, { recursive: true, force: true });
    await writeRenderedProject(project, dir);
    const stored: PluginSnapshot = {
      digest: project.digest,
      files: project.files.map((f) => ({ path: f.path, base64: f.content.toString('base64') })),
    };
    await this.deps.runs.putArtifact(this.runId, iacArtifact(alias), stored);
    this.ledger.rendered(alias, project.digest);
  }

  /** The rendered IaC of this run, from this job's disk or, after a job boundary, from the bucket. */
  async ensure(alias: string): Promise<string> {
    const dir = this.dir(alias);
    if (existsSync(dir)) return dir;
    const stored = await this.deps.runs.requireArtifact<PluginSnapshot>(
      this.runId,
      iacArtifact(alias),
      `is missing: the IAC task of ${alias} did not store its rendered IaC.`,
    );
    await restoreSnapshot(
      stored,
      dir,
      this.deps.runs.artifactObject(this.runId, iacArtifact(alias)),
    );
    this.ledger.rendered(alias, stored.digest);
    return dir;
  }

  /** The IaC a removed plugin was last deployed with, in a fresh folder (its init is guarded). */
  async restoreLast(alias: string, folder: string): Promise<string> {
    const iac = await lastDeployedIac(this.deps, this.manifest, alias);
    const dir = join(this.workDir, folder, alias);
    await rm(dir, { recursive: true, force: true });
    await restoreSnapshot(iac.snapshot, dir, iac.object);
    return dir;
  }
}
