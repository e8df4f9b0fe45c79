/**
 * Connection Interface Types: the contract of a kind of Connection Interface (docs/formats.md#connection-interface-instances),
 * a name and its attributes, each with a type and whether it is required and secret:
 *
 *   schema-version: v1
 *   kind: connection-interface-type
 *   metadata: { name: aws-sns-conn, description: An SNS topic }
 *   spec:
 *     attributes:
 *       - { name: arn, type: string, required: true }
 *       - { name: token, type: string, required: true, secret: true }
 *
 * They are read from `<WORKDIR>/.stk/connection-interface-types/*.yaml` in the repository and from
 * the workspace (CLI `types put`); see ./README.md.
 */
import type { Problem } from '../errors';
import { asRecord, parseYaml, scalarText, type YamlFile } from '../descriptor/yaml-file';

export const ATTRIBUTE_TYPES = ['string', 'number', 'bool', 'list', 'map', 'any'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

export interface TypeAttribute {
  name: string;
  type: AttributeType;
  required: boolean;
  secret: boolean;
  description?: string;
}

export interface ConnectionInterfaceType {
  name: string;
  description?: string;
  attributes: TypeAttribute[];
  /** Where it was read: a repository file, or `workspace <name>`. */
  source: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Parses one type document; problems name the file and line. */
export function parseConnectionType(
  yaml: YamlFile,
  source: string,
): { type?: ConnectionInterfaceType; problems: Problem[] } {
  const problems: Problem[] = [];
  const at = (path: (string | number)[]) => yaml.locate(path);
  const doc = asRecord(yaml.value);
  if (!doc)
    return {
      problems: [{ message: 'A Connection Interface Type must be a mapping.', location: at([]) }],
    };
  if (doc.kind !== 'connection-interface-type') {
    problems.push({
      message: `kind is '${scalarText(doc.kind)}'; expected connection-interface-type.`,
      location: at(['kind']),
    });
  }
  const metadata = asRecord(doc.metadata);
  const name = scalarText(metadata?.name ?? '');
  if (!NAME.test(name)) {
    problems.push({
      message: `metadata.name '${name}' is not a type name (letters, digits, '.', '_', '-').`,
      location: at(['metadata', 'name']),
    });
  }
  const list = asRecord(doc.spec)?.attributes;
  if (!Array.isArray(list) || list.length === 0) {
    problems.push({ message: 'spec.attributes must list the attributes.', location: at(['spec']) });
    return { problems };
  }
  const attributes: TypeAttribute[] = [];
  const seen = new Set<string>();
  list.forEach((raw, i) => {
    const attribute = asRecord(raw);
    const attrName = scalarText(attribute?.name ?? '');
    if (!attribute || !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(attrName)) {
      problems.push({
        message: `Attribute ${i + 1} has no valid name.`,
        location: at(['spec', 'attributes', i]),
      });
      return;
    }
    if (seen.has(attrName)) {
      problems.push({
        message: `Attribute ${attrName} is listed twice.`,
        location: at(['spec', 'attributes', i]),
      });
      return;
    }
    seen.add(attrName);
    const type = scalarText(attribute.type ?? 'string');
    if (!(ATTRIBUTE_TYPES as readonly string[]).includes(type)) {
      problems.push({
        message: `Attribute ${attrName} has type '${type}'; expected one of ${ATTRIBUTE_TYPES.join(', ')}.`,
        location: at(['spec', 'attributes', i, 'type']),
      });
    }
    for (const flag of ['required', 'secret'] as const) {
      if (attribute[flag] !== undefined && typeof attribute[flag] !== 'boolean') {
        problems.push({
          message: `Attribute ${attrName}: ${flag} must be true or false.`,
          location: at(['spec', 'attributes', i, flag]),
        });
      }
    }
    attributes.push({
      name: attrName,
      type: type as AttributeType,
      required: attribute.required !== false,
      secret: attribute.secret === true,
      ...(typeof attribute.description === 'string' ? { description: attribute.description } : {}),
    });
  });
  if (problems.length > 0) return { problems };
  return {
    type: {
      name,
      ...(typeof metadata?.description === 'string' ? { description: metadata.description } : {}),
      attributes,
      source,
    },
    problems,
  };
}

/** Parses a type from text (the CLI's `types put`). */
export function parseConnectionTypeText(
  text: string,
  file: string,
  source: string,
): { type?: ConnectionInterfaceType; problems: Problem[] } {
  const read = parseYaml(text, file);
  return read.yaml ? parseConnectionType(read.yaml, source) : { problems: read.problems };
}

/** Attribute names of a type that are secret. */
export function secretAttributes(type: ConnectionInterfaceType | undefined): string[] {
  return type?.attributes.filter((a) => a.secret).map((a) => a.name) ?? [];
}
