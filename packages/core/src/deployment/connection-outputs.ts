/**
 * Turns a deployed plugin's Terraform outputs into the Connection Interface instances it generates,
 * through the plugin's `outputs: [{from, to}]` mapping (docs/formats.md#connection-interface-instances).
 */
import type { Problem } from '../errors';
import type { ConnectionInterfaceInstance } from '../workspace';

export interface GeneratedConnectionSpec {
  /** The instance name (`selected`). */
  name: string;
  type: string;
  outputs: readonly { from: string; to: string }[];
}

export interface TerraformOutputValue {
  value: unknown;
  sensitive: boolean;
}

export interface MappedConnections {
  instances: ConnectionInterfaceInstance[];
  /** Attribute names per instance whose Terraform output is sensitive: never print them. */
  sensitive: Record<string, string[]>;
  problems: Problem[];
}

/**
 * Maps outputs to instances. A `from` that is not a root output of the rendered project is a
 * problem naming it and the outputs that do exist.
 */
export function mapOutputsToConnections(
  generated: readonly GeneratedConnectionSpec[],
  outputs: Readonly<Record<string, TerraformOutputValue>>,
  producer: ConnectionInterfaceInstance['producer'],
  now: Date,
  pluginFile: string,
): MappedConnections {
  const instances: ConnectionInterfaceInstance[] = [];
  const sensitive: Record<string, string[]> = {};
  const problems: Problem[] = [];
  for (const connection of generated) {
    const attributes: Record<string, unknown> = {};
    for (const { from, to } of connection.outputs) {
      const output = outputs[from];
      if (output === undefined) {
        const existing = Object.keys(outputs).sort();
        problems.push({
          message: `Connection Interface ${connection.name} (${connection.type}) maps output '${from}' to '${to}', but the deployed Terraform has no output '${from}'${existing.length > 0 ? ` (it has: ${existing.join(', ')})` : ' (it has no outputs)'}.`,
          location: { file: pluginFile },
          hint: `Add output "${from}" to the plugin's templates-deploy, or fix the mapping.`,
        });
        continue;
      }
      attributes[to] = output.value;
      if (output.sensitive) (sensitive[connection.name] ??= []).push(to);
    }
    instances.push({
      name: connection.name,
      type: connection.type,
      attributes,
      producer,
      updatedAt: now.toISOString(),
    });
  }
  return { instances, sensitive, problems };
}
