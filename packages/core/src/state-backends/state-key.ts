/**
 * Where a plugin's Terraform state lives in the run's state backend: one state per (workspace,
 * environment, app/infra, alias), chosen by the engine, never by the plugin:
 * `<workspace>/<environment>/<app|infra>/<app-id>/<alias>/terraform.tfstate`. In unified mode
 * the whole application is one project with one state, one level up:
 * `<workspace>/<environment>/<app|infra>/<app-id>/terraform.tfstate`.
 */
import { ConfigurationError } from '../errors';
import type { DeploymentTarget } from '../target';

/** The parts of a state's key: the target's, and the plugin's alias. */
export interface StateKeyParts extends Pick<
  DeploymentTarget,
  'workspace' | 'environment' | 'appKind' | 'appId'
> {
  alias: string;
}

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The state of one plugin (classic mode). */
export function stateKey(parts: StateKeyParts): string {
  checkParts(parts, ['workspace', 'environment', 'appId', 'alias']);
  return `${parts.workspace}/${parts.environment}/${parts.appKind}/${parts.appId}/${parts.alias}/terraform.tfstate`;
}

/** The state of a unified-mode project: one per application. */
export function unifiedStateKey(parts: Omit<StateKeyParts, 'alias'>): string {
  checkParts(parts, ['workspace', 'environment', 'appId']);
  return `${parts.workspace}/${parts.environment}/${parts.appKind}/${parts.appId}/terraform.tfstate`;
}

function checkParts<K extends 'workspace' | 'environment' | 'appId' | 'alias'>(
  parts: Record<K, string>,
  names: readonly K[],
): void {
  const problems = names
    .filter((name) => !SAFE.test(parts[name]) || parts[name].includes('..'))
    .map((name) => ({
      message: `${name} '${parts[name]}' cannot be part of a Terraform state key: use letters, digits, '.', '_' and '-' only.`,
    }));
  if (problems.length > 0)
    throw new ConfigurationError(problems, 'The Terraform state key would not be safe');
}
