/**
 * What runtime-tasks does: execute the approved tasks of a run, one after another, recording every
 * transition. IAC renders a plugin from the run's snapshot with the live Connection Interface
 * values; DEPLOY applies it with its state in the tfstate bucket and publishes outputs and
 * Connection Interfaces; DESTROY destroys a removed plugin with the IaC of its last deployment.
 * The first failure stops the run: the remaining tasks are ABORTED and the lock released.
 */
import { existsSync, symlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { classifyError, ConfigurationError, ExternalError } from '../errors';
import { watchRun, type RunWatch } from './run-watch';
import { throwIfCancelled } from '../cancel';
import { secretText, TaskLogs } from '../logging';
import { Scheduler, taskGraph, type TaskNode } from '../schedule';
import type { Manifest, ManifestPlugin } from '../manifest';
import type { RunApproval, RunAttempt, RunRecord, RunTask, WorkflowRunRef } from '../runs';
import type { ApplyTask } from '../tasks';
import {
  gitCredentials,
  guardProject,
  type GitCredentials,
  type GuardrailOptions,
} from '../guardrails';
import {
  escapeHclString,
  renderPluginTemplates,
  type ConnectionTypeSummary,
  writeRenderedProject,
  type RenderedProject,
  type UndefinedReference,
} from '../templates';
import {
  ProviderMirror,
  stateKey,
  TerraformProject,
  type ChangeSummary,
  type OutputValue,
  type TerraformOptions,
} from '../terraform';
import {
  checkSecretOutputs,
  secretAttributes,
  type ConnectionInterfaceType,
} from '../connection-types';
import { moduleOutputs } from '../unified';
import type { ResolvedSharedValue } from '../workspace';
import { iacArtifact, MANIFEST_ARTIFACT, sourceArtifact } from './artifacts';
import { closeAfterFailure } from './close-after-failure';
import { recordRunOutcome } from '../run-types/record-outcome';
import { recordApproval } from './run-audit';
import { runTaskLogs } from './run-task-logs';
import { claimRunForTasks } from './run-claim';
import { incompleteRun, inRunOrder } from './task-list-check';
import { publishConnections } from './publish-connections';
import { restoreSnapshot, type PluginSnapshot } from './plugin-snapshot';
import { checkOutputTarget, writeOutputFile } from './output-file';
import { UnifiedTasks, type PluginOutputs } from './unified-tasks';
import {
  applyClassicPlugin,
  destroyClassicPlugin,
  planClassicDestroy,
  planClassicPlugin,
  type ClassicPlanToolbox,
  type ReviewedPlanUse,
  type UnplannedPlugin,
} from './classic-plans';
import type { PlanRecord } from './saved-plans';
import { REPODIR, scanRepositoryFiles } from './repository-files';
import type { RunDependencies } from './dependencies';
import { DiagnosticPlaces } from './diagnostic-places';
import { warnMissingRootTerraform } from './root-terraform';
import {
  installTerraformVersions,
  noteRecordedVersions,
  terraformBinaryFor,
  type TerraformResolver,
} from './terraform-versions';
import { TemplateWarnings, undefinedModeOf } from './template-warnings';
import { cliCommand } from '../commands';

/** What task execution reads and writes in the IaC bucket (see runDependencies). */
export type ExecuteDependencies = Omit<RunDependencies, 'connectionTypes'>;

export interface ExecuteOptions {
  runId: string;
  tasks: readonly ApplyTask[];
  /** A private scratch folder (RUNNER_TEMP/...). */
  workDir: string;
  /** Where `<alias>_<outputFileSuffix>` files are written (the checkout). */
  outputDir: string;
  outputFileSuffix: string;
  /** Everything Terraform needs but the project folder and the logger. */
  terraform: Omit<TerraformOptions, 'dir' | 'logger' | 'signal' | 'providerMirror'>;
  /**
   * Where the step keeps the provider packages its inits downloaded, for later inits to install
   * from (see ProviderMirror); without it every init installs on its own.
   */
  providerMirrorDir?: string;
  /** The version of terraform.binary, recorded with the deployment (SKIP_DEPLOY compares it). */
  terraformVersion: string;
  /** Installs the versions the run chose per plugin (manifest.terraformVersions); see terraform-versions.ts. */
  resolveTerraform?: TerraformResolver;
  /**
   * LOCAL_EXEC_ENABLED, FEATURES_TERRAFORM_MODULES, _PROVIDERS and _REMOTE_STATE: the guard every
   * TerraformProject runs before and after its init (see guardrails/guard.ts).
   */
  guardrails: GuardrailOptions;
  /**
   * The checkout, for runs planned with CHECKOUT_BRANCH: copied once into the work folder and
   * linked as repodir/ into every project. `exclude`: paths relative to root left out.
   */
  checkout?: { root: string; exclude: string[]; requested?: boolean };
  /** AWS_ENDPOINT_URL_S3, when the S3 backend must use another endpoint. */
  s3Endpoint?: string;
  signal?: AbortSignal;
  /**
   * Leave the run RUNNING when these tasks succeed (orchestrate-and-plan's own tasks in unified
   * mode: the approved ones follow in runtime-tasks). A failure closes the run all the same.
   */
  leaveOpen?: boolean;
  /** How often the run record is read to notice a cancel-run from another job (default 1 s). */
  watchIntervalMs?: number;
  /**
   * Who this step is (workflow run, job, attempt), written into the run's executor claim: a second
   * step on the same run is refused naming it (see runs/executor-claim.ts).
   */
  executor?: string;
  /** The step's GitHub workflow run attempt, recorded in its claim (see runs/holder-liveness.ts). */
  workflowRun?: WorkflowRunRef;
  /** The repository this step runs in (GITHUB_REPOSITORY): another repository's run is refused. */
  repository?: string;

  /**
   * How many tasks may run at once (TASK_PARALLELISM); default 1, the list's order task by task.
   * Above 1 a task starts as soon as what it waits for has succeeded (see schedule/).
   */
  parallelism?: number;
  /** With parallelism: how often a progress line per running task is printed (default 15 s). */
  progressMs?: number;
  /** FEATURES_TEMPLATE_STRICT: an undefined template name is an error instead of a warning. */
  templateStrict?: boolean;
  /**
   * The step's own masker (the actions: every secret the step registered): each task's log is
   * stored with the run (runs/<ulid>/logs/) masked by it as well as by the secrets met here.
   */
  maskLog?: (text: string) => string;
  /** Who approved the run (runtime-tasks reads it from GitHub): recorded in the run's audit. */
  approval?: RunApproval;
}

export interface TaskReport {
  task: RunTask;
  durationMs: number;
  changes?: ChangeSummary;
  outputs?: Record<string, OutputValue>;
  /** Output file written for DEPLOY tasks, relative to outputDir. */
  outputFile?: string;
  /** What UNIFIED_DEPLOY published per plugin. */
  pluginOutputs?: PluginOutputs[];
  /** Plans saved by a PLAN task. */
  plans?: PlanRecord[];
  /** Classic PLAN: the plugin could not be planned before the run. */
  unplanned?: UnplannedPlugin;
  /** Classic DEPLOY and DESTROY: whether the reviewed plan was applied, re-planned, or there was none. */
  reviewedPlan?: ReviewedPlanUse;
}

export interface ExecuteResult {
  run: RunRecord;
  reports: TaskReport[];
  /** The error that stopped the run, when one did. */
  error?: unknown;
  /** How the run had ended before this job resumed it (a re-run of a failed job). */
  resumed?: RunAttempt;
  /** Which task waited for which (for the timeline). */
  graph?: TaskNode[];
  /** Undefined names the rendered templates used (lenient mode), once per file, line and name. */
  templateWarnings?: UndefinedReference[];
}

/**
 * Validates the task list against the run, then executes it. Never leaves the run RUNNING on
 * failure. A run that failed is resumed (a re-run of the failed job sends the same RUN_ID and
 * TASK_LIST): its SUCCEEDED tasks are skipped, the others run again.
 */
export async function executeRunTasks(
  deps: ExecuteDependencies,
  options: ExecuteOptions,
): Promise<ExecuteResult> {
  const claimed = await claimRunForTasks(deps, {
    runId: options.runId,
    tasks: options.tasks,
    partial: options.leaveOpen === true,
    ...(options.executor ? { executor: options.executor } : {}),
    ...(options.workflowRun ? { workflowRun: options.workflowRun } : {}),
    ...(options.repository ? { repository: options.repository } : {}),
  });
  if ('done' in claimed) return { run: claimed.run, reports: [] };
  const { resumed } = claimed;
  // Recorded once the run is ours (not another repository's, not finished), before any task.
  const run = await recordApproval(deps, claimed.run, options.approval);
  // Until the step ends: a later run takes over a run whose executing step went silent.
  const heartbeat = deps.runs.startHeartbeat(run.runId, claimed.executor.id);
  let manifest: Manifest | undefined;
  try {
    await deps.runs.verifyRecordedArtifacts(run.runId);
    manifest = await deps.runs.getArtifact<Manifest>(run.runId, MANIFEST_ARTIFACT);
    if (!manifest)
      throw new ExternalError(
        `Run ${run.runId} has no stored manifest (${deps.runs.artifactKey(run.runId, MANIFEST_ARTIFACT)} in the IaC bucket): its records are incomplete. Start a new run.`,
      );
  } catch (error) {
    await heartbeat.stop();
    await closeAfterFailure(deps, run.runId, error);
    throw error;
  }
  const watch = watchRun(deps.runs, run.runId, deps.logger, {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.watchIntervalMs ? { intervalMs: options.watchIntervalMs } : {}),
  });
  const templateWarnings = new TemplateWarnings();
  try {
    const result = await executeTasks(
      deps,
      { ...options, tasks: inRunOrder(run, options.tasks), signal: watch.signal },
      run,
      manifest,
      watch,
      templateWarnings,
    );
    result.templateWarnings = templateWarnings.references;
    // Handing the run on (orchestrate-and-plan's PLAN tasks): the approved job claims it next.
    if (options.leaveOpen && result.run.status === 'RUNNING')
      result.run = await deps.runs.releaseClaim(run.runId, claimed.executor.id);
    return resumed ? { ...result, resumed } : result;
  } finally {
    watch.stop();
    await heartbeat.stop();
    // Rendered IaC and plans may hold secret values: nothing of them is left on the runner.
    await rm(options.workDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function executeTasks(
  deps: ExecuteDependencies,
  options: ExecuteOptions,
  run: RunRecord,
  manifest: Manifest,
  watch: RunWatch,
  templateWarnings: TemplateWarnings,
): Promise<ExecuteResult> {
  const parallelism = options.parallelism ?? 1;
  // Tasks at once: their logs are kept per task and printed whole (see TaskLogs).
  const logs = parallelism > 1 ? new TaskLogs(deps.logger, options.progressMs) : undefined;
  // Each task's lines are also kept, masked, and stored with the run when it ends.
  const stored = runTaskLogs(deps.iacStore, run.runId, logs ?? deps.logger, {
    maskLog: options.maskLog,
    secrets: options.terraform.secrets ?? [],
  });
  const taskDeps = { ...deps, logger: stored.logger };
  const executor = new TaskExecutor(taskDeps, options, run, manifest, templateWarnings);
  try {
    await executor.prepareRepositoryFiles();
    await executor.prepareTerraform();
  } catch (error) {
    await closeAfterFailure(deps, run.runId, error);
    return { run: (await deps.runs.getRun(run.runId)) ?? run, reports: [], error };
  }
  const done = options.tasks.filter(
    (t) => run.tasks.find((r) => r.runTaskId === t.runTaskId)?.status === 'SUCCEEDED',
  );
  for (const task of done) {
    deps.logger.info(
      `Task ${task.taskType} ${task.pluginAppliedAlias ?? ''} already succeeded; skipped.`,
    );
  }
  const graph = taskGraph(options.tasks, pluginDependencies(manifest));
  const scheduler = new Scheduler(
    graph,
    parallelism,
    done.map((t) => t.runTaskId),
  );
  const reports: TaskReport[] = [];
  let failure: { error: unknown } | undefined;

  const runTask = async (task: ApplyTask): Promise<void> => {
    const started = Date.now();
    const title = `${task.taskType} ${task.pluginAppliedAlias ?? ''}`.trim();
    let recorded: RunRecord | undefined;
    try {
      throwIfCancelled(options.signal);
      recorded = await deps.runs.startTask(run.runId, task.runTaskId);
      const report = await stored.run(task.runTaskId, () =>
        logs
          ? logs.task(title, () => executor.execute(task))
          : deps.logger.group(title, () => executor.execute(task)),
      );
      recorded = await deps.runs.finishTask(run.runId, task.runTaskId, 'SUCCEEDED');
      reports.push({
        ...report,
        task: findTask(recorded, task.runTaskId),
        durationMs: Date.now() - started,
      });
      scheduler.finished(task.runTaskId, 'succeeded');
    } catch (caught) {
      scheduler.finished(task.runTaskId, 'failed');
      // Closed under us (cancel-run): whatever failed as a consequence, the cause is the cancel.
      const error = watch.closedElsewhere() ?? caught;
      failure ??= { error };
      const kind = classifyError(error);
      const message = error instanceof Error ? error.message : String(error);
      // A bug of ours (not a configuration or outside failure) is INTERNAL_ERROR, not the plugin's FAILED.
      const status =
        kind === 'ABORTED'
          ? 'ABORTED'
          : error instanceof ConfigurationError || error instanceof ExternalError
            ? 'FAILED'
            : 'INTERNAL_ERROR';
      try {
        recorded = await deps.runs.finishTask(run.runId, task.runTaskId, status, { kind, message });
      } catch (recordError) {
        deps.logger.warning(
          `Could not record the task's failure: ${(recordError as Error).message}`,
        );
      }
      if (recorded)
        reports.push({
          task: findTask(recorded, task.runTaskId),
          durationMs: Date.now() - started,
        });
    }
  };

  // Start what may start; when a task ends, look again. After a failure nothing new starts, and
  // the tasks already running finish before the run is closed (its lock must outlive them).
  const running = new Map<string, Promise<void>>();
  for (;;) {
    for (const id of scheduler.next()) {
      const task = options.tasks.find((t) => t.runTaskId === id) as ApplyTask;
      running.set(
        id,
        runTask(task).finally(() => running.delete(id)),
      );
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  if (failure) {
    if (parallelism > 1 && scheduler.notStarted.length > 0)
      deps.logger.info(
        `${scheduler.notStarted.length} task(s) that had not started are ABORTED with the run.`,
      );
    await closeAfterFailure(deps, run.runId, failure.error);
    return {
      run: (await deps.runs.getRun(run.runId)) ?? run,
      reports,
      graph,
      error: failure.error,
    };
  }
  const current = (await deps.runs.getRun(run.runId)) ?? run;
  if (options.leaveOpen) return { run: current, reports, graph };
  try {
    // Only a run whose every task succeeded (now or in an earlier attempt) deployed what it planned.
    const incomplete = incompleteRun(current);
    if (incomplete) throw incomplete;
    await executor.recordDeployment();
    return { run: await deps.runs.finishRun(run.runId, 'SUCCEEDED'), reports, graph };
  } catch (error) {
    await closeAfterFailure(deps, run.runId, error);
    return { run: (await deps.runs.getRun(run.runId)) ?? current, reports, graph, error };
  }
}

/** Per plugin alias (kept or removed), the aliases it requires a connection from. */
function pluginDependencies(manifest: Manifest): Map<string, string[]> {
  return new Map([...manifest.plugins, ...manifest.destroy].map((p) => [p.alias, p.dependsOn]));
}

function findTask(run: RunRecord, runTaskId: string): RunTask {
  return run.tasks.find((t) => t.runTaskId === runTaskId) as RunTask;
}

/** Executes one task type at a time, keeping what later tasks of the same job reuse. */
class TaskExecutor implements ClassicPlanToolbox {
  private readonly deployedIac = new Map<string, { key: string; digest: string }>();
  /** Digests of the IaC rendered or restored in this job, so DEPLOY need not read it again. */
  private readonly iacDigests = new Map<string, string>();

  private readonly unified = new UnifiedTasks(this);
  /** Secret values met while rendering (shared values, secret attributes): masked in Terraform's output. */
  private readonly secrets = new Set<string>();
  /** CHECKOUT_BRANCH: this job's copy of the repository files. */
  private repodir?: string;
  private readonly providerMirror: ProviderMirror | undefined;
  /** The workspace's shared values, read once per job. */
  private resolvedShared?: Promise<Record<string, ResolvedSharedValue>>;
  /** Private module tokens for `terraform init`, masked once. */
  private readonly git: GitCredentials;
  /** Where Terraform's errors and warnings are in the repository (templates and their lines). */
  private readonly places: DiagnosticPlaces;
  /** The binary of each Terraform version the run chose per plugin. */
  private terraformBinaries = new Map<string, string>();

  constructor(
    readonly deps: ExecuteDependencies,
    private readonly options: ExecuteOptions,
    readonly run: RunRecord,
    readonly manifest: Manifest,
    private readonly templateWarnings: TemplateWarnings,
  ) {
    this.git = gitCredentials(options.guardrails.allowedModules);
    this.places = new DiagnosticPlaces(deps.runs, run.runId, manifest, options);
    this.git.secrets.forEach((secret) => deps.logger.addSecret(secret));
    this.providerMirror = options.providerMirrorDir
      ? new ProviderMirror(options.providerMirrorDir, deps.logger)
      : undefined;
  }

  get workDir(): string {
    return this.options.workDir;
  }

  get s3Endpoint(): string | undefined {
    return this.options.s3Endpoint;
  }

  async execute(task: ApplyTask): Promise<Omit<TaskReport, 'task' | 'durationMs'>> {
    switch (task.taskType) {
      case 'UNIFIED_IAC':
        return this.unified.render();
      case 'PLAN':
        if (task.pluginAppliedAlias === null) return this.unified.plan();
        if (this.manifest.destroy.some((p) => p.alias === task.pluginAppliedAlias)) {
          const alias = task.pluginAppliedAlias;
          return planClassicDestroy(this, alias, await this.restoreLastIac(alias, 'plan-destroy'));
        }
        return planClassicPlugin(this, this.plugin(task.pluginAppliedAlias));
      case 'UNIFIED_DEPLOY':
        return this.unified.deploy();
      case 'UNIFIED_DESTROY':
        return this.unified.destroy();
      default:
        break;
    }
    const alias = task.pluginAppliedAlias;
    if (alias === null)
      throw new Error(`task ${task.runTaskId} (${task.taskType}) has no plugin alias`);
    switch (task.taskType) {
      case 'IAC_SELF_HOSTED':
        return this.renderIac(this.plugin(alias));
      case 'DEPLOY_SELF_HOSTED':
        return this.deploy(this.plugin(alias));
      case 'DESTROY_SELF_HOSTED':
        return this.destroy(alias);
    }
  }

  /**
   * Records what the run left deployed: the last deployment (and, for a DEPLOY, the one of its
   * version tag, which a rollback returns to) and which Connection Interfaces it requires. A
   * DESTROY keeps the history and marks `last` destroyed.
   */
  async recordDeployment(): Promise<void> {
    await recordRunOutcome(
      this.deps,
      this.run,
      this.manifest,
      this.deployedIac,
      this.options.terraformVersion,
    );
  }

  plugin(alias: string): ManifestPlugin {
    const plugin = this.manifest.plugins.find((p) => p.alias === alias && p.type === 'infra');
    if (!plugin)
      throw new Error(`run ${this.run.runId} has no infra plugin ${alias} in its manifest`);
    return plugin;
  }

  private iacDir(alias: string): string {
    return join(this.options.workDir, 'iac', alias);
  }

  private async renderIac(
    plugin: ManifestPlugin,
  ): Promise<Omit<TaskReport, 'task' | 'durationMs'>> {
    const project = await this.renderPlugin(plugin);
    const dir = this.iacDir(plugin.alias);
    await rm(dir, { recursive: true, force: true });
    await writeRenderedProject(project, dir);
    const stored: PluginSnapshot = {
      digest: project.digest,
      files: project.files.map((f) => ({ path: f.path, base64: f.content.toString('base64') })),
    };
    await this.deps.runs.putArtifact(this.run.runId, iacArtifact(plugin.alias), stored);
    this.iacDigests.set(plugin.alias, project.digest);
    this.deps.logger.info(
      `Rendered ${project.files.length} file(s) of ${plugin.alias} (digest ${project.digest.slice(0, 12)}).`,
    );
    return {};
  }

  /**
   * Renders a plugin from the run's snapshot of its files, with the Connection Interfaces it
   * requires: `wired` ones (unified mode: references into other modules of the run) or else the
   * live values of the workspace context. The guard reads it at init (TerraformProject).
   */
  async renderPlugin(
    plugin: ManifestPlugin,
    wired: Record<string, Record<string, unknown>> = {},
  ): Promise<RenderedProject> {
    if (this.manifest.rollback) return this.recordedIac(plugin.alias);
    const snapshot = await this.deps.runs.getArtifact<PluginSnapshot>(
      this.run.runId,
      sourceArtifact(plugin.alias),
    );
    if (!snapshot)
      throw new Error(`run ${this.run.runId} has no stored files for plugin ${plugin.alias}`);
    const sourceDir = join(this.options.workDir, 'sources', plugin.alias);
    await rm(sourceDir, { recursive: true, force: true });
    await restoreSnapshot(snapshot, sourceDir);

    const { workspace, environment, appKind, appId } = this.manifest.target;
    const types = this.manifest.connectionTypes ?? {};
    const connections: Record<string, Record<string, unknown>> = {};
    // What the render worker needs to mark values: engine-made references stay as they are,
    // other applications' values are escaped, secret attributes printed only as sensitive.
    const wiredKeys: string[] = [];
    const secretAttributesByKey: Record<string, string[]> = {};
    const typeByKey: Record<string, ConnectionTypeSummary> = {};
    const wiredValueOf = (required: ManifestPlugin['requires'][number]) =>
      required.keys.map((k) => wired[k]).find((v) => v !== undefined);
    // One read per required interface, all at once, not a listing of the whole environment.
    const found = await this.deps.context.getMany(
      workspace,
      environment,
      plugin.requires.filter((r) => !wiredValueOf(r)).map((r) => r.name),
    );
    for (const required of plugin.requires) {
      const type = types[required.type];
      for (const key of required.keys) {
        if (type)
          typeByKey[key] = {
            name: type.name,
            source: type.source,
            attributes: type.attributes.map((a) => a.name),
          };
      }
      const wiredValue = wiredValueOf(required);
      if (wiredValue) {
        for (const key of required.keys) {
          connections[key] = contractView(wiredValue, type);
          wiredKeys.push(key);
        }
        continue;
      }
      const instance = found.get(required.name);
      if (!instance) {
        throw new ConfigurationError({
          message: `Plugin ${plugin.alias} requires Connection Interface ${required.name} (${required.type}), which does not exist in ${workspace}/${environment}.`,
          location: plugin.pluginFile ? { file: plugin.pluginFile } : undefined,
          hint:
            required.from.kind === 'plugin'
              ? `It should have been published by the deploy of ${required.from.alias}; run the tasks in the order orchestrate-and-plan gave.`
              : 'Deploy the application or shared infrastructure that generates it first.',
        });
      }
      const secret = [...(instance.secretAttributes ?? []), ...secretAttributes(type)];
      this.maskSecrets(instance.attributes, secret);
      const view = contractView(instance.attributes, type);
      for (const key of required.keys) {
        connections[key] = view;
        secretAttributesByKey[key] = secret;
      }
    }
    const shared = await this.sharedValuesFor(plugin);
    const displayDir = this.places.templatesDir(plugin);
    const project = await renderPluginTemplates(
      {
        templateDir: join(sourceDir, 'templates-deploy'),
        displayDir,
        source: {
          sharedValues: shared.values,
          secretSharedValues: shared.secret,
          inputs: plugin.inputs,
          connections,
          wiredConnectionKeys: wiredKeys,
          secretConnectionAttributes: secretAttributesByKey,
          environment,
          workspace,
          alias: plugin.alias,
          version: this.run.version,
          appKind,
          appId,
        },
        connectionTypes: typeByKey,
        undefinedMode: undefinedModeOf(this.options.templateStrict),
      },
      plugin.alias,
    );
    warnMissingRootTerraform(project, displayDir, this.deps.logger);
    this.templateWarnings.report(this.deps.logger, project.warnings);
    this.templateWarnings.reportCollisions(
      this.deps.logger,
      plugin.alias,
      plugin.inputs,
      plugin.pluginFile ? { file: plugin.pluginFile } : undefined,
    );
    const files = new Map(project.files.map((f) => [f.path, f.content.toString('utf8')]));
    const secretProblems = checkSecretOutputs(
      plugin,
      plugin.generates,
      new Map(Object.entries(types)),
      await moduleOutputs(files),
      displayDir,
    );
    if (secretProblems.length > 0) {
      throw new ConfigurationError(secretProblems, `${plugin.alias} would print a secret`);
    }
    return project;
  }

  /**
   * The shared values the plugin's templates read, as the run recorded them: a value changed or
   * deleted since the run was planned is refused (what was reviewed would not be what is applied).
   */
  private async sharedValuesFor(
    plugin: ManifestPlugin,
  ): Promise<{ values: Record<string, unknown>; secret: string[] }> {
    const wanted = plugin.sharedValues ?? [];
    if (wanted.length === 0) return { values: {}, secret: [] };
    this.resolvedShared ??= this.deps.sharedValues.resolve(
      this.manifest.target.workspace,
      this.manifest.target.environment,
    );
    const current = await this.resolvedShared;
    const recorded = this.manifest.sharedValues ?? {};
    const keys = plugin.sharedValuesAll
      ? [...new Set([...wanted, ...Object.keys(current)])]
      : wanted;
    const changed = keys.filter((k) => current[k]?.digest !== recorded[k]?.digest);
    if (changed.length > 0) {
      throw new ConfigurationError(
        changed.map((k) => ({
          message: `Shared value ${k}: ${describeSharedChange(recorded[k], current[k])}.`,
        })),
        `Shared values ${plugin.alias} reads changed since run ${this.run.runId} was planned`,
      );
    }
    const values: Record<string, unknown> = {};
    const secret: string[] = [];
    for (const key of keys) {
      const value = current[key];
      if (!value) continue;
      if (value.secret) {
        this.mask(value.value);
        secret.push(key);
      }
      values[key] = value.value;
    }
    return { values, secret };
  }

  /** Registers the values of `names` in `attributes` as secrets (masked in every log line). */
  private maskSecrets(attributes: Record<string, unknown>, names: readonly string[]): void {
    for (const name of names) this.mask(attributes[name]);
  }

  /** Registers one secret value, for our log lines and for Terraform's output. */
  private mask(value: unknown): void {
    const text = secretText(value);
    if (!text) return;
    // Also as templates print it inside a string (escaped), which Terraform may quote back.
    for (const form of new Set([text, escapeHclString(text, false)])) {
      this.secrets.add(form);
      this.deps.logger.addSecret(form);
    }
  }

  /** A rollback's IaC: what the version rolled back to deployed (its init passes the guard again). */
  async recordedIac(alias: string): Promise<RenderedProject> {
    const source = this.manifest.rollback;
    const entry = source?.iac[alias];
    if (!source || !entry)
      throw new Error(`run ${this.run.runId} has no recorded IaC for ${alias}`);
    const stored = await this.deps.iacStore.getJson<PluginSnapshot>(entry.key);
    if (!stored) {
      throw new ConfigurationError({
        message: `The IaC that run ${source.runId} deployed for ${alias} (version ${source.version}) is missing from ${this.deps.iacStore.bucket}/${entry.key}, so it cannot be redeployed.`,
        hint: "Restore the object (e.g. from the bucket's versioning), or deploy that version again from its commit.",
      });
    }
    const files = stored.value.files.map((f) => ({
      path: f.path,
      content: Buffer.from(f.base64, 'base64'),
    }));
    this.deps.logger.info(
      `Using the IaC of ${alias} that run ${source.runId} deployed for version ${source.version}.`,
    );
    return { files, digest: stored.value.digest };
  }

  /** The rendered IaC of this run, from this job's disk or, after a job boundary, from the bucket. */
  private async ensureIac(alias: string): Promise<string> {
    const dir = this.iacDir(alias);
    if (existsSync(dir)) return dir;
    const stored = await this.deps.runs.getArtifact<PluginSnapshot>(
      this.run.runId,
      iacArtifact(alias),
    );
    if (!stored)
      throw new Error(
        `plugin ${alias} has no rendered IaC in run ${this.run.runId}: its IAC task did not run`,
      );
    await restoreSnapshot(stored, dir);
    this.iacDigests.set(alias, stored.digest);
    return dir;
  }

  /** CHECKOUT_BRANCH: the repository's files, once per job, checked against what was planned. */
  async prepareRepositoryFiles(): Promise<void> {
    const planned = this.manifest.repositoryFiles;
    const { checkout } = this.options;
    if (!planned) {
      if (checkout?.requested)
        this.deps.logger.warning(
          'CHECKOUT_BRANCH is set here, but this run was planned without it: set CHECKOUT_BRANCH on orchestrate-and-plan, which records it with the run.',
        );
      return;
    }
    if (!checkout) throw new Error(`run ${this.run.runId} needs the checkout (CHECKOUT_BRANCH)`);
    const copy = join(this.options.workDir, REPODIR);
    const found = await scanRepositoryFiles(checkout.root, checkout.exclude, copy);
    this.repodir = copy;
    if (found.digest !== planned.digest) {
      this.deps.logger.warning(
        `The repository files differ from those the run was planned with (${planned.files} file(s), digest ${planned.digest.slice(0, 12)} then; ${found.files}, ${found.digest.slice(0, 12)} now): check out the same commit in both jobs. Reviewed plans still apply what was reviewed.`,
      );
    } else {
      this.deps.logger.info(`repodir/: ${found.files} repository file(s), as planned.`);
    }
  }

  /** Installs, once per job, the Terraform versions the run chose per plugin. */
  async prepareTerraform(): Promise<void> {
    if (!this.manifest.terraformVersions) return;
    if (!this.options.resolveTerraform)
      throw new Error('the run chose Terraform versions per plugin, but no installer was given');
    if (!this.options.leaveOpen)
      noteRecordedVersions(this.manifest, this.options.terraformVersion, this.deps.logger);
    this.terraformBinaries = await installTerraformVersions(
      this.manifest,
      this.options.resolveTerraform,
    );
  }

  /** A Terraform project in `dir`, for plugin `alias` (null: the unified project). */
  project(dir: string, alias: string | null): TerraformProject {
    const repodir = this.repodir;
    if (repodir) {
      const link = join(dir, REPODIR);
      if (!existsSync(link)) symlinkSync(repodir, link, 'dir');
    }
    return new TerraformProject({
      ...this.options.terraform,
      binary: terraformBinaryFor(
        this.manifest,
        this.terraformBinaries,
        alias,
        this.options.terraform.binary,
      ),
      ...this.places.forProject(dir, (stage, engineFiles) =>
        guardProject(
          { dir, label: basename(dir), extraRoots: repodir ? [repodir] : [], engineFiles },
          this.options.guardrails,
          stage,
        ),
      ),
      initEnv: this.git.env,
      ...(this.providerMirror ? { providerMirror: this.providerMirror } : {}),
      unlockCommand: cliCommand('unlock-state', this.deps.runs.runRef(this.run.runId)),
      secrets: [...(this.options.terraform.secrets ?? []), ...this.git.secrets, ...this.secrets],
      dir,
      logger: this.deps.logger,
      signal: this.options.signal,
    });
  }

  iacDigest(alias: string): string | undefined {
    return this.iacDigests.get(alias);
  }

  backend(alias: string) {
    const { workspace, environment, appKind, appId } = this.manifest.target;
    return {
      bucket: this.run.tfstate.bucket,
      region: this.run.tfstate.region,
      key: stateKey({ workspace, environment, appKind, appId, alias }),
      ...(this.options.s3Endpoint ? { endpoint: this.options.s3Endpoint } : {}),
    };
  }

  private async deploy(plugin: ManifestPlugin): Promise<Omit<TaskReport, 'task' | 'durationMs'>> {
    // Refused before anything is applied, rather than after.
    await checkOutputTarget(this.options.outputDir, this.outputFileName(plugin.alias));
    const dir = await this.ensureIac(plugin.alias);
    const { terraform, changes, use } = await applyClassicPlugin(this, plugin, dir);
    const outputs = await terraform.output();

    const outputFile = await this.publishOutputs(plugin, outputs);
    this.markDeployed(plugin.alias, this.iacDigests.get(plugin.alias) ?? '');
    return { changes, outputs, outputFile, reviewedPlan: use };
  }

  private outputFileName(alias: string): string {
    return `${alias}_${this.options.outputFileSuffix}`;
  }

  /** The IaC this run deployed for `alias` is what the history will point at. */
  markDeployed(alias: string, digest: string): void {
    this.deployedIac.set(alias, { key: this.artifactKey(iacArtifact(alias)), digest });
  }

  /**
   * Writes `<alias>_<BASE_PATH_OUTPUT>` (sensitive values left out) and publishes the Connection
   * Interfaces the plugin generates; returns the file name.
   */
  async publishOutputs(
    plugin: ManifestPlugin,
    outputs: Record<string, OutputValue>,
  ): Promise<string> {
    const outputFile = this.outputFileName(plugin.alias);
    await writeOutputFile(
      this.options.outputDir,
      outputFile,
      `${JSON.stringify(publicOutputs(outputs), null, 2)}\n`,
    );
    const published = await publishConnections(this.deps, this.manifest, plugin, outputs, {
      runId: this.run.runId,
      mask: (value) => this.mask(value),
    });
    if (published.length > 0) {
      this.deps.logger.info(
        `Published Connection Interface(s): ${published.map((i) => `${i.name} (${i.type}${i.secretAttributes ? `; secret: ${i.secretAttributes.join(', ')}` : ''})`).join(', ')}.`,
      );
    }
    return outputFile;
  }

  /** Deletes the Connection Interfaces a removed plugin generated. */
  async removeConnections(removed: ManifestPlugin): Promise<void> {
    const names = removed.generates.map((g) => g.name);
    if (names.length === 0) return;
    const foreign = await this.deps.context.removeOwned(this.manifest.target, names);
    const gone = names.filter((n) => !foreign.includes(n));
    if (gone.length > 0)
      this.deps.logger.info(`Removed Connection Interface(s): ${gone.join(', ')}.`);
    if (foreign.length > 0)
      this.deps.logger.warning(
        `Left in place: Connection Interface(s) ${foreign.join(', ')}, which another application owns now.`,
      );
  }

  private async destroy(alias: string): Promise<Omit<TaskReport, 'task' | 'durationMs'>> {
    const removed = this.manifest.destroy.find((p) => p.alias === alias);
    if (!removed) throw new Error(`run ${this.run.runId} does not remove plugin ${alias}`);
    const dir = await this.restoreLastIac(alias, 'destroy');
    const { changes, use } = await destroyClassicPlugin(this, alias, dir);
    await this.removeConnections(removed);
    return { changes, reviewedPlan: use };
  }

  /** The IaC a removed plugin was last deployed with, in a fresh folder (its init is guarded). */
  private async restoreLastIac(alias: string, folder: string): Promise<string> {
    const last = await this.deps.history.getLast(this.manifest.target);
    const entry = last?.iac[alias];
    if (!entry) {
      throw new ConfigurationError({
        message: `Plugin ${alias} left stk.yaml, but no IaC of a successful deployment of it is recorded, so it cannot be destroyed safely.`,
        hint: 'Destroy its resources by hand, or put it back in stk.yaml.',
      });
    }
    const iac = await this.deps.iacStore.getJson<PluginSnapshot>(entry.key);
    if (!iac)
      throw new Error(
        `the IaC of ${alias}'s last deployment (${this.deps.iacStore.bucket}/${entry.key}) is missing`,
      );
    const dir = join(this.options.workDir, folder, alias);
    await rm(dir, { recursive: true, force: true });
    await restoreSnapshot(iac.value, dir);
    return dir;
  }

  private artifactKey(name: string): string {
    return this.deps.runs.artifactKey(this.run.runId, name);
  }
}

/** Output values for the outputs file: sensitive ones are never written to disk. */
export function publicOutputs(outputs: Record<string, OutputValue>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(outputs).map(([name, o]) => [name, o.sensitive ? '(sensitive)' : o.value]),
  );
}

/**
 * A connection's attributes as a consumer's templates see them: with a known type, only the
 * attributes it defines, so using another one is an error at render time (see typeHint).
 */
function contractView(
  attributes: Record<string, unknown>,
  type: ConnectionInterfaceType | undefined,
): Record<string, unknown> {
  if (!type) return attributes;
  const defined = new Set(type.attributes.map((a) => a.name));
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => defined.has(name)));
}

function describeSharedChange(
  before: Omit<ResolvedSharedValue, 'value'> | undefined,
  now: ResolvedSharedValue | undefined,
): string {
  if (!before)
    return `was set (revision ${now?.revision ?? '?'} by ${now?.updatedBy ?? '?'} at ${now?.updatedAt ?? '?'}) after the plan; start a new run to review it`;
  if (!now) return 'was deleted after the plan; set it again or start a new run';
  return `changed from revision ${before.revision} to ${now.revision} (by ${now.updatedBy} at ${now.updatedAt}) after the plan; start a new run to review it`;
}
