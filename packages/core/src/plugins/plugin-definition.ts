/**
 * plugin.yaml of an infra plugin, v2 or v3 (docs/formats.md#pluginyaml-and-templates-deploy): its inputs (with types, defaults and
 * the connections they stand for), computed inputs, and the Connection Interfaces it requires and
 * generates with the outputs that fill them.
 */
import type { Problem, SourceLocation } from '../errors';
import { asRecord, scalarText, type YamlFile, type YamlPath } from '../descriptor';
import { parseRuntimeTerraform, type RuntimeTerraform } from './runtime-environment';

export const INPUT_TYPES = [
  'text',
  'textarea',
  'int',
  'bool',
  'select',
  'multiselect',
  'password',
  'list',
  'object',
  'required-connection',
  'generated-connection',
] as const;

export interface OutputMapping {
  from: string;
  to: string;
}

export interface PluginInput {
  name: string;
  type: string;
  required: boolean;
  default?: unknown;
  items?: unknown[];
  pattern?: string;
  /** For connection inputs: the Connection Interface Type. */
  connectionType?: string;
  outputs?: OutputMapping[];
  /** Declared under `spec.inputs-envs`: its value is given per environment in stk.yaml. */
  perEnvironment?: boolean;
  location: SourceLocation;
}

export interface PluginConnection {
  /** The v2 alias, or the v3 input name. */
  key: string;
  type: string;
  outputs: OutputMapping[];
}

export interface PluginDefinition {
  name: string;
  version: string;
  type: string;
  /** Display path of plugin.yaml. */
  file: string;
  inputs: PluginInput[];
  computedInputs: Record<string, string>;
  /** `spec.global-computed-inputs`: computed from its inputs, shared with every plugin of the app. */
  globalComputedInputs: Record<string, string>;
  requires: PluginConnection[];
  generates: PluginConnection[];
  /** The Terraform its `spec.runtime.environment` names; none: the runner's. */
  terraform?: RuntimeTerraform;
  locate: (path: YamlPath) => SourceLocation;
}

/** Checks and reads a parsed plugin.yaml. */
export function parsePluginDefinition(yaml: YamlFile): {
  plugin?: PluginDefinition;
  problems: Problem[];
} {
  const problems: Problem[] = [];
  const fail = (path: YamlPath, message: string): void => {
    problems.push({ message, location: yaml.locate(path) });
  };
  const root = asRecord(yaml.value);
  const metadata = asRecord(root?.metadata);
  const spec = asRecord(root?.spec);
  if (root?.kind !== 'plugin')
    fail(['kind'], `kind must be 'plugin', got '${scalarText(root?.kind)}'.`);
  const name = typeof metadata?.name === 'string' ? metadata.name : '';
  const version = metadata?.version === undefined ? '' : scalarText(metadata.version);
  if (!name) fail(['metadata'], 'metadata.name is required.');
  if (!version) fail(['metadata'], 'metadata.version is required.');
  if (!spec) {
    fail([], 'spec is required.');
    return { problems };
  }
  const type = scalarText(spec.type ?? '');
  const inputs: PluginInput[] = [];
  for (const key of ['inputs', 'inputs-envs'] as const) {
    const raw = spec[key] ?? [];
    if (!Array.isArray(raw)) fail(['spec', key], `spec.${key} must be a list.`);
    (Array.isArray(raw) ? raw : []).forEach((item: unknown, i) => {
      const input = parseInput(item, ['spec', key, i], yaml, fail);
      if (!input) return;
      if (inputs.some((other) => other.name === input.name))
        fail(['spec', key, i], `Input ${input.name} is declared twice.`);
      else inputs.push(key === 'inputs-envs' ? { ...input, perEnvironment: true } : input);
    });
  }
  const templates = (key: string): Record<string, string> => {
    const found: Record<string, string> = {};
    for (const [name, template] of Object.entries(asRecord(spec[key]) ?? {})) {
      if (typeof template !== 'string')
        fail(['spec', key, name], `Computed input ${name} must be a template string.`);
      else found[name] = template;
    }
    return found;
  };
  const computedInputs = templates('computed-inputs');
  const globalComputedInputs = templates('global-computed-inputs');
  const v2 = (kind: 'requires' | 'generates'): PluginConnection[] => {
    const list = asRecord(spec[kind])?.connections;
    if (list === undefined) return v1Connections(spec[kind]);
    if (!Array.isArray(list)) {
      fail(['spec', kind, 'connections'], `spec.${kind}.connections must be a list.`);
      return [];
    }
    return list.flatMap((raw: unknown, i) => {
      const c = asRecord(raw);
      if (!c || typeof c.alias !== 'string' || typeof c.type !== 'string') {
        fail(
          ['spec', kind, 'connections', i],
          `spec.${kind}.connections[${i}] needs type and alias.`,
        );
        return [];
      }
      return [
        {
          key: c.alias,
          type: c.type,
          outputs: parseOutputs(c.outputs, ['spec', kind, 'connections', i, 'outputs'], fail),
        },
      ];
    });
  };
  const connectionInputs = (t: string): PluginConnection[] =>
    inputs
      .filter((i) => i.type === t)
      .map((i) => ({ key: i.name, type: i.connectionType ?? '', outputs: i.outputs ?? [] }));
  const runtime = parseRuntimeTerraform(spec, yaml);
  problems.push(...runtime.problems);
  if (problems.length > 0) return { problems };
  return {
    plugin: {
      name,
      version,
      type,
      file: yaml.file,
      inputs: inputs.filter((i) => !i.type.endsWith('-connection')),
      computedInputs,
      globalComputedInputs,
      requires: [...v2('requires'), ...connectionInputs('required-connection')],
      generates: [...v2('generates'), ...connectionInputs('generated-connection')],
      ...(runtime.terraform ? { terraform: runtime.terraform } : {}),
      locate: yaml.locate,
    },
    problems,
  };
}

