/**
 * For each Terraform project a task runs, how its diagnostics name files a user can open (see
 * template-locator.ts): which plugins it holds, where their folders are in the repository, and
 * their templates, read from the run's snapshot only when Terraform reports something.
 */
import { basename, dirname, join, posix } from 'node:path';
import { ConfigurationError, type Problem } from '../errors';
import type { Manifest, ManifestPlugin } from '../manifest';
import type { RunStore } from '../runs';
import type { DiagnosticLocator, TerraformOptions } from '../terraform';
import { sourceArtifact } from './artifacts';
import type { PluginSnapshot } from '../plugins';
import { repositoryDisplayDir, templateLocator, type RenderedPlugin } from './template-locator';

export interface ProjectDiagnostics {
  locate: DiagnosticLocator;
  /** The project's guard, its problems named as the templates they come from. */
  guard: NonNullable<TerraformOptions['guard']>;
  /** Shared by every project of the same plugin (or the unified project) in this job. */
  reportedWarnings: Set<string>;
  /** How messages name the project: the plugin's templates folder, or `unified project`. */
  label: string;
}

/**
 * Runs `work` (the Terraform guard, whose problems name files `<label>/<file>` of the rendered
 * project) and names the files of its problems as `locate` does: the templates a user can open.
 */
export async function relocated<T>(
  work: Promise<T>,
  label: string,
  locate: DiagnosticLocator,
): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    const problems = await Promise.all(
      error.problems.map(async (problem): Promise<Problem> => {
        const file = problem.location?.file;
        if (!file?.startsWith(`${label}/`)) return problem;
        const placed = await locate(file.slice(label.length + 1), problem.location?.line);
        const where = [
          ...(placed.near && placed.location.line !== undefined
            ? [`near line ${placed.location.line}`]
            : []),
          ...(placed.note ? [placed.note] : []),
        ];
        return {
          ...problem,
          message: `${problem.message}${where.length > 0 ? ` [${where.join('; ')}]` : ''}`,
          location: placed.location,
        };
      }),
    );
    throw new ConfigurationError(problems, error.summary);
  }
}

export class DiagnosticPlaces {
  private readonly sources = new Map<string, Promise<ReadonlyMap<string, Buffer> | undefined>>();
  private readonly warnings = new Map<string, Set<string>>();

  private readonly workDir: string;
  private readonly checkoutRoot: string | undefined;

  constructor(
    private readonly runs: Pick<RunStore, 'getArtifact'>,
    private readonly runId: string,
    private readonly manifest: Manifest,
    options: { workDir: string; checkout?: { root: string } },
  ) {
    this.workDir = options.workDir;
    this.checkoutRoot = options.checkout?.root;
  }

  /** A plugin's templates-deploy folder as messages name it (repository-relative). */
  templatesDir(plugin: ManifestPlugin): string {
    const dir = repositoryDisplayDir(plugin.source?.displayDir ?? plugin.alias, this.checkoutRoot);
    return posix.join(dir, 'templates-deploy');
  }

  /**
   * For the project in `dir` (`<workDir>/unified`, or `<workDir>/<stage>/<alias>`), whose guard
   * names files `<basename(dir)>/<file>`.
   */
  forProject(dir: string, guard: NonNullable<TerraformOptions['guard']>): ProjectDiagnostics {
    const places = this.placesOf(dir);
    return {
      ...places,
      guard: (stage, engineFiles) =>
        relocated(guard(stage, engineFiles), basename(dir), places.locate),
    };
  }

  private placesOf(dir: string): Omit<ProjectDiagnostics, 'guard'> {
    if (dir === join(this.workDir, 'unified')) {
      const plugins = [...this.manifest.plugins, ...this.manifest.destroy]
        .filter((p) => p.type === 'infra')
        .map((p) => this.rendered(p, p.alias, !this.manifest.destroy.includes(p)));
      return {
        locate: templateLocator(dir, plugins, 'unified project'),
        reportedWarnings: this.warningsOf(''),
        label: 'the unified project',
      };
    }
    const alias = basename(dir);
    // A removed plugin's IaC is its last deployment's: this run has no templates of it.
    const removed = ['destroy', 'plan-destroy'].includes(basename(dirname(dir)));
    const plugin = this.manifest.plugins.find((p) => p.alias === alias && !removed);
    const known = plugin ?? this.manifest.destroy.find((p) => p.alias === alias);
    const rendered = known
      ? this.rendered(known, '', plugin !== undefined)
      : { prefix: '', displayDir: alias, sources: async () => undefined };
    return {
      locate: templateLocator(dir, [rendered], alias),
      reportedWarnings: this.warningsOf(alias),
      label: `${rendered.displayDir ? `${rendered.displayDir}/` : ''}templates-deploy`,
    };
  }

  private rendered(plugin: ManifestPlugin, prefix: string, ownTemplates: boolean): RenderedPlugin {
    const displayDir = repositoryDisplayDir(
      plugin.source?.displayDir ?? plugin.alias,
      this.checkoutRoot,
    );
    // A rollback deploys IaC an earlier version rendered: today's templates would mislead.
    const usable = ownTemplates && !this.manifest.rollback;
    return {
      prefix,
      displayDir,
      sources: () => (usable ? this.sourcesOf(plugin.alias) : Promise.resolve(undefined)),
    };
  }

  private sourcesOf(alias: string): Promise<ReadonlyMap<string, Buffer> | undefined> {
    let found = this.sources.get(alias);
    if (!found) {
      found = this.runs
        .getArtifact<PluginSnapshot>(this.runId, sourceArtifact(alias))
        .then((snapshot) =>
          snapshot
            ? new Map(snapshot.files.map((f) => [f.path, Buffer.from(f.base64, 'base64')]))
            : undefined,
        )
        // Only messages depend on it: a message naming the rendered file beats no message.
        .catch(() => undefined);
      this.sources.set(alias, found);
    }
    return found;
  }

  private warningsOf(key: string): Set<string> {
    let set = this.warnings.get(key);
    if (!set) {
      set = new Set();
      this.warnings.set(key, set);
    }
    return set;
  }
}
