/**
 * Which Terraform each plugin of a run runs with. A plugin whose plugin.yaml names a runtime
 * environment (`terraform-1-4`) runs with that version; TERRAFORM_VERSION overrides them all; a
 * plugin without one runs with the job's own Terraform, as before. In unified mode the plugins
 * share one project, so those that name a version must agree, and the others run with it too.
 * orchestrate-and-plan chooses when it opens the run and records the choice in the manifest
 * (`terraformVersions`), so the approved job applies each saved plan with the version that made it.
 * A version older than this engine's backend supports (MINIMUM_TERRAFORM_VERSION; StackSpot's
 * usual `terraform-1-4`) runs with the job's own Terraform instead, said in the log: HashiCorp's
 * 1.x compatibility promise runs configurations written for an earlier 1.x on a later one, and
 * refusing them would stop most published plugins. A name this engine does not know is refused
 * before the run opens.
 */
import { ConfigurationError, ExternalError, formatLocation, type Problem } from '../errors';
import type { Logger } from '../logging';
import type { Manifest, ManifestPlugin } from '../manifest';
import { RUNTIME_TERRAFORM_HINT } from '../plugins/runtime-environment';
import type { DeploymentMode } from '../tasks';

/** The binary of a Terraform version: on PATH, in the tool cache, or downloaded and verified. */
export type TerraformResolver = (version: string) => Promise<string>;

/**
 * The oldest Terraform this engine can drive: it keeps state locks in S3 (`use_lockfile`, see
 * TerraformProject.init), which the S3 backend reads from Terraform 1.10 on; older ones stop at
 * `terraform init` on that argument.
 */
export const MINIMUM_TERRAFORM_VERSION = '1.10.0';

/** Whether `version` (x.y.z; a pre-release counts as its release) is older than the minimum. */
export function olderThanMinimum(version: string): boolean {
  const parts = (v: string) => v.split(/[.-]/).slice(0, 3).map(Number);
  const [a, b] = [parts(version), parts(MINIMUM_TERRAFORM_VERSION)];
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  }
  return false;
}

/**
 * The newest minor line a plugin may choose. A plugin author is not trusted with the runner: the
 * Terraform guard reads the project as the Terraform releases it was written against do, and a
 * later release may read blocks it does not know. Only the workflow (TERRAFORM_VERSION) can go
 * further.
 */
export const NEWEST_PLUGIN_TERRAFORM_LINE = '1.12';

/** Whether a plugin may not choose `version` itself: a minor line after the newest it may. */
export function newerThanPluginsMayChoose(version: string): boolean {
  const [major, minor] = version.split(/[.-]/).map(Number);
  const [maxMajor, maxMinor] = NEWEST_PLUGIN_TERRAFORM_LINE.split('.').map(Number);
  return (major ?? 0) !== (maxMajor ?? 0)
    ? (major ?? 0) > (maxMajor ?? 0)
    : (minor ?? 0) > (maxMinor ?? 0);
}

const TOO_OLD_HINT = `To pin one, set TERRAFORM_VERSION on orchestrate-and-plan (${MINIMUM_TERRAFORM_VERSION} or later; it overrides every plugin's runtime environment) or name terraform-1-10 or later in spec.runtime.environment.`;

/** The infra plugins a run touches: those it deploys and those it destroys. */
function runPlugins(manifest: Manifest): ManifestPlugin[] {
  const kept = manifest.deployOrder.flatMap((alias) =>
    manifest.plugins.filter((p) => p.alias === alias && p.type === 'infra'),
  );
  return [...kept, ...manifest.destroy];
}

function describe(plugin: ManifestPlugin): string {
  return plugin.terraform
    ? `${plugin.alias} (${plugin.terraform.environment} at ${formatLocation(plugin.terraform.location)})`
    : `${plugin.alias} (no runtime environment)`;
}

/**
 * The version each plugin runs with in this run (only those that do not use the job's own
 * Terraform), with what to log. Refused (before the run opens): an environment name this engine
 * does not know, or, in unified mode, plugins that ask for different versions.
 */
