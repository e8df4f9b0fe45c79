/**
 * The unified mode's tasks (docs/runs-and-tasks.md#classic-and-unified-mode): every infra plugin of the run is one module of one
 * Terraform project with one state.
 *
 * - UNIFIED_IAC renders each kept plugin into `<alias>/` with its in-run connections wired through
 *   Terraform, renders each removed plugin again from its last deployment, and writes the root
 *   module (`stk-modules.tf`, `<alias>-outputs.tf`).
 * - PLAN saves the deploy plan (and, when plugins were removed, the destroy plan) in the IaC
 *   bucket with its SHA-256, the state version it was planned against and its resource changes.
 * - UNIFIED_DEPLOY applies exactly the saved deploy plan: refused when its bytes changed or the
 *   state moved since it was made.
 * - UNIFIED_DESTROY plans the destroy again against the state the deploy left and applies it only
 *   when it destroys exactly the resources the reviewed destroy plan listed.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigurationError } from '../errors';
import type { Logger } from '../logging';
import type { Manifest, ManifestPlugin } from '../manifest';
import type { RunRecord, RunStore } from '../runs';
import type { ObjectStore } from '../store';
import { digestFiles, writeRenderedProject, type RenderedProject } from '../templates';
import {
  type ChangeSummary,
  type OutputValue,
  type BackendSettings,
  type StateVersion,
  type TerraformProject,
} from '../terraform';
import {
  checkModuleNames,
  connectionsFile,
  CONNECTIONS_FILE,
  moduleOutputs,
  modulesFile,
  MODULES_FILE,
  outputsFile,
  rootOutputName,
  wireModule,
  type ModuleOutput,
  type UnifiedModule,
} from '../unified';
import type { DeploymentHistory, WorkspaceContextStore } from '../workspace';
import { iacArtifact, UNIFIED_PROJECT_ARTIFACT, type PlanKind } from './artifacts';
import {
  loadPlanRecord,
  refuseStaleState,
  replanReviewedDestroy,
  savePlan,
  verifiedPlanBytes,
  type PlanRecord,
} from './saved-plans';
import { restoreSnapshot, type PluginSnapshot } from '../plugins';

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

/** What the unified tasks use of the task executor. */
export interface TaskToolbox {
  readonly deps: {
    runs: RunStore;
    iacStore: ObjectStore;
    context: WorkspaceContextStore;
    history: DeploymentHistory;
    logger: Logger;
  };
  readonly run: RunRecord;
  readonly manifest: Manifest;
  readonly workDir: string;
  /** `alias` null: the unified project's state. */
  backend(alias: string | null): BackendSettings;
  plugin(alias: string): ManifestPlugin;
  /** `alias` null: the unified project. */
  project(dir: string, alias: string | null): TerraformProject;
  renderPlugin(
    plugin: ManifestPlugin,
    wired: Record<string, Record<string, unknown>>,
  ): Promise<RenderedProject>;
  publishOutputs(plugin: ManifestPlugin, outputs: Record<string, OutputValue>): Promise<string>;
  removeConnections(removed: ManifestPlugin): Promise<void>;
  markDeployed(alias: string, digest: string): void;
}

export interface PluginOutputs {
  alias: string;
  /** Relative to the output folder. */
  outputFile: string;
  outputs: Record<string, OutputValue>;
}

export interface UnifiedTaskReport {
  changes?: ChangeSummary;
  plans?: PlanRecord[];
  pluginOutputs?: PluginOutputs[];
}

export class UnifiedTasks {
  private initialized?: TerraformProject;
  /** Whether this job's disk holds the run's project (rendered or restored here). */
  private onDisk = false;

  constructor(private readonly tb: TaskToolbox) {}

  private get dir(): string {
    return join(this.tb.workDir, 'unified');
  }

  private get keptAliases(): string[] {
    return this.tb.manifest.deployOrder;
  }

  private get removedAliases(): string[] {
    return this.tb.manifest.destroy.map((p) => p.alias);
  }

