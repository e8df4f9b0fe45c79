/**
 * A plugin's inputs, resolved with the documented precedence (docs/formats.md#pluginyaml-and-templates-deploy):
 * plugin defaults < global inputs < other plugins' global computed inputs < plugin inputs <
 * inputs-envs for ENVIRONMENT < DYNAMIC_INPUTS, then computed inputs (stk.yaml's global ones, the
 * plugin's, then the plugin's own global computed inputs), rendered in the template sandbox.
 * Every declared input is checked (required, type, select items, pattern); every problem is
 * returned with the place its value came from.
 */
import type { Problem, SourceLocation } from '../errors';
import { scalarText, type Descriptor, type DescriptorPlugin } from '../descriptor';
import type { PluginDefinition, PluginInput } from '../plugins';
import { ENGINE_NAMESPACE, renderTemplateString } from '../templates';

export interface ResolveContext {
  descriptor: Descriptor;
  environment: string;
  workspace: string;
  version: string;
  dynamicInputs: Record<string, string>;
  /** plugin.yaml `global-computed-inputs` of the app's plugins, as computed, and where. */
  computedGlobals?: Record<string, { value: unknown; location: SourceLocation }>;
}

export interface ResolvedInputs {
  inputs: Record<string, unknown>;
  /** The plugin's own `global-computed-inputs`, as computed: shared with every plugin. */
  globals: Record<string, unknown>;
  problems: Problem[];
}

export function resolveInputs(
  plugin: DescriptorPlugin,
  definition: PluginDefinition | undefined,
  context: ResolveContext,
): ResolvedInputs {
  const problems: Problem[] = [];
  const values: Record<string, unknown> = {};
  const origin: Record<string, SourceLocation> = {};
  const set = (name: string, value: unknown, where: SourceLocation): void => {
    values[name] = value;
    origin[name] = where;
  };
  for (const input of definition?.inputs ?? []) {
    if (input.default !== undefined) set(input.name, input.default, input.location);
  }
  for (const [name, value] of Object.entries(context.descriptor.globalInputs)) {
    set(name, value, context.descriptor.locate(['spec', 'global-inputs', name]));
  }
  for (const [name, global] of Object.entries(context.computedGlobals ?? {})) {
    set(name, global.value, global.location);
  }
  for (const [name, value] of Object.entries(plugin.inputs))
    set(name, value, plugin.locate(['inputs', name]));
  for (const [name, perEnv] of Object.entries(plugin.inputsEnvs)) {
    if (Object.prototype.hasOwnProperty.call(perEnv, context.environment)) {
      set(
        name,
        perEnv[context.environment],
        plugin.locate(['inputs-envs', name, context.environment]),
      );
    }
  }
  for (const [name, value] of Object.entries(context.dynamicInputs)) {
    set(name, value, { file: 'DYNAMIC_INPUTS' });
  }

  for (const input of definition?.inputs ?? []) {
    const where = origin[input.name] ?? plugin.locate(['alias']);
    const checked = checkInput(
      input,
      values[input.name],
      plugin.alias,
      input.perEnvironment && origin[input.name] === undefined
        ? plugin.locate(plugin.inputsEnvs[input.name] ? ['inputs-envs', input.name] : ['name'])
        : where,
      context.environment,
    );
    if ('problem' in checked) problems.push(checked.problem);
    else if (checked.value !== undefined) values[input.name] = checked.value;
  }

  // Computed inputs of missing or invalid inputs would only repeat those problems.
  if (problems.length > 0) return { inputs: values, globals: {}, problems };
  const computed: [string, string, SourceLocation][] = [
    ...Object.entries(context.descriptor.globalComputedInputs).map(
      ([k, t]): [string, string, SourceLocation] => [
        k,
        t,
        context.descriptor.locate(['spec', 'global-computed-inputs', k]),
      ],
    ),
    ...Object.entries(definition?.computedInputs ?? {}).map(
      ([k, t]): [string, string, SourceLocation] => [
        k,
        t,
        definition?.locate(['spec', 'computed-inputs', k]) ?? { file: '' },
      ],
    ),
    ...Object.entries(definition?.globalComputedInputs ?? {}).map(
      ([k, t]): [string, string, SourceLocation] => [
        k,
        t,
        definition?.locate(['spec', 'global-computed-inputs', k]) ?? { file: '' },
      ],
    ),
  ];
  // The last ones are the plugin's own global computed inputs.
  const firstGlobal = computed.length - Object.keys(definition?.globalComputedInputs ?? {}).length;
  const globals: Record<string, unknown> = {};
  for (const [index, [name, template, location]] of computed.entries()) {
    const rendered = renderTemplateString(
      template,
      computedInputContext(values, {
        environment: context.environment,
        workspace: context.workspace,
        alias: plugin.alias,
        version: context.version,
      }),
      location.file,
      // Lines count from the computed input's own line in its YAML file.
      Math.max(0, (location.line ?? 1) - 1),
    );
    if (rendered.ok) {
      values[name] = rendered.text;
      if (index >= firstGlobal) globals[name] = rendered.text;
    } else
      problems.push({
        ...rendered.problem,
        message: `Computed input ${name} of ${plugin.alias}: ${rendered.problem.message}`,
        location,
      });
  }
  return { inputs: values, globals, problems };
}

