/**
 * The variables a plugin's templates see (CONTRACT.md §3): every input by bare name and under
 * `inputs`, `connections.<key>.<attribute>`, the deployment's own names, and the workspace's shared
 * values as `var.KEY`. Connection Interface values are marked foreign (escaped when printed) and
 * secrets are marked secret (printed only whole, as sensitive values): see marked-values.ts.
 * The source is plain data, so it can cross into the render worker.
 */
import type { AppKind } from '../workspace';
import { markForeign, SecretValue } from './marked-values';

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
  /** Shared values set with --secret. */
  secretSharedValues?: readonly string[];
  /**
   * Connection keys whose attributes the engine wrote itself (unified mode's Terraform references,
   * `${var.stk_conn_...}`): printed as they are. Every other connection value came from another
   * application and is escaped.
   */
  wiredConnectionKeys?: readonly string[];
  /** Per connection key, the secret attributes (the instance's and its type's). */
  secretConnectionAttributes?: Record<string, readonly string[]>;
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
  const wired = new Set(source.wiredConnectionKeys ?? []);
  const connections = Object.fromEntries(
    Object.entries(source.connections).map(([key, attributes]) => {
      if (wired.has(key)) return [key, attributes];
      const secret = new Set(source.secretConnectionAttributes?.[key] ?? []);
      const marked = Object.fromEntries(
        Object.entries(attributes).map(([name, value]) => [
          name,
          secret.has(name)
            ? secretOrEmpty(value, `connections.${key}.${name}`)
            : markForeign(value),
        ]),
      );
      return [key, marked];
    }),
  );
  const secretShared = new Set(source.secretSharedValues ?? []);
  const shared = Object.fromEntries(
    Object.entries(source.sharedValues ?? {}).map(([key, value]) => [
      key,
      secretShared.has(key) ? secretOrEmpty(value, `var.${key}`) : value,
    ]),
  );
  return {
    ...source.inputs,
    inputs: source.inputs,
    connections,
    environment: source.environment,
    workspace: source.workspace,
    alias: source.alias,
    version: source.version,
    ...(source.appKind === 'app' ? { app_id: source.appId } : { infra_id: source.appId }),
    var: shared,
  };
}

/** Nothing to hide in an empty or missing value: it stays plain (and falsy in `if`). */
function secretOrEmpty(value: unknown, label: string): unknown {
  return value === undefined || value === null || value === ''
    ? value
    : new SecretValue(value, label);
}

/** The printed form of every secret in a context, to recognise them in captured text. */
export function secretTexts(context: Record<string, unknown>): string[] {
  const found: string[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (value instanceof SecretValue) found.push(value.rendered());
    else if (depth < 3 && value !== null && typeof value === 'object')
      Object.values(value).forEach((v) => visit(v, depth + 1));
  };
  visit(context.connections, 0);
  visit(context.var, 0);
  return found;
}