  /** UNIFIED_IAC */
  async render(): Promise<UnifiedTaskReport> {
    const { manifest, deps, run } = this.tb;
    checkModuleNames([...this.keptAliases, ...this.removedAliases]);
    const files: { path: string; content: Buffer }[] = [];
    const modules: UnifiedModule[] = [];
    for (const alias of this.keptAliases) {
      const recorded = await this.rollbackModule(alias);
      if (recorded) {
        // A rollback deploys the module exactly as that version did, wiring included.
        await deps.runs.putArtifact(run.runId, iacArtifact(alias), recorded);
        modules.push({ alias, inputs: recorded.inputs, outputs: recorded.outputs });
        files.push(...moduleFilesOf(alias, recorded));
        continue;
      }
      const plugin = this.tb.plugin(alias);
      const wiring = wireModule(plugin, manifest);
      const rendered = await this.tb.renderPlugin(plugin, wiring.connections);
      const moduleFiles = rendered.files.filter((f) => f.path !== CONNECTIONS_FILE);
      const variables = connectionsFile(wiring.inputs);
      if (variables) moduleFiles.push({ path: CONNECTIONS_FILE, content: Buffer.from(variables) });
      const outputs = await moduleOutputs(
        new Map(moduleFiles.map((f) => [f.path, f.content.toString('utf8')])),
      );
      const snapshot: ModuleSnapshot = {
        digest: digestFiles(moduleFiles),
        files: moduleFiles.map((f) => ({ path: f.path, base64: f.content.toString('base64') })),
        inputs: wiring.inputs,
        outputs,
      };
      await deps.runs.putArtifact(run.runId, iacArtifact(alias), snapshot);
      modules.push({ alias, inputs: wiring.inputs, outputs });
      files.push(...moduleFiles.map((f) => ({ path: `${alias}/${f.path}`, content: f.content })));
    }
    for (const alias of this.removedAliases) {
      const previous = await this.lastModule(alias);
      modules.push({ alias, inputs: previous.inputs, outputs: previous.outputs });
      files.push(...moduleFilesOf(alias, previous));
      deps.logger.info(`Rendered ${alias} again from its last deployment, to destroy it.`);
    }
    files.push({ path: MODULES_FILE, content: Buffer.from(modulesFile(modules)) });
    for (const module of modules) {
      files.push({ path: `${module.alias}-outputs.tf`, content: Buffer.from(outputsFile(module)) });
    }
    const project: UnifiedProjectSnapshot = {
      digest: digestFiles(files),
      files: files.map((f) => ({ path: f.path, base64: f.content.toString('base64') })),
      modules,
    };
    await deps.runs.putArtifact(run.runId, UNIFIED_PROJECT_ARTIFACT, project);
    await rm(this.dir, { recursive: true, force: true });
    await writeRenderedProject({ files, digest: project.digest }, this.dir);
    this.onDisk = true;
    deps.logger.info(
      `Rendered the unified project: ${modules.length} module(s), ${files.length} file(s) (digest ${project.digest.slice(0, 12)}).`,
    );
    return {};
  }

  /** PLAN */
  async plan(): Promise<UnifiedTaskReport> {
    const terraform = await this.init();
    const state = (await terraform.stateVersion()) ?? null;
    const lockFile = await terraform.lockFile();
    const plans: PlanRecord[] = [];
    const removed = this.removedAliases;
    if (this.keptAliases.length > 0) {
      // Targets only exclude something when modules are being removed.
      const targets = removed.length > 0 ? this.keptAliases.map((a) => `module.${a}`) : [];
      plans.push(await this.savePlan(terraform, 'deploy', targets, state, lockFile));
    }
    if (removed.length > 0) {
      const targets = removed.map((a) => `module.${a}`);
      plans.push(await this.savePlan(terraform, 'destroy', targets, state, lockFile));
    }
    return { plans };
  }

  /** UNIFIED_DEPLOY */
  async deploy(): Promise<UnifiedTaskReport> {
    const { deps, run } = this.tb;
    const record = await this.planRecord('deploy');
    const bytes = await verifiedPlanBytes(deps.runs, deps.iacStore.bucket, run.runId, record);
    const terraform = await this.init(record.lockFile);
    refuseStaleState(run.runId, record, (await terraform.stateVersion()) ?? null);
    const file = join(this.dir, 'deploy.tfplan');
    await writeFile(file, bytes);
    deps.logger.info(
      `Applying the reviewed plan (SHA-256 ${record.sha256.slice(0, 12)}, state serial ${record.state?.serial ?? 'none'}).`,
    );
    const changes = await terraform.applyPlan(file);
    const outputs = await terraform.output();
    const project = await this.projectSnapshot();
    const pluginOutputs: PluginOutputs[] = [];
    for (const alias of this.keptAliases) {
      const module = project.modules.find((m) => m.alias === alias);
      const moduleOutputsOf: Record<string, OutputValue> = {};
      for (const o of module?.outputs ?? []) {
        const value = outputs[rootOutputName(alias, o.name)];
        if (value) moduleOutputsOf[o.name] = value;
      }
      const outputFile = await this.tb.publishOutputs(this.tb.plugin(alias), moduleOutputsOf);
      pluginOutputs.push({ alias, outputFile, outputs: moduleOutputsOf });
      const snapshot = await deps.runs.getArtifact<ModuleSnapshot>(run.runId, iacArtifact(alias));
      this.tb.markDeployed(alias, snapshot?.digest ?? '');
    }
    return { changes, pluginOutputs };
  }

