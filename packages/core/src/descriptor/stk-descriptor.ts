/**
 * `.stk/stk.yaml`: the application (or shared infrastructure) descriptor, as StackSpot writes it
 * (docs/formats.md#stkstkyaml). Parsing checks its shape and reports every problem with its position.
 */
import type { Problem, SourceLocation } from '../errors';
import type { ConnectorRef } from './v1-entries';
import type { AppKind } from '../target';
import { asRecord, scalarText, type YamlFile, type YamlPath } from './yaml-file';
import { CONNECTOR_INPUT, deriveV1Alias, parseConnectors, sameType } from './v1-entries';

export interface ConnectionRef {
  /** How templates reach it: the v3 input name, or the v2 `alias`. */
  key: string;
  /** The Connection Interface instance name (`selected`). */
  name: string;
  type: string;
  location: SourceLocation;
}

export type { ConnectorRef } from './v1-entries';

export interface DescriptorPlugin {
  index: number;
  alias: string;
  /** Set when the alias was derived (v1 entries have none): from what. */
  derivedAlias?: boolean;
  /** The `name` as written: `studio/plugin@1.0.0` or `studio/stack@1.0.0/plugin@1.0.0`. */
  ref: string;
  type: 'app' | 'infra';
  /** Plain inputs (connection inputs are in requires/generates). */
  inputs: Record<string, unknown>;
  /** input name -> environment -> value. */
  inputsEnvs: Record<string, Record<string, unknown>>;
  requires: ConnectionRef[];
  generates: ConnectionRef[];
  /** v1: connectors whose direction (required or generated) plugin.yaml decides. */
  connectors: ConnectorRef[];
  locate: (path: YamlPath) => SourceLocation;
}

export interface Descriptor {
  file: string;
  schemaVersion: string;
  name: string;
  appKind: AppKind;
  /** `app-id` / `infra-id` when given. */
  appId?: string;
  plugins: DescriptorPlugin[];
  globalInputs: Record<string, unknown>;
  globalComputedInputs: Record<string, string>;
  locate: (path: YamlPath) => SourceLocation;
}

