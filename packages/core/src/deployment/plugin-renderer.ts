/**
 * Renders a plugin of the run from the run's snapshot of its files, with the Connection Interfaces
 * it requires and the shared values it reads, as they were when the run was planned (changed
 * shared values are refused). In a rollback, the IaC that version deployed instead. Every secret
 * value met is masked before anything can print it; the guard reads the result at init.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigurationError } from '../errors';
import type { Logger } from '../logging';
import type { Manifest, ManifestPlugin } from '../manifest';
import type { RunRecord, RunStore } from '../runs';
import {
  prestartRenderWorker,
  renderPluginTemplates,
  type ConnectionTypeSummary,
  type RenderedProject,
} from '../templates';
import {
  checkSecretOutputs,
  secretAttributes,
  type ConnectionInterfaceType,
} from '../connection-types';
import { moduleOutputs } from '../unified';
import type { ResolvedSharedValue, SharedValueStore, WorkspaceContextStore } from '../workspace';
import { sourceArtifact } from './artifacts';
import type { DiagnosticPlaces } from './diagnostic-places';
import { restoreSnapshot, type PluginSnapshot } from '../plugins';
import { rollbackIac, type RecordedIacDeps } from './recorded-iac';
import { warnMissingRootTerraform } from './root-terraform';
import type { SecretMasker } from './secret-masker';
import { undefinedModeOf, type TemplateWarnings } from './template-warnings';

export interface PluginRendererDeps extends RecordedIacDeps {
  runs: RunStore;
  context: WorkspaceContextStore;
  sharedValues: SharedValueStore;
  logger: Logger;
}

/** Connection values by key that the templates see as they are (unified mode's in-run wiring). */
export type WiredConnections = Record<string, Record<string, unknown>>;

export class PluginRenderer {
  /** The workspace's shared values, read once per job. */
  private resolvedShared?: Promise<Record<string, ResolvedSharedValue>>;

  constructor(
    private readonly deps: PluginRendererDeps,
    private readonly run: RunRecord,
    private readonly manifest: Manifest,
    private readonly options: { workDir: string; templateStrict?: boolean },
    private readonly places: DiagnosticPlaces,
    private readonly warnings: TemplateWarnings,
    private readonly masker: SecretMasker,
  ) {}

  /** Before the job's first task: the first render worker starts ahead (see render-plugin.ts). */
  prepare(): void {
    prestartRenderWorker();
  }

  /**
   * Renders `plugin` with the Connection Interfaces it requires: `wired` ones (unified mode:
   * references into other modules of the run) or else the live values of the workspace context.
   */
  async render(plugin: ManifestPlugin, wired: WiredConnections = {}): Promise<RenderedProject> {
    const { deps, manifest, run } = this;
    const recorded = await rollbackIac(deps, manifest, run.runId, plugin.alias);
    if (recorded) {
      deps.logger.info(
        `Using the IaC of ${plugin.alias} that run ${manifest.rollback?.runId ?? '?'} deployed for version ${manifest.rollback?.version ?? '?'}.`,
      );
      const files = recorded.snapshot.files.map((f) => ({
        path: f.path,
        content: Buffer.from(f.base64, 'base64'),
      }));
      return { files, digest: recorded.snapshot.digest };
    }
    const snapshot = await deps.runs.requireArtifact<PluginSnapshot>(
      run.runId,
      sourceArtifact(plugin.alias),
      `is missing: the plugin files of ${plugin.alias} were not stored with the run.`,
    );
    const sourceDir = join(this.options.workDir, 'sources', plugin.alias);
    await rm(sourceDir, { recursive: true, force: true });
    await restoreSnapshot(
      snapshot,
      sourceDir,
      deps.runs.artifactObject(run.runId, sourceArtifact(plugin.alias)),
    );

    const { workspace, environment, appKind, appId } = manifest.target;
    const types = manifest.connectionTypes ?? {};
    const connections: Record<string, Record<string, unknown>> = {};
    // What the render worker needs to mark values: engine-made references stay as they are,
    // other applications' values are escaped, secret attributes printed only as sensitive.
    const wiredKeys: string[] = [];
    const secretAttributesByKey: Record<string, string[]> = {};
    const typeByKey: Record<string, ConnectionTypeSummary> = {};
    const wiredValueOf = (required: ManifestPlugin['requires'][number]) =>
      required.keys.map((k) => wired[k]).find((v) => v !== undefined);
    // One read per required interface, all at once, not a listing of the whole environment.
    const found = await deps.context.getMany(
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
      this.masker.maskAttributes(instance.attributes, secret);
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
          version: run.version,
          appKind,
          appId,
        },
        connectionTypes: typeByKey,
        undefinedMode: undefinedModeOf(this.options.templateStrict),
      },
      plugin.alias,
    );
    warnMissingRootTerraform(project, displayDir, deps.logger);
    this.warnings.report(deps.logger, project.warnings);
    this.warnings.reportCollisions(
      deps.logger,
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
        this.masker.mask(value.value);
        secret.push(key);
      }
      values[key] = value.value;
    }
    return { values, secret };
  }
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
