/**
 * Input groups several actions share: AWS credentials, allowed module sources, the inputs kept for
 * compatibility with the StackSpot actions but unused here.
 */
import {
  chooseAwsCredentialSource,
  DEFAULT_POLICY_TIMEOUT_SECONDS,
  MINIMUM_TERRAFORM_VERSION,
  olderThanMinimum,
  outsideReason,
  DEFAULT_PROVIDERS,
  normaliseProviderSource,
  parseAllowedModuleSources,
  parseAllowedProviders,
  parseAllowedRemoteStates,
  type AllowedModuleSource,
  type AllowedRemoteState,
  type AwsCredentialInputNames,
  type AwsCredentialSource,
  type PolicyOptions,
} from '@deploy-engine/core';
import type { InputParser } from './input-parser';

/** Reads the credential inputs (all masked) and chooses the source. */
export function readAwsCredentials(
  inputs: InputParser,
  names: AwsCredentialInputNames,
): AwsCredentialSource {
  const given = {
    roleArn: inputs.optional(names.role),
    accessKeyId: inputs.secret(names.keyId),
    secretAccessKey: inputs.secret(names.secret),
    sessionToken: inputs.secret(names.token),
  };
  try {
    const { source, warnings } = chooseAwsCredentialSource(given, names);
    warnings.forEach((w) => inputs.warn(w));
    return source;
  } catch (error) {
    inputs.fail(names.role, `and the key inputs do not fit together: ${(error as Error).message}`);
    return { mode: 'ambient' };
  }
}

/** Reads FEATURES_TERRAFORM_MODULES; every token is masked before anything else happens. */
export function readAllowedModules(inputs: InputParser, name: string): AllowedModuleSource[] {
  inputs.secret(name); // the raw JSON holds tokens: mask it whole too
  return inputs.structured(name, [], (raw) =>
    parseAllowedModuleSources(raw, (token) => inputs.mask(token)),
  );
}

/** Reads FEATURES_TERRAFORM_PROVIDERS: source addresses, normalised; empty: the default list. */
export function readAllowedProviders(inputs: InputParser, name: string): string[] {
  return inputs.structured(
    name,
    DEFAULT_PROVIDERS.map((p) => normaliseProviderSource(p) as string),
    parseAllowedProviders,
  );
}

/** Reads FEATURES_TERRAFORM_REMOTE_STATE: the remote states a project may read (none by default). */
export function readAllowedRemoteStates(inputs: InputParser, name: string): AllowedRemoteState[] {
  return inputs.structured(name, [], parseAllowedRemoteStates);
}

/**
 * Reads inputs that the StackSpot actions needed and this engine does not (the StackSpot control
 * plane credentials, ...): accepted so workflows keep working, with one warning when any is set.
 */
export function readUnusedInputs(
  inputs: InputParser,
  names: readonly string[],
  secrets: readonly string[],
  why: string,
): void {
  const given = names.filter(
    (name) => (secrets.includes(name) ? inputs.secret(name) : inputs.optional(name)) !== '',
  );
  if (given.length > 0)
    inputs.warn(`${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} ignored: ${why}`);
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const TF_LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'OFF'] as const;
export type TfLogLevel = (typeof TF_LOG_LEVELS)[number];

/** Names that become parts of S3 keys and state paths: workspaces, environments. */
export const NAME = {
  pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/,
  rule: "use 1 to 63 letters, digits, '.', '_' and '-', starting with a letter or digit.",
};