export function chooseTerraformVersions(
  manifest: Manifest,
  mode: DeploymentMode,
  override: string | undefined,
): { versions: Record<string, string>; notices: string[] } {
  const plugins = runPlugins(manifest);
  const tooOld = plugins.filter(
    (p) => !override && p.terraform?.version && olderThanMinimum(p.terraform.version),
  );
  const asking = plugins.filter((p) => p.terraform && !tooOld.includes(p));
  const oldNotices = tooOld.map(
    (p) =>
      `${p.alias} asks for Terraform ${p.terraform?.version} (${p.terraform?.environment}); this engine keeps Terraform's state locks in S3 (use_lockfile), which needs Terraform ${MINIMUM_TERRAFORM_VERSION} or later, so it runs with this job's Terraform (Terraform 1.x runs configurations written for earlier 1.x releases). ${TOO_OLD_HINT}`,
  );
  if (asking.length === 0) return { versions: {}, notices: oldNotices };
  if (override) {
    return {
      versions: Object.fromEntries(
        (mode === 'unified' ? plugins : asking).map((p) => [p.alias, override]),
      ),
      notices: [
        `TERRAFORM_VERSION ${override} overrides the runtime environment of ${asking.map((p) => `${p.alias} (${p.terraform?.environment})`).join(', ')}.`,
      ],
    };
  }
  const problems = asking.flatMap((p): Problem[] => {
    const where = p.terraform ? { location: p.terraform.location } : {};
    const version = p.terraform?.version;
    if (!version)
      return [
        {
          message: `Plugin ${p.alias} names the runtime environment '${p.terraform?.environment}', which is not a Terraform version this engine knows.`,
          ...where,
          hint: RUNTIME_TERRAFORM_HINT,
        },
      ];
    if (newerThanPluginsMayChoose(version))
      return [
        {
          message: `Plugin ${p.alias} asks for Terraform ${version} (${p.terraform?.environment}), newer than a plugin may choose (up to ${NEWEST_PLUGIN_TERRAFORM_LINE}.x): the engine's Terraform guard is written against the releases up to there, and a later one may read what the guard does not.`,
          ...where,
          hint: `The workflow can choose it: set TERRAFORM_VERSION on orchestrate-and-plan (it overrides every plugin's runtime environment). Or name terraform-${NEWEST_PLUGIN_TERRAFORM_LINE.replace('.', '-')} or older in spec.runtime.environment.`,
        },
      ];
    return [];
  });
  if (problems.length > 0) {
    throw new ConfigurationError(
      problems,
      `${problems.length === 1 ? 'A plugin asks' : 'Plugins ask'} for a Terraform this engine cannot run; no run was opened`,
    );
  }
  if (mode === 'classic') {
    return {
      versions: Object.fromEntries(asking.map((p) => [p.alias, p.terraform?.version as string])),
      notices: [
        ...oldNotices,
        ...asking.map(
          (p) =>
            `${p.alias} runs with Terraform ${p.terraform?.version} (runtime environment ${p.terraform?.environment}).`,
        ),
      ],
    };
  }
  const distinct = [...new Set(asking.map((p) => p.terraform?.version as string))];
  if (distinct.length > 1) {
    throw new ConfigurationError(
      [
        ...asking.map((p): Problem => ({
          message: `Plugin ${p.alias} asks for Terraform ${p.terraform?.version} (${p.terraform?.environment}).`,
          ...(p.terraform ? { location: p.terraform.location } : {}),
        })),
        {
          message:
            'In unified mode the plugins are modules of one Terraform project and run with one Terraform.',
          hint: 'Give them the same spec.runtime.environment, set TERRAFORM_VERSION (it overrides every plugin), or deploy in classic mode.',
        },
      ],
      `The plugins ask for ${distinct.length} Terraform versions (${distinct.join(', ')}); no run was opened`,
    );
  }
  const version = distinct[0] as string;
  const others = plugins.filter((p) => !asking.includes(p)).map((p) => p.alias);
  return {
    versions: Object.fromEntries(plugins.map((p) => [p.alias, version])),
    notices: [
      ...oldNotices,
      `The unified project runs with Terraform ${version}, the runtime environment of ${asking.map((p) => `${p.alias} (${p.terraform?.environment})`).join(', ')}${others.length > 0 ? `; ${others.join(', ')} ${others.length === 1 ? 'names' : 'name'} none and run${others.length === 1 ? 's' : ''} with it too` : ''}.`,
    ],
  };
}