/** One input declaration (of `spec.inputs` or `spec.inputs-envs`: the same shape). */
function parseInput(
  raw: unknown,
  path: YamlPath,
  yaml: YamlFile,
  fail: (p: YamlPath, m: string) => void,
): PluginInput | undefined {
  const input = asRecord(raw);
  if (!input || typeof input.name !== 'string' || !input.name) {
    fail(
      path,
      `Input ${Number(path.at(-1)) + 1} ${path[1] === 'inputs' ? '' : `of spec.${String(path[1])} `}has no name.`,
    );
    return undefined;
  }
  const inputType = scalarText(input.type ?? 'text');
  if (!(INPUT_TYPES as readonly string[]).includes(inputType)) {
    fail(
      [...path, 'type'],
      `Input ${input.name} has type '${inputType}'; expected one of ${INPUT_TYPES.join(', ')}.`,
    );
    return undefined;
  }
  const outputs = parseOutputs(input.outputs, [...path, 'outputs'], fail);
  const connectionType = input['connection-interface-type'];
  if (inputType.endsWith('-connection') && typeof connectionType !== 'string') {
    fail(path, `Connection input ${input.name} has no connection-interface-type.`);
  }
  return {
    name: input.name,
    type: inputType,
    required: input.required === true || inputType === 'required-connection',
    ...(input.default !== undefined ? { default: input.default } : {}),
    ...(Array.isArray(input.items) ? { items: input.items as unknown[] } : {}),
    ...(typeof input.pattern === 'string' ? { pattern: input.pattern } : {}),
    ...(typeof connectionType === 'string' ? { connectionType } : {}),
    ...(outputs.length > 0 ? { outputs } : {}),
    location: yaml.locate(path),
  };
}

/**
 * v1 plugins name only the types they require or generate: `generates: { connection-interface:
 * [t] }` or `generates: [{ connection-interface: t }]`. The type is the key; no outputs mapping.
 */
function v1Connections(raw: unknown): PluginConnection[] {
  const listed = asRecord(raw)?.['connection-interface'];
  const types = Array.isArray(listed)
    ? listed
    : Array.isArray(raw)
      ? raw.map((item: unknown) => asRecord(item)?.['connection-interface'])
      : [];
  return types.flatMap((t: unknown) =>
    typeof t === 'string' && t.trim() ? [{ key: t.trim(), type: t.trim(), outputs: [] }] : [],
  );
}

function parseOutputs(
  raw: unknown,
  path: YamlPath,
  fail: (p: YamlPath, m: string) => void,
): OutputMapping[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    fail(path, 'outputs must be a list of {from, to}.');
    return [];
  }
  return raw.flatMap((item: unknown, i) => {
    const o = asRecord(item);
    if (!o || typeof o.from !== 'string' || typeof o.to !== 'string') {
      fail(
        [...path, i],
        'Each output mapping needs from (a Terraform output) and to (an attribute).',
      );
      return [];
    }
    return [{ from: o.from, to: o.to }];
  });
}