  /** UNIFIED_DESTROY */
  async destroy(): Promise<UnifiedTaskReport> {
    const { deps, manifest } = this.tb;
    const record = await this.planRecord('destroy');
    const terraform = await this.init(record.lockFile);
    const file = join(this.dir, 'destroy-now.tfplan');
    const count = await replanReviewedDestroy(terraform, record, file, {
      title: 'The destroy planned now is not the one that was reviewed',
      nothing: 'Nothing was destroyed.',
      hint: 'Re-run the workflow to review a new destroy plan.',
    });
    deps.logger.info(`The destroy planned now matches the reviewed one (${count} resource(s)).`);
    const changes = await terraform.applyPlan(file);
    for (const removed of manifest.destroy) await this.tb.removeConnections(removed);
    return { changes };
  }

  /** terraform init, once per job; with the provider lock file the plan was made with, if any. */
  private async init(lockFile?: string): Promise<TerraformProject> {
    if (this.initialized) return this.initialized;
    await this.restoreProject();
    const terraform = this.tb.project(this.dir, null);
    await terraform.init(this.tb.backend(null), { lockFile });
    this.initialized = terraform;
    return terraform;
  }

  /** The rendered project on this job's disk, restored from the run after a job boundary. */
  private async restoreProject(): Promise<void> {
    // Never trust a folder left by another job (a reused self-hosted runner): restore what was planned.
    if (this.onDisk) return;
    const project = await this.projectSnapshot();
    await rm(this.dir, { recursive: true, force: true });
    await restoreSnapshot(
      project,
      this.dir,
      this.tb.deps.runs.artifactObject(this.tb.run.runId, UNIFIED_PROJECT_ARTIFACT),
    );
    this.onDisk = true;
  }

  private async projectSnapshot(): Promise<UnifiedProjectSnapshot> {
    const project = await this.tb.deps.runs.getArtifact<UnifiedProjectSnapshot>(
      this.tb.run.runId,
      UNIFIED_PROJECT_ARTIFACT,
    );
    if (!project)
      throw new Error(`run ${this.tb.run.runId} has no unified project: UNIFIED_IAC did not run`);
    return project;
  }

  private async lastModule(alias: string): Promise<ModuleSnapshot> {
    const { deps, manifest } = this.tb;
    const last = await deps.history.getLast(manifest.target);
    const entry = last?.iac[alias];
    if (!entry) {
      throw new ConfigurationError({
        message: `Plugin ${alias} left stk.yaml, but no IaC of a successful deployment of it is recorded, so it cannot be destroyed safely.`,
        hint: 'Destroy its resources by hand, or put it back in stk.yaml.',
      });
    }
    return this.storedModule(entry.key, `the IaC of ${alias}'s last deployment`);
  }

  /** In a rollback, the module as the version rolled back to deployed it. */
  private async rollbackModule(alias: string): Promise<ModuleSnapshot | undefined> {
    const source = this.tb.manifest.rollback;
    const entry = source?.iac[alias];
    if (!source) return undefined;
    if (!entry) throw new Error(`run ${this.tb.run.runId} has no recorded IaC for ${alias}`);
    this.tb.deps.logger.info(
      `Using the module ${alias} that run ${source.runId} deployed for version ${source.version}.`,
    );
    return this.storedModule(entry.key, `the IaC of ${alias} in version ${source.version}`);
  }

  private async storedModule(key: string, what: string): Promise<ModuleSnapshot> {
    const { deps } = this.tb;
    const stored = await deps.iacStore.getJson<ModuleSnapshot>(key);
    if (!stored) {
      throw new ConfigurationError({
        message: `${what} is missing from ${deps.iacStore.bucket}/${key}.`,
        hint: "Restore the object (e.g. from the bucket's versioning), or deploy again from a commit.",
      });
    }
    return {
      ...stored.value,
      inputs: stored.value.inputs ?? {},
      outputs: stored.value.outputs ?? [],
    };
  }

  private async savePlan(
    terraform: TerraformProject,
    kind: PlanKind,
    targets: string[],
    state: StateVersion | null,
    lockFile: string | undefined,
  ): Promise<PlanRecord> {
    return savePlan(this.tb.deps.runs, this.tb.run.runId, terraform, this.tb.deps.logger, {
      name: kind,
      kind,
      file: join(this.dir, `${kind}.tfplan`),
      targets,
      state,
      ...(lockFile !== undefined ? { lockFile } : {}),
    });
  }

  private async planRecord(kind: PlanKind): Promise<PlanRecord> {
    const record = await loadPlanRecord(this.tb.deps.runs, this.tb.run.runId, kind);
    if (!record)
      throw new Error(
        `run ${this.tb.run.runId} has no saved ${kind} plan: its PLAN task did not run`,
      );
    return record;
  }
}

/** A stored module's files, placed under `<alias>/` in the unified project. */
function moduleFilesOf(alias: string, module: ModuleSnapshot): { path: string; content: Buffer }[] {
  return module.files.map((f) => ({
    path: `${alias}/${f.path}`,
    content: Buffer.from(f.base64, 'base64'),
  }));
}
