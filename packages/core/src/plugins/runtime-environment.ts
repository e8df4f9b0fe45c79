/**
 * plugin.yaml's `spec.runtime.environment`: the tools StackSpot prepares before it runs an infra
 * plugin's IaC (docs.stackspot.com, "plugin.yaml": `environment: [terraform-1-4, aws-cli-2-2]`).
 * Only the Terraform entry means something here: it chooses the Terraform version the plugin's
 * tasks run with. Other tools (aws-cli, git) are the runner's own.
 */
import type { Problem, SourceLocation } from '../errors';
import { asRecord, scalarText, type YamlFile, type YamlPath } from '../descriptor';

/**
 * What each StackSpot Terraform environment means: the last patch release of that minor line.
 * StackSpot does not publish the patch it installs; HashiCorp released no later patch of these
 * lines (1.13 and later still get patches, so they are not guessed, and a plugin may not choose
 * them: the workflow sets TERRAFORM_VERSION). Versions older than this engine can drive are
 * refused when a run is opened (deployment/terraform-versions.ts: MINIMUM_TERRAFORM_VERSION).
 */
export const TERRAFORM_ENVIRONMENTS: Readonly<Record<string, string>> = {
  'terraform-1-0': '1.0.11',
  'terraform-1-1': '1.1.9',
  'terraform-1-2': '1.2.9',
  'terraform-1-3': '1.3.10',
  'terraform-1-4': '1.4.7',
  'terraform-1-5': '1.5.7',
  'terraform-1-6': '1.6.6',
  'terraform-1-7': '1.7.5',
  'terraform-1-8': '1.8.5',
  'terraform-1-9': '1.9.8',
  'terraform-1-10': '1.10.5',
  'terraform-1-11': '1.11.4',
  'terraform-1-12': '1.12.2',
};

/** The Terraform a plugin.yaml asks for through its runtime environment. */
export interface RuntimeTerraform {
  /** The entry as written, e.g. `terraform-1-4`. */
  environment: string;
  /** The Terraform version it means; undefined for a name this engine does not know. */
  version?: string;
  /** Where the entry is in plugin.yaml. */
  location: SourceLocation;
}

/**
 * The Terraform version an environment name means: a known `terraform-<major>-<minor>`, or the
 * exact `terraform-<major>-<minor>-<patch>`; undefined otherwise.
 */
export function terraformVersionOf(environment: string): string | undefined {
  const known = TERRAFORM_ENVIRONMENTS[environment];
  if (known) return known;
  const exact = /^terraform-(0|[1-9]\d{0,2})-(0|[1-9]\d{0,2})-(0|[1-9]\d{0,2})$/.exec(environment);
  return exact ? `${exact[1]}.${exact[2]}.${exact[3]}` : undefined;
}

/** The hint for an environment that cannot be used. */
export const RUNTIME_TERRAFORM_HINT = `Use one of ${Object.keys(TERRAFORM_ENVIRONMENTS).join(', ')} (or terraform-<major>-<minor>-<patch> for one patch) in spec.runtime.environment, or set TERRAFORM_VERSION on the job actions (it overrides every plugin's runtime environment).`;

/**
 * Reads `spec.runtime.environment` of a parsed plugin.yaml. Absent: undefined (the runner's
 * Terraform). Problems for a shape StackSpot would not accept (not a list, an entry that is not
 * text, two different Terraform entries); an unknown Terraform name is kept without a version,
 * since TERRAFORM_VERSION may still override it.
 */
export function parseRuntimeTerraform(
  spec: Record<string, unknown>,
  yaml: YamlFile,
): { terraform?: RuntimeTerraform; problems: Problem[] } {
  const problems: Problem[] = [];
  const fail = (path: YamlPath, message: string, hint?: string): void => {
    problems.push({ message, location: yaml.locate(path), ...(hint ? { hint } : {}) });
  };
  if (spec.runtime === undefined || spec.runtime === null) return { problems };
  const runtime = asRecord(spec.runtime);
  if (!runtime) {
    fail(['spec', 'runtime'], 'spec.runtime must be a mapping with an environment list.');
    return { problems };
  }
  const list = runtime.environment;
  if (list === undefined || list === null) return { problems };
  if (!Array.isArray(list)) {
    fail(
      ['spec', 'runtime', 'environment'],
      `spec.runtime.environment must be a list, like [terraform-1-4, aws-cli-2]; got '${scalarText(list)}'.`,
    );
    return { problems };
  }
  const found: RuntimeTerraform[] = [];
  list.forEach((entry: unknown, i) => {
    const path = ['spec', 'runtime', 'environment', i];
    if (typeof entry !== 'string') {
      fail(path, `spec.runtime.environment[${i}] must be a tool name such as terraform-1-4.`);
      return;
    }
    // Case and spaces are not forgiven: `Terraform-1-4` must not pass as some other tool.
    if (!/^\s*terraform/i.test(entry)) return;
    if (!/^terraform-/.test(entry)) {
      fail(
        path,
        `spec.runtime.environment[${i}] '${entry}' is not a Terraform environment name.`,
        RUNTIME_TERRAFORM_HINT,
      );
      return;
    }
    const version = terraformVersionOf(entry);
    found.push({
      environment: entry,
      ...(version ? { version } : {}),
      location: yaml.locate(path),
    });
  });
  const names = [...new Set(found.map((f) => f.environment))];
  if (names.length > 1) {
    fail(
      ['spec', 'runtime', 'environment'],
      `spec.runtime.environment names ${names.length} Terraform versions (${names.join(', ')}); a plugin runs with one.`,
      'Keep one terraform-* entry.',
    );
    return { problems };
  }
  return { ...(found[0] ? { terraform: found[0] } : {}), problems };
}