/**
 * What a computed input sees: the same names and the same collision rule as the plugin's
 * templates (templates/context.ts): an input wins over the engine's own names, whose values stay
 * reachable under `deploy_engine`, and StackSpot's `stk_env` is there as `stk_env` and
 * `inputs.stk_env`.
 */
function computedInputContext(
  values: Record<string, unknown>,
  engine: Record<string, unknown>,
): Record<string, unknown> {
  const stkEnv = engine.environment;
  return {
    ...engine,
    ...values,
    inputs: { ...values, stk_env: stkEnv },
    stk_env: stkEnv,
    [ENGINE_NAMESPACE]: engine,
  };
}

type Checked = { value: unknown } | { problem: Problem };

function checkInput(
  input: PluginInput,
  value: unknown,
  alias: string,
  location: SourceLocation,
  environment: string,
): Checked {
  const what = `Input ${input.name} of plugin ${alias}`;
  const problem = (message: string, hint?: string): Checked => ({
    problem: { message: `${what} ${message}`, location, ...(hint ? { hint } : {}) },
  });
  if (value === undefined || value === null || value === '') {
    if (input.required && input.perEnvironment)
      return problem(
        `is declared per environment (spec.inputs-envs of plugin.yaml) and required, but has no value for environment '${environment}'.`,
        `Set it under the plugin's inputs-envs in stk.yaml (${input.name}: { ${environment}: <value> }), or give the declaration a default.`,
      );
    return input.required
      ? problem(
          'is required but has no value.',
          "Set it under the plugin's inputs in stk.yaml, in global-inputs, or give the plugin input a default.",
        )
      : { value };
  }
  switch (input.type) {
    case 'int': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && /^-?\d+$/.test(value.trim())
            ? Number(value)
            : NaN;
      return Number.isInteger(n)
        ? { value: n }
        : problem(`must be a whole number, got ${JSON.stringify(value)}.`);
    }
    case 'bool': {
      if (typeof value === 'boolean') return { value };
      if (value === 'true' || value === 'True') return { value: true };
      if (value === 'false' || value === 'False') return { value: false };
      return problem(`must be true or false, got ${JSON.stringify(value)}.`);
    }
    case 'select':
    case 'multiselect': {
      const items = (input.items ?? []).map((i) =>
        i !== null && typeof i === 'object' && 'value' in i ? i.value : i,
      );
      const chosen =
        input.type === 'multiselect' ? (Array.isArray(value) ? value : [value]) : [value];
      const bad = chosen.filter((c) => !items.some((i) => scalarText(i) === scalarText(c)));
      if (bad.length > 0)
        return problem(
          `must be one of ${items.map((i) => JSON.stringify(i)).join(', ')}, got ${bad.map((b) => JSON.stringify(b)).join(', ')}.`,
        );
      return { value: input.type === 'multiselect' ? chosen : value };
    }
    default: {
      if (input.pattern !== undefined) {
        let pattern: RegExp;
        try {
          pattern = new RegExp(`^(?:${input.pattern})$`);
        } catch {
          return {
            problem: {
              message: `${what} has an invalid pattern ${JSON.stringify(input.pattern)} in plugin.yaml.`,
              location: input.location,
            },
          };
        }
        if (!pattern.test(scalarText(value)))
          return problem(`must match the pattern ${input.pattern}, got ${JSON.stringify(value)}.`);
      }
      return { value };
    }
  }
}
