/**
 * What schema-version v1 of stk.yaml writes differently (see README.md in this folder): entries
 * without an alias, and Connection Interfaces chosen as `connectors: [{ name, type }]` or as
 * `<type>__CONNECTOR: <name>` inputs, whose direction (required or generated) only plugin.yaml says.
 */
import type { SourceLocation } from '../errors';
import { asRecord, type YamlFile, type YamlPath } from './yaml-file';

/** A v1 `connectors:` entry (or `<type>__CONNECTOR` input): direction decided by plugin.yaml. */
export interface ConnectorRef {
  /** The Connection Interface instance name. */
  name: string;
  type: string;
  location: SourceLocation;
}

/** `<connection-interface-type>__CONNECTOR`: a v1 input naming the instance of that type. */
export const CONNECTOR_INPUT = /^([A-Za-z0-9_-]+)__CONNECTOR$/;

/** v1 connector types are written with '-' (aws-sqs-conn) or, in input names, '_' (aws_sqs_conn). */
export function sameType(a: string, b: string): boolean {
  return a.replace(/_/g, '-') === b.replace(/_/g, '-');
}

/**
 * The alias of a v1 entry, which has none: the plugin's own name (the last segment of `name`,
 * without its version), as StackSpot's portal pre-fills it. It stays the same across versions, so
 * upgrading a plugin keeps its state; characters an alias cannot hold become '-'.
 */
export function deriveV1Alias(ref: string): string {
  const last = ref.split('/').filter(Boolean).at(-1) ?? '';
  const name = last.split('@')[0] ?? '';
  return name
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, 63)
    .replace(/[-_]+$/g, '');
}

/** v1 `connectors: [{ name, type }]` (the schema also shows `connector:`). */
export function parseConnectors(
  entry: Record<string, unknown>,
  base: YamlPath,
  yaml: YamlFile,
  fail: (path: YamlPath, message: string) => void,
): ConnectorRef[] {
  const key = entry.connectors !== undefined ? 'connectors' : 'connector';
  const list = entry[key];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    fail([...base, key], `${key} must be a list of { name, type }.`);
    return [];
  }
  return list.flatMap((item: unknown, i): ConnectorRef[] => {
    const object = asRecord(item);
    const name = typeof object?.name === 'string' ? object.name.trim() : '';
    const type = typeof object?.type === 'string' ? object.type.trim() : '';
    if (!name || !type) {
      fail(
        [...base, key, i],
        `${key}[${i}] needs name (the Connection Interface instance) and type (its Connection Interface Type).`,
      );
      return [];
    }
    return [{ name, type, location: yaml.locate([...base, key, i]) }];
  });
}