/**
 * The manifest with this run's choice; a recorded manifest (rollback, destroy) may carry the
 * choice of the run that deployed it, which this run makes again.
 */
export function withTerraformVersions(
  manifest: Manifest,
  versions: Record<string, string>,
): Manifest {
  const copy: Manifest = { ...manifest };
  delete copy.terraformVersions;
  return Object.keys(versions).length > 0 ? { ...copy, terraformVersions: versions } : copy;
}

/**
 * Finds or installs every version the run's plugins use, once each: the binary per version. A
 * version that cannot be installed stops here, naming the plugins that ask for it, where, and
 * what to do; an outside failure (download, checksum) keeps its kind, so a retry can help.
 */
export async function installTerraformVersions(
  manifest: Manifest,
  resolve: TerraformResolver,
): Promise<Map<string, string>> {
  const byVersion = new Map<string, ManifestPlugin[]>();
  for (const plugin of runPlugins(manifest)) {
    const version = manifest.terraformVersions?.[plugin.alias];
    if (version) byVersion.set(version, [...(byVersion.get(version) ?? []), plugin]);
  }
  const binaries = new Map<string, string>();
  for (const [version, plugins] of byVersion) {
    try {
      binaries.set(version, await resolve(version));
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      const cause = /[.!?]$/.test(text) ? text : `${text}.`;
      const message = `Terraform ${version} could not be installed for ${plugins.map(describe).join(', ')}: ${cause}`;
      const hint = `Set TERRAFORM_VERSION on orchestrate-and-plan to a version this runner has or can download (it overrides every plugin's runtime environment), make TERRAFORM_RELEASES_URL reachable, or change spec.runtime.environment.`;
      if (error instanceof ConfigurationError)
        throw new ConfigurationError(
          plugins.map((p) => ({
            message,
            ...(p.terraform ? { location: p.terraform.location } : {}),
            hint,
          })),
          `Terraform ${version} cannot be installed`,
        );
      throw new ExternalError(`${message} ${hint}`, {
        cause: error,
        retryable: error instanceof ExternalError && error.retryable,
      });
    }
  }
  return binaries;
}

/**
 * The binary a project of `alias` runs with (null: the unified project, whose plugins all run with
 * one version); `fallback` (the job's own Terraform) for a plugin the run lists no version for.
 */
export function terraformBinaryFor(
  manifest: Manifest,
  binaries: ReadonlyMap<string, string>,
  alias: string | null,
  fallback: string,
): string {
  const versions = manifest.terraformVersions ?? {};
  const version = alias === null ? Object.values(versions)[0] : versions[alias];
  if (!version) return fallback;
  const binary = binaries.get(version);
  if (!binary)
    throw new Error(`Terraform ${version} of ${alias ?? 'the project'} was not installed`);
  return binary;
}

/**
 * In the approved job: a plugin runs with the version recorded when its plan was made, whatever
 * this job's TERRAFORM_VERSION says (a saved plan can only be applied by the Terraform that made
 * it). Says so once when they differ.
 */
export function noteRecordedVersions(manifest: Manifest, jobVersion: string, logger: Logger): void {
  const differing = Object.entries(manifest.terraformVersions ?? {}).filter(
    ([, version]) => version !== jobVersion,
  );
  if (differing.length === 0) return;
  logger.info(
    `Terraform versions chosen when the run was opened (runtime environment or TERRAFORM_VERSION then): ${differing.map(([alias, version]) => `${alias} ${version}`).join(', ')}; this job's Terraform ${jobVersion} runs the other plugins.`,
  );
}