const SCHEMA_VERSIONS = ['v1', 'v2', 'v3'];
const ALIAS = /^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$/i;
const APP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Checks and reads a parsed stk.yaml. */
export function parseDescriptor(yaml: YamlFile): { descriptor?: Descriptor; problems: Problem[] } {
  const problems: Problem[] = [];
  const fail = (path: YamlPath, message: string, hint?: string): void => {
    problems.push({ message, location: yaml.locate(path), ...(hint ? { hint } : {}) });
  };
  const root = asRecord(yaml.value);
  if (!root) {
    fail([], 'stk.yaml must be a mapping with schema-version, kind, metadata and spec.');
    return { problems };
  }
  const schemaVersion = scalarText(root['schema-version'] ?? '');
  if (!SCHEMA_VERSIONS.includes(schemaVersion)) {
    fail(
      ['schema-version'],
      `schema-version must be one of ${SCHEMA_VERSIONS.join(', ')}, got '${schemaVersion}'.`,
    );
  }
  if (root.kind !== 'manifest') {
    fail(
      ['kind'],
      `kind must be 'manifest' for an application or shared infrastructure, got '${scalarText(root.kind)}'.`,
    );
  }
  const metadata = asRecord(root.metadata);
  const name = typeof metadata?.name === 'string' ? metadata.name.trim() : '';
  if (!name) fail(['metadata'], 'metadata.name is required.');
  const spec = asRecord(root.spec);
  if (!spec) {
    fail(['spec'], 'spec is required.');
    return { problems };
  }
  const type = spec.type;
  if (type !== 'app' && type !== 'infra') {
    fail(
      ['spec', 'type'],
      `spec.type must be app (an Application) or infra (a Shared Infra), got '${scalarText(type)}'.`,
    );
  }
  const appKind: AppKind = type === 'infra' ? 'infra' : 'app';
  const idKey = appKind === 'app' ? 'app-id' : 'infra-id';
  const rawId = spec[idKey];
  if (rawId !== undefined && rawId !== null && (typeof rawId !== 'string' || rawId.trim() === '')) {
    fail(['spec', idKey], `spec.${idKey} must be a non-empty string.`);
  } else if (typeof rawId === 'string' && !APP_ID.test(rawId.trim())) {
    fail(
      ['spec', idKey],
      `spec.${idKey} '${rawId.slice(0, 80)}' may hold only letters, digits, '.', '_' and '-' (at most 128, starting with a letter or digit): it names the application in S3 keys and state paths.`,
    );
  }

  const globalInputs = mapping(
    spec['global-inputs'],
    ['spec', 'global-inputs'],
    'global-inputs',
    fail,
  );
  const globalComputedInputs = stringMapping(
    spec['global-computed-inputs'],
    ['spec', 'global-computed-inputs'],
    fail,
  );

  const rawPlugins = spec.plugins ?? [];
  if (!Array.isArray(rawPlugins)) fail(['spec', 'plugins'], 'spec.plugins must be a list.');
  const plugins: DescriptorPlugin[] = [];
  const aliases = new Map<string, number>();
  (Array.isArray(rawPlugins) ? rawPlugins : []).forEach((raw: unknown, index) => {
    const plugin = parsePlugin(raw, index, yaml, fail, schemaVersion === 'v1');
    if (!plugin) return;
    const first = aliases.get(plugin.alias);
    if (first !== undefined) {
      if (plugin.derivedAlias) {
        fail(
          ['spec', 'plugins', index, 'name'],
          `Plugin ${index + 1} (${plugin.ref}) has no alias, and the one derived from its plugin name, '${plugin.alias}', is already used by plugin ${first + 1}.`,
          `schema-version v1 entries take their alias from the plugin name, so a plugin used twice needs an explicit one: add 'alias: <unique name>' to plugin ${index + 1} (keep the derived one on the entry already deployed, or its state is not found).`,
        );
      } else {
        fail(
          ['spec', 'plugins', index, 'alias'],
          `Plugin alias '${plugin.alias}' is used twice (also by plugin ${first + 1}).`,
          'Aliases identify plugins in states and tasks: give each its own.',
        );
      }
      return;
    }
    aliases.set(plugin.alias, index);
    plugins.push(plugin);
  });

  if (problems.length > 0) return { problems };
  return {
    descriptor: {
      file: yaml.file,
      schemaVersion,
      name,
      appKind,
      ...(typeof rawId === 'string' && rawId.trim() ? { appId: rawId.trim() } : {}),
      plugins,
      globalInputs,
      globalComputedInputs,
      locate: yaml.locate,
    },
    problems,
  };
}

type Fail = (path: YamlPath, message: string, hint?: string) => void;

function mapping(
  value: unknown,
  path: YamlPath,
  what: string,
  fail: Fail,
): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  const record = asRecord(value);
  if (!record) fail(path, `${what} must be a mapping of names to values.`);
  return record ?? {};
}

function stringMapping(value: unknown, path: YamlPath, fail: Fail): Record<string, string> {
  const record = mapping(value, path, 'global-computed-inputs', fail);
  const result: Record<string, string> = {};
  for (const [key, template] of Object.entries(record)) {
    if (typeof template !== 'string')
      fail([...path, key], `Computed input ${key} must be a template string.`);
    else result[key] = template;
  }
  return result;
}

