/**
 * schema-version v1 entries choose Connection Interfaces as `connectors: [{ name, type }]` (or
 * `<type>__CONNECTOR: <name>` inputs) without saying whether the plugin requires or generates
 * them: plugin.yaml says. Each connector becomes the required or generated connection the plugin
 * declares for its type, under that declaration's key (the v3 input name, the v2 alias, or for a
 * v1 plugin the type itself), so the rest of the manifest sees a v2/v3 entry.
 */
import type { Problem } from '../errors';
import { sameType, type ConnectionRef, type DescriptorPlugin } from '../descriptor';
import type { PluginConnection, PluginDefinition } from '../plugins';

/** The entry with its connectors placed under requires/generates; problems for the ones that cannot be. */
export function assignConnectors(
  plugin: DescriptorPlugin,
  definition: PluginDefinition,
  problems: Problem[],
): DescriptorPlugin {
  if (plugin.connectors.length === 0) return plugin;
  const requires = [...plugin.requires];
  const generates = [...plugin.generates];
  const declared = (kind: 'requires' | 'generates', type: string): PluginConnection[] =>
    definition[kind].filter((c) => sameType(c.type, type));
  const list = (kind: 'requires' | 'generates'): string =>
    definition[kind].map((c) => c.type).join(', ') || 'none';
  for (const connector of plugin.connectors) {
    const matches = [
      ...declared('generates', connector.type).map((c) => ['generates', c] as const),
      ...declared('requires', connector.type).map((c) => ['requires', c] as const),
    ];
    const [match] = matches;
    if (!match) {
      problems.push({
        message: `Plugin ${plugin.alias} has connector ${connector.name} of type ${connector.type}, but ${definition.file} neither requires nor generates that type (it requires: ${list('requires')}; generates: ${list('generates')}).`,
        location: connector.location,
      });
      continue;
    }
    if (matches.length > 1) {
      problems.push({
        message: `Plugin ${plugin.alias} has connector ${connector.name} of type ${connector.type}, and ${definition.file} declares ${matches.length} connections of that type (${matches.map(([k, c]) => `${k} ${c.key}`).join(', ')}): a v1 connector cannot say which.`,
        location: connector.location,
        hint: 'Write this entry the v2/v3 way (schema-version v2 or v3), naming the connection: inputs: { <input>: { stk-type: required-connection, selected: <name>, type: <type> } }.',
      });
      continue;
    }
    const [kind, connection] = match;
    const target = kind === 'requires' ? requires : generates;
    const taken = target.find((r) => r.key === connection.key);
    if (taken) {
      problems.push({
        message: `Plugin ${plugin.alias} selects two Connection Interfaces (${taken.name}, ${connector.name}) for the one ${connection.type} connection ${definition.file} ${kind === 'requires' ? 'requires' : 'generates'}.`,
        location: connector.location,
      });
      continue;
    }
    const ref: ConnectionRef = {
      key: connection.key,
      name: connector.name,
      type: connection.type,
      location: connector.location,
    };
    target.push(ref);
  }
  return { ...plugin, requires, generates, connectors: [] };
}