/** S3's rules for bucket names. */
export const BUCKET_NAME = {
  pattern: /^(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  rule: "an S3 bucket name is 3 to 63 lowercase letters, digits, '.' and '-'.",
};

/** A version label (tag, SHA): printable, no spaces, at most 128 characters. */
export const VERSION_LABEL = {
  pattern: /^[!-~]{1,128}$/,
  rule: 'use a tag or commit SHA: up to 128 printable characters, without spaces.',
};

/**
 * For InputParser.structured: `raw` unchanged when it names a folder inside the checkout, else an
 * Error that says how it leaves it (absolute, `..`, a symbolic link).
 */
export function insideCheckout(pathToMount: string, raw: string): string {
  const why = outsideReason(pathToMount, raw, { allowRoot: true });
  if (why !== undefined)
    throw new Error(`'${raw}' ${why} Give a folder relative to PATH_TO_MOUNT, inside it.`);
  return raw;
}

/** The suffix of `<alias>_<suffix>` output files: a file name, never a path. */
export const OUTPUT_FILE_NAME = {
  pattern: /^(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/,
  rule: "a file name (letters, digits, '.', '_' and '-'): outputs are written as <alias>_<name> in the checkout.",
};

/** An optional input holding a plain file name; `fallback` when absent. */
export function fileNameInput(inputs: InputParser, name: string, fallback: string): string {
  return inputs.structured(name, fallback, (raw) => {
    if (!OUTPUT_FILE_NAME.pattern.test(raw))
      throw new Error(`'${raw.slice(0, 60)}' is not allowed: ${OUTPUT_FILE_NAME.rule}`);
    return raw;
  });
}

/** Where Terraform releases are downloaded from, unless TERRAFORM_RELEASES_URL names a mirror. */
export const HASHICORP_RELEASES = 'https://releases.hashicorp.com/terraform';

/**
 * Reads TERRAFORM_RELEASES_URL: a mirror with releases.hashicorp.com's layout. HTTPS, or plain
 * HTTP to this machine only; no credentials in it, since the URL is logged.
 */
export function readReleasesUrl(inputs: InputParser, name: string): string {
  return inputs.structured(name, HASHICORP_RELEASES, (raw) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error(`'${raw.slice(0, 60)}' is not a URL.`);
    }
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
      throw new Error(
        `must be an https:// URL (plain http:// only to 127.0.0.1 or localhost), got '${url.protocol}'.`,
      );
    if (url.username || url.password)
      throw new Error('must not hold credentials: the URL is written to the log.');
    if (url.search || url.hash) throw new Error('must not have a query or a fragment.');
    return url.href.replace(/\/+$/, '');
  });
}

/**
 * Reads TERRAFORM_VERSION: '' (the terraform on PATH) or a release this engine can drive (state
 * locks in S3 need MINIMUM_TERRAFORM_VERSION).
 */
export function readTerraformVersion(inputs: InputParser, name: string): string {
  return inputs.structured(name, '', (raw) => {
    if (!/^\d+\.\d+\.\d+(-[A-Za-z0-9.]+)?$/.test(raw))
      throw new Error(`'${raw.slice(0, 60)}' is not a Terraform version like 1.11.4.`);
    if (olderThanMinimum(raw))
      throw new Error(
        `${raw} is older than ${MINIMUM_TERRAFORM_VERSION}: this engine keeps Terraform's state locks in S3 (use_lockfile), which older releases do not support.`,
      );
    return raw;
  });
}

/**
 * POLICY_COMMAND and POLICY_TIMEOUT_SECONDS (both job actions): the command every plan is checked
 * by (see core's policy/); undefined when none is given. `checkoutDir` is given to the command as
 * DEPLOY_ENGINE_CHECKOUT.
 */
export function readPolicy(inputs: InputParser, checkoutDir: string): PolicyOptions | undefined {
  const timeoutSeconds = inputs.integer('POLICY_TIMEOUT_SECONDS', DEFAULT_POLICY_TIMEOUT_SECONDS, {
    min: 1,
    max: 3600,
  });
  const command = inputs.structured('POLICY_COMMAND', '', (raw) => {
    if (raw.includes('\0')) throw new Error('contains a NUL character, which no command line can.');
    return raw;
  });
  return command ? { command, timeoutSeconds, checkoutDir } : undefined;
}
