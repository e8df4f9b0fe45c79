/**
 * What a known Connection Interface Type asks of the plugins of a manifest: a plugin generating it
 * maps every required attribute (and only attributes the type defines) in its `outputs: from/to`,
 * checked before anything runs; outputs that feed secret attributes are `sensitive = true`, checked
 * on the rendered IaC.
 */
import type { Problem } from '../errors';
import type { ConnectionInterfaceType } from './connection-type';

/**
 * A Connection Interface a plugin generates, as far as its type's contract is concerned: the
 * instance, its type, and which Terraform output feeds which attribute (the manifest's
 * GeneratedConnection is one).
 */
export interface GeneratedOutputs {
  /** The instance name (`selected`). */
  name: string;
  type: string;
  outputs: readonly { from: string; to: string }[];
}

export function checkGeneratedConnections(
  plugin: { alias: string; pluginFile?: string },
  generates: readonly GeneratedOutputs[],
  types: ReadonlyMap<string, ConnectionInterfaceType>,
): Problem[] {
  const problems: Problem[] = [];
  for (const generated of generates) {
    const type = types.get(generated.type);
    if (!type) continue;
    const mapped = new Set(generated.outputs.map((o) => o.to));
    const where = plugin.pluginFile ? { file: plugin.pluginFile } : undefined;
    const missing = type.attributes.filter((a) => a.required && !mapped.has(a.name));
    if (missing.length > 0) {
      problems.push({
        message: `Plugin ${plugin.alias} generates Connection Interface ${generated.name} of type ${type.name}, but its outputs do not map the required attribute(s) ${missing.map((a) => a.name).join(', ')} (type defined in ${type.source}).`,
        ...(where ? { location: where } : {}),
        hint: `Add them to the outputs of the generated connection: - { from: <terraform output>, to: ${missing[0]?.name} }.`,
      });
    }
    const defined = new Set(type.attributes.map((a) => a.name));
    const unknown = [...mapped].filter((to) => !defined.has(to));
    if (unknown.length > 0) {
      problems.push({
        message: `Plugin ${plugin.alias} maps ${unknown.join(', ')} into Connection Interface ${generated.name}, but type ${type.name} defines only ${[...defined].join(', ')}.`,
        ...(where ? { location: where } : {}),
      });
    }
  }
  return problems;
}

/**
 * Outputs of a plugin that feed a secret attribute and are not `sensitive = true`: Terraform would
 * print their values in the apply log.
 */
export function checkSecretOutputs(
  plugin: { alias: string },
  generates: readonly GeneratedOutputs[],
  types: ReadonlyMap<string, ConnectionInterfaceType>,
  outputs: readonly { name: string; sensitive: boolean }[],
  displayDir: string,
): Problem[] {
  const problems: Problem[] = [];
  for (const generated of generates) {
    const type = types.get(generated.type);
    if (!type) continue;
    for (const { from, to } of generated.outputs) {
      if (!type.attributes.some((a) => a.name === to && a.secret)) continue;
      const output = outputs.find((o) => o.name === from);
      if (output && !output.sensitive) {
        problems.push({
          message: `Output ${from} of ${plugin.alias} feeds the secret attribute ${to} of ${generated.name} (${type.name}), but is not marked sensitive: Terraform would print its value.`,
          location: { file: displayDir },
          hint: `Add \`sensitive = true\` to output "${from}".`,
        });
      }
    }
  }
  return problems;
}
