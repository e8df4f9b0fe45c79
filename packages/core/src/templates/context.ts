/**
 * The variables a plugin's templates see (templates/README.md#variables): every input by bare name and under
 * `inputs`, `connections.<key>.<attribute>`, the deployment's own names, and the workspace's shared
 * values as `var.KEY`. Connection Interface values are marked foreign (escaped when printed) and
 * secrets are marked secret (printed only whole, as sensitive values): see marked-values.ts.
 * The source is plain data, so it can cross into the render worker.
 */
import type { AppKind } from '../target';
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

/**
 * Names StackSpot itself gives deploy templates: they keep StackSpot's meaning, whatever the
 * plugin's inputs are called. `stk_env` is the deployment's environment (StackSpot provides it as
 * `{{ stk_env }}` and `{{ inputs.stk_env }}`), `inputs` every input, `var` the shared values.
 */
export const STACKSPOT_TEMPLATE_NAMES = ['inputs', 'var', 'stk_env'] as const;

/**
 * Names this engine adds (StackSpot has none of them). A plugin written for StackSpot that names
 * an input like one of these means its own input, so the input wins, with a warning; the engine's
 * value stays reachable as `{{ deploy_engine.<name> }}`.
 */
export const ENGINE_TEMPLATE_NAMES = [
  'connections',
  'environment',
  'workspace',
  'alias',
  'version',
  'app_id',
  'infra_id',
] as const;

/** Where the engine's own names stay reachable whatever the inputs are called. */
export const ENGINE_NAMESPACE = 'deploy_engine';

/** Every name the template context defines besides the inputs. */
export const RESERVED_TEMPLATE_NAMES = [
  ...STACKSPOT_TEMPLATE_NAMES,
  ...ENGINE_TEMPLATE_NAMES,
  ENGINE_NAMESPACE,
] as const;

/** An input whose name is also one of the context's own names, and which of the two a template sees. */
export interface TemplateNameCollision {
  input: string;
  /** `input`: the input wins (engine name); `stackspot`: StackSpot's value wins. */
  wins: 'input' | 'stackspot';
  message: string;
}

/** The collisions between `inputs` and the context's own names (see buildTemplateContext). */
export function templateNameCollisions(inputs: Record<string, unknown>): TemplateNameCollision[] {
  const found: TemplateNameCollision[] = [];
  for (const name of Object.keys(inputs)) {
    if ((ENGINE_TEMPLATE_NAMES as readonly string[]).includes(name)) {
      found.push({
        input: name,
        wins: 'input',
        message: `Input '${name}' has the name of one of this engine's template variables: templates see the input as {{ ${name} }} (as on StackSpot, which has no such variable); the engine's value is {{ ${ENGINE_NAMESPACE}.${name} }}.`,
      });
    } else if (
      (STACKSPOT_TEMPLATE_NAMES as readonly string[]).includes(name) ||
      name === ENGINE_NAMESPACE
    ) {
      found.push({
        input: name,
        wins: 'stackspot',
        message: `Input '${name}' has the name of a variable StackSpot (or this engine) gives templates: {{ ${name} }} is that variable, as on StackSpot; rename the input to use it in templates.`,
      });
    }
  }
  return found;
}

/**
 * Builds the context object. Inputs come first by bare name; the engine's own names
 * (ENGINE_TEMPLATE_NAMES) fill in only where no input has that name; StackSpot's names
 * (`inputs`, `var`, `stk_env`) and `deploy_engine` always win.
 */
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
  const engine: Record<string, unknown> = {
    connections,
    environment: source.environment,
    workspace: source.workspace,
    alias: source.alias,
    version: source.version,
    ...(source.appKind === 'app' ? { app_id: source.appId } : { infra_id: source.appId }),
  };
  const inputs = { ...source.inputs, stk_env: source.environment };
  return {
    ...engine,
    ...source.inputs,
    inputs,
    var: shared,
    stk_env: source.environment,
    [ENGINE_NAMESPACE]: engine,
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
