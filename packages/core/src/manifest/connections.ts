/**
 * Matches the connections stk.yaml selects with the ones the plugin declares, and finds who
 * produces each required instance: a plugin of the same file, or the workspace context.
 */
import type { Problem } from '../errors';
import type { DescriptorPlugin } from '../descriptor';
import type { PluginDefinition } from '../plugins';
import type { ConnectionInterfaceInstance } from '../workspace';
import type { GeneratedConnection, RequiredConnection } from './types';

/** The generated connections of an infra plugin, with the plugin's outputs mapping. */
export function generatedConnections(
  plugin: DescriptorPlugin,
  definition: PluginDefinition,
  problems: Problem[],
): GeneratedConnection[] {
  return plugin.generates.flatMap((ref) => {
    const declared = definition.generates.find((g) => g.key === ref.key);
    if (!declared) {
      problems.push({
        message: `Plugin ${plugin.alias} selects a generated connection '${ref.key}', but ${definition.name}@${definition.version} declares none by that name (it declares: ${definition.generates.map((g) => g.key).join(', ') || 'none'}).`,
        location: ref.location,
      });
      return [];
    }
    if (declared.type && declared.type !== ref.type) {
      problems.push({
        message: `Connection ${ref.key} of plugin ${plugin.alias} has type ${ref.type} in stk.yaml but ${declared.type} in plugin.yaml.`,
        location: ref.location,
      });
    }
    return [{ key: ref.key, name: ref.name, type: ref.type, outputs: declared.outputs }];
  });
}

/** Checks every connection the plugin declares as required is selected in stk.yaml, and vice versa. */
export function checkRequiredDeclared(
  plugin: DescriptorPlugin,
  definition: PluginDefinition,
  problems: Problem[],
): void {
  for (const declared of definition.requires) {
    if (!plugin.requires.some((r) => r.key === declared.key)) {
      problems.push({
        message: `Plugin ${plugin.alias} requires a ${declared.type} connection '${declared.key}', but stk.yaml selects none.`,
        location: plugin.locate(['alias']),
        hint: `Add ${declared.key}: {stk-type: required-connection, selected: <instance name>, type: ${declared.type}} to its inputs.`,
      });
    }
  }
  for (const ref of plugin.requires) {
    const declared = definition.requires.find((d) => d.key === ref.key);
    if (!declared) {
      problems.push({
        message: `Plugin ${plugin.alias} selects a required connection '${ref.key}' that ${definition.name}@${definition.version} does not declare.`,
        location: ref.location,
      });
    } else if (declared.type && declared.type !== ref.type) {
      problems.push({
        message: `Connection ${ref.key} of plugin ${plugin.alias} has type ${ref.type} in stk.yaml but ${declared.type} in plugin.yaml.`,
        location: ref.location,
      });
    }
  }
}

/** Resolves each required connection to its producer; unresolvable ones are problems. */
export function requiredConnections(
  plugin: DescriptorPlugin,
  producers: ReadonlyMap<string, { alias: string; type: string }>,
  context: readonly ConnectionInterfaceInstance[],
  problems: Problem[],
): RequiredConnection[] {
  return plugin.requires.flatMap((ref): RequiredConnection[] => {
    const keys = [...new Set([ref.key, ref.name])];
    const producer = producers.get(ref.name);
    if (producer) {
      if (producer.type !== ref.type) {
        problems.push({
          message: `Plugin ${plugin.alias} requires ${ref.name} as ${ref.type}, but plugin ${producer.alias} generates it as ${producer.type}.`,
          location: ref.location,
        });
      }
      return [
        { keys, name: ref.name, type: ref.type, from: { kind: 'plugin', alias: producer.alias } },
      ];
    }
    const instance = context.find((i) => i.name === ref.name);
    if (!instance) {
      problems.push({
        message: `Plugin ${plugin.alias} (input ${ref.key}) requires Connection Interface ${ref.name} (${ref.type}), which no plugin of this file generates and which does not exist in the workspace and environment.`,
        location: ref.location,
        hint: 'Deploy the application or shared infrastructure that generates it first, or fix the selected name.',
      });
      return [];
    }
    if (instance.type !== ref.type) {
      problems.push({
        message: `Plugin ${plugin.alias} requires ${ref.name} as ${ref.type}, but the workspace has it as ${instance.type}.`,
        location: ref.location,
      });
    }
    return [
      {
        keys,
        name: ref.name,
        type: ref.type,
        from: { kind: 'context', attributes: instance.attributes, producer: instance.producer },
      },
    ];
  });
}
