/**
 * Input groups several actions share: AWS credentials, allowed module sources, the inputs kept for
 * compatibility with the StackSpot actions but unused here.
 */
import {
  chooseAwsCredentialSource,
  parseAllowedModuleSources,
  type AllowedModuleSource,
  type AwsCredentialSource,
} from '@deploy-engine/core';
import type { InputParser } from './input-parser';

/** Reads the credential inputs (all masked) and chooses the source. */
export function readAwsCredentials(
  inputs: InputParser,
  names: { role: string; keyId: string; secret: string; token: string },
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
