/**
 * Unified mode's one Terraform project of the run (docs/runs-and-tasks.md#classic-and-unified-mode), as this job holds it: the
 * project folder (rendered here by UNIFIED_IAC or restored from the run after a job boundary,
 * never a folder another job left), its init once per job, its saved plans, and the stored modules
 * it is rendered from.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logging';
import type { Manifest } from '../manifest';
import type { RunStore } from '../runs';
import { writeRenderedProject } from '../templates';
import type { StateVersion, TerraformProject } from '../terraform';
import {
  MODULES_FILE,
  modulesFile,
  outputsFile,
  type ModuleOutput,
  type UnifiedModule,
} from '../unified';
import { planArtifact, UNIFIED_PROJECT_ARTIFACT, type PlanKind } from './artifacts';
import { restoreSnapshot, type PluginSnapshot } from '../plugins';
import { lastDeployedIac, rollbackIac, type RecordedIacDeps } from './recorded-iac';
import { refuseRefusedPlan, type PlanPolicy } from './plan-policy';
import { savePlan, type PlanRecord } from './saved-plans';
import type { TerraformProjects } from './terraform-projects';

/** A module's rendered files as stored with the run; the history points at it for later destroys. */
export interface ModuleSnapshot extends PluginSnapshot {
  /** The module's arguments in `stk-modules.tf`. */
  inputs: Record<string, string>;
  outputs: ModuleOutput[];
}

/** The whole rendered project as stored with the run. */
export interface UnifiedProjectSnapshot extends PluginSnapshot {
  modules: UnifiedModule[];
}

export class UnifiedProject {
  private initialized?: TerraformProject;
  /** Whether this job's disk holds the run's project (rendered or restored here). */
  private onDisk = false;

  constructor(
    private readonly deps: RecordedIacDeps & { runs: RunStore; logger: Logger },
    private readonly runId: string,
    private readonly manifest: Manifest,
    private readonly workDir: string,
    private readonly projects: TerraformProjects,
  ) {}

  get dir(): string {
    return join(this.workDir, 'unified');
  }

  /** The plugins the run deploys, in dependency order. */
  get keptAliases(): string[] {
    return this.manifest.deployOrder;
  }

  /** The plugins that left stk.yaml, destroyed by the run. */
  get removedAliases(): string[] {
    return this.manifest.destroy.map((p) => p.alias);
  }

  /** Stores the rendered project with the run and writes it to this job's disk. */
  async write(
    files: { path: string; content: Buffer }[],
    project: UnifiedProjectSnapshot,
  ): Promise<void> {
    await this.deps.runs.putArtifact(this.runId, UNIFIED_PROJECT_ARTIFACT, project);
    await rm(this.dir, { recursive: true, force: true });
    await writeRenderedProject({ files, digest: project.digest }, this.dir);
    this.onDisk = true;
  }

  /** terraform init, once per job; with the provider lock file the plan was made with, if any. */
  async init(lockFile?: string): Promise<TerraformProject> {
    if (this.initialized) return this.initialized;
    // Never trust a folder left by another job (a reused self-hosted runner): restore what was planned.
    if (!this.onDisk) {
      const project = await this.snapshot();
      await rm(this.dir, { recursive: true, force: true });
      await restoreSnapshot(
        project,
        this.dir,
        this.deps.runs.artifactObject(this.runId, UNIFIED_PROJECT_ARTIFACT),
      );
      this.onDisk = true;
    }
    const terraform = this.projects.project(this.dir, null);
    await terraform.init(this.projects.stateBackend(null), { lockFile });
    this.initialized = terraform;
    return terraform;
  }

  /** The project as UNIFIED_IAC stored it with the run. */
  async snapshot(): Promise<UnifiedProjectSnapshot> {
    return this.deps.runs.requireArtifact<UnifiedProjectSnapshot>(
      this.runId,
      UNIFIED_PROJECT_ARTIFACT,
      'is missing: UNIFIED_IAC did not store the unified project.',
    );
  }

  /** Saves the `kind` plan of the project, made against `state` (checked by `policy`, if any). */
  async savePlan(
    terraform: TerraformProject,
    kind: PlanKind,
    targets: string[],
    state: StateVersion | null,
    lockFile: string | undefined,
    policy?: Pick<PlanPolicy, 'check'>,
  ): Promise<PlanRecord> {
    return savePlan(this.deps.runs, this.runId, terraform, this.deps.logger, {
      name: kind,
      kind,
      file: join(this.dir, `${kind}.tfplan`),
      targets,
      state,
      ...(lockFile !== undefined ? { lockFile } : {}),
      ...(policy ? { policy } : {}),
    });
  }

  /** The saved `kind` plan, which the run's PLAN task made, to apply: refused when the policy refused it. */
  async planRecord(kind: PlanKind): Promise<PlanRecord> {
    const record = await this.deps.runs.requireArtifact<PlanRecord>(
      this.runId,
      planArtifact(kind),
      `is missing: the PLAN task did not save the ${kind} plan.`,
    );
    refuseRefusedPlan(this.runId, record);
    return record;
  }

  /** The module of a removed plugin, as its last deployment stored it (to destroy it). */
  async lastModule(alias: string): Promise<ModuleSnapshot> {
    return lastDeployedModule(this.deps, this.manifest, alias);
  }

  /** In a rollback, the module as the version rolled back to deployed it. */
  async rollbackModule(alias: string): Promise<ModuleSnapshot | undefined> {
    const stored = await rollbackIac<ModuleSnapshot>(this.deps, this.manifest, this.runId, alias);
    if (!stored) return undefined;
    const source = this.manifest.rollback;
    this.deps.logger.info(
      `Using the module ${alias} that run ${source?.runId ?? '?'} deployed for version ${source?.version ?? '?'}.`,
    );
    return withDefaults(stored.snapshot);
  }
}

/** A stored module's files, placed under `<alias>/` in the unified project. */
export function moduleFilesOf(
  alias: string,
  module: ModuleSnapshot,
): { path: string; content: Buffer }[] {
  return module.files.map((f) => ({
    path: `${alias}/${f.path}`,
    content: Buffer.from(f.base64, 'base64'),
  }));
}

/** A plugin's module as the last deployment of the manifest's target stored it. */
export async function lastDeployedModule(
  deps: RecordedIacDeps,
  manifest: Manifest,
  alias: string,
): Promise<ModuleSnapshot> {
  return withDefaults((await lastDeployedIac<ModuleSnapshot>(deps, manifest, alias)).snapshot);
}

/** The unified project's root files for its modules: the module blocks and each one's outputs. */
export function rootFilesOf(
  modules: readonly UnifiedModule[],
): { path: string; content: Buffer }[] {
  return [
    { path: MODULES_FILE, content: Buffer.from(modulesFile(modules)) },
    ...modules.map((module) => ({
      path: `${module.alias}-outputs.tf`,
      content: Buffer.from(outputsFile(module)),
    })),
  ];
}

/** Modules stored before they recorded their wiring have none. */
function withDefaults(stored: ModuleSnapshot): ModuleSnapshot {
  return { ...stored, inputs: stored.inputs ?? {}, outputs: stored.outputs ?? [] };
}
