/**
 * Where a plugin's Terraform state lives in the tfstate bucket: one state per (workspace,
 * environment, app/infra, alias), chosen by the engine, never by the plugin:
 * `<workspace>/<environment>/<app|infra>/<app-id>/<alias>/terraform.tfstate`.
 */
import { ConfigurationError } from '../errors';

export interface StateKeyParts {
  workspace: string;
  environment: string;
  appKind: 'app' | 'infra';
  appId: string;
  alias: string;
}

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function stateKey(parts: StateKeyParts): string {
  const problems = (['workspace', 'environment', 'appId', 'alias'] as const)
    .filter((name) => !SAFE.test(parts[name]) || parts[name].includes('..'))
    .map((name) => ({
      message: `${name} '${parts[name]}' cannot be part of a Terraform state key: use letters, digits, '.', '_' and '-' only.`,
    }));
  if (problems.length > 0)
    throw new ConfigurationError(problems, 'The Terraform state key would not be safe');
  return `${parts.workspace}/${parts.environment}/${parts.appKind}/${parts.appId}/${parts.alias}/terraform.tfstate`;
}