function parsePlugin(
  raw: unknown,
  index: number,
  yaml: YamlFile,
  fail: Fail,
  v1: boolean,
): DescriptorPlugin | undefined {
  const base: YamlPath = ['spec', 'plugins', index];
  const entry = asRecord(raw);
  if (!entry) {
    fail(base, `Plugin ${index + 1} must be a mapping with name, alias and type.`);
    return undefined;
  }
  const ok = { value: true };
  const need = (key: string): string => {
    const value = entry[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    fail([...base, key], `Plugin ${index + 1} has no ${key}.`);
    ok.value = false;
    return '';
  };
  const ref = need('name');
  const derived = v1 && (entry.alias === undefined || entry.alias === null);
  const alias = derived ? deriveV1Alias(ref) : need('alias');
  if (derived && ref && !alias) {
    fail(
      [...base, 'name'],
      `Plugin ${index + 1} has no alias, and none can be derived from its name '${ref.slice(0, 80)}'.`,
      "Add 'alias: <name>' (letters, digits, '-' and '_') to the entry.",
    );
    ok.value = false;
  }
  if (alias && !ALIAS.test(alias)) {
    fail(
      [...base, 'alias'],
      `Plugin alias '${alias.slice(0, 80)}${alias.length > 80 ? '…' : ''}' may hold only letters, digits, '-' and '_' (at most 63), and must start and end with a letter or digit.`,
    );
    ok.value = false;
  }
  const type = entry.type;
  if (type !== 'app' && type !== 'infra') {
    fail(
      [...base, 'type'],
      `Plugin ${alias || index + 1} has type '${scalarText(type)}'; expected app or infra.`,
    );
    ok.value = false;
  }
  const inputs: Record<string, unknown> = {};
  const requires: ConnectionRef[] = [];
  const generates: ConnectionRef[] = [];
  const connectors: ConnectorRef[] = v1 ? parseConnectors(entry, base, yaml, fail) : [];
  for (const [key, value] of Object.entries(
    mapping(entry.inputs, [...base, 'inputs'], 'inputs', fail),
  )) {
    const connectorType = v1 ? CONNECTOR_INPUT.exec(key)?.[1] : undefined;
    if (connectorType !== undefined) {
      const where = yaml.locate([...base, 'inputs', key]);
      if (typeof value !== 'string' || value.trim() === '')
        fail([...base, 'inputs', key], `Connector input ${key} must name a Connection Interface.`);
      else if (!connectors.some((c) => c.name === value.trim() && sameType(c.type, connectorType)))
        connectors.push({ name: value.trim(), type: connectorType, location: where });
      continue;
    }
    const object = asRecord(value);
    const stkType = object?.['stk-type'];
    if (stkType === 'required-connection' || stkType === 'generated-connection') {
      const ref = connectionRef(
        object as Record<string, unknown>,
        key,
        [...base, 'inputs', key],
        yaml,
        fail,
      );
      if (ref) (stkType === 'required-connection' ? requires : generates).push(ref);
    } else {
      inputs[key] = value;
    }
  }
  const inputsEnvs: Record<string, Record<string, unknown>> = {};
  for (const [key, value] of Object.entries(
    mapping(entry['inputs-envs'], [...base, 'inputs-envs'], 'inputs-envs', fail),
  )) {
    const perEnv = asRecord(value);
    if (!perEnv)
      fail(
        [...base, 'inputs-envs', key],
        `inputs-envs.${key} must map environment names to values.`,
      );
    else inputsEnvs[key] = perEnv;
  }
  const connections = asRecord(entry.connections);
  for (const kind of ['requires', 'generates'] as const) {
    const list = connections?.[kind];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      fail([...base, 'connections', kind], `connections.${kind} must be a list.`);
      continue;
    }
    list.forEach((item: unknown, i) => {
      const path = [...base, 'connections', kind, i];
      const object = asRecord(item);
      const key = typeof object?.alias === 'string' ? object.alias : '';
      if (!object || !key) {
        fail(path, `connections.${kind}[${i}] needs type, selected and alias.`);
        return;
      }
      const ref = connectionRef(object, key, path, yaml, fail);
      if (ref) (kind === 'requires' ? requires : generates).push(ref);
    });
  }
  if (!ok.value) return undefined;
  return {
    index,
    alias,
    ref,
    type: type as 'app' | 'infra',
    inputs,
    inputsEnvs,
    requires,
    generates,
    connectors,
    ...(derived ? { derivedAlias: true } : {}),
    locate: (path) => yaml.locate([...base, ...path]),
  };
}

function connectionRef(
  object: Record<string, unknown>,
  key: string,
  path: YamlPath,
  yaml: YamlFile,
  fail: Fail,
): ConnectionRef | undefined {
  const name = object.selected;
  const type = object.type;
  if (typeof name !== 'string' || name.trim() === '') {
    fail(path, `Connection ${key} has no 'selected' (the Connection Interface instance name).`);
    return undefined;
  }
  if (typeof type !== 'string' || type.trim() === '') {
    fail(path, `Connection ${key} has no 'type' (the Connection Interface Type).`);
    return undefined;
  }
  return { key, name: name.trim(), type: type.trim(), location: yaml.locate(path) };
}
