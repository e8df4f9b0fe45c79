/**
 * The variables a plugin's templates see (CONTRACT.md §3): every input by bare name and under
 * `inputs`, `connections.<key>.<attribute>`, the deployment's own names, and the workspace's shared
 * values as `var.KEY`.
 */
import type { AppKind } from '../workspace';

export interface TemplateContextSource {
  /** Resolved inputs, computed inputs included. */
  inputs: Record<string, unknown>;
  /**
   * Connection attribute maps by every key a template may use for them: the required-connection
   * input name, the v2 `requires` alias and the Connection Interface instance name.
   */
  connections: Record<string, Record<string, unknown>>;
  environment: string;
  workspace: string;
  alias: string;
  version: string;
  appKind: AppKind;
  appId: string;
  /** The workspace's shared values for this environment (`{{ var.KEY }}`). */
  sharedValues?: Record<string, unknown>;
}

/** Names the engine defines; an input of the same name is still reachable as `inputs.<name>`. */
export const RESERVED_TEMPLATE_NAMES = [
  'inputs',
  'connections',
  'environment',
  'workspace',
  'alias',
  'version',
  'app_id',
  'infra_id',
  'var',
] as const;

/** Builds the context object; the engine's names win over inputs of the same name. */
export function buildTemplateContext(source: TemplateContextSource): Record<string, unknown> {
  return {
    ...source.inputs,
    inputs: source.inputs,
    connections: source.connections,
    environment: source.environment,
    workspace: source.workspace,
    alias: source.alias,
    version: source.version,
    ...(source.appKind === 'app' ? { app_id: source.appId } : { infra_id: source.appId }),
    var: source.sharedValues ?? {},
  };
}
