/**
 * FEATURES_TERRAFORM_PROVIDERS: the providers a project may use, as Terraform source addresses
 * (`hashicorp/aws`, `registry.terraform.io/hashicorp/aws`, `example.com/acme/thing`).
 *
 * The default is what a StackSpot infra plugin normally uses: hashicorp/aws, random, time, tls,
 * null and Terraform's built-in provider (terraform_data, terraform_remote_state). Left out on
 * purpose: hashicorp/local (reads and writes runner files), external (runs programs), http
 * (fetches URLs from the runner), archive (reads runner files into zips) and template
 * (deprecated; renders runner files): each reaches the runner beyond what the guards check.
 */

export const DEFAULT_PROVIDERS: readonly string[] = [
  'hashicorp/aws',
  'hashicorp/random',
  'hashicorp/time',
  'hashicorp/tls',
  'hashicorp/null',
  'terraform.io/builtin/terraform',
];

/**
 * A source address in Terraform's full form `host/namespace/type`, lower-cased (Terraform compares
 * them case-insensitively): the host defaults to registry.terraform.io, a lone type to the
 * hashicorp namespace. Undefined when it is not an address.
 */
export function normaliseProviderSource(source: string): string | undefined {
  const parts = source.trim().toLowerCase().split('/');
  if (parts.some((p) => !/^[a-z0-9][a-z0-9._-]*$/.test(p))) return undefined;
  if (parts.length === 1) return `registry.terraform.io/hashicorp/${parts[0]}`;
  if (parts.length === 2) return `registry.terraform.io/${parts.join('/')}`;
  if (parts.length === 3) return parts.join('/');
  return undefined;
}

/** Parses the input (empty: the default); throws an Error naming what is wrong. */
export function parseAllowedProviders(raw: string): string[] {
  if (raw.trim() === '') return DEFAULT_PROVIDERS.map((p) => normaliseProviderSource(p) as string);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new Error(
      `is not valid JSON (${(error as Error).message}). Expected a list such as ["hashicorp/aws", "hashicorp/random"].`,
    );
  }
  if (!Array.isArray(value)) throw new Error('must be a JSON list of provider source addresses.');
  return value.map((item: unknown, index) => {
    const normal = typeof item === 'string' ? normaliseProviderSource(item) : undefined;
    if (!normal)
      throw new Error(
        `element ${index} (${JSON.stringify(item)}) is not a provider source address such as "hashicorp/aws".`,
      );
    return normal;
  });
}
