/**
 * The inputs of every plugin of the file. plugin.yaml `global-computed-inputs` are computed from
 * their plugin's inputs and shared with every plugin of the application, as StackSpot's global
 * inputs are ("any Plugin can access them"; an infrastructure plugin takes them from other
 * infrastructure plugins, which StackSpot renders first). So inputs resolve in two passes: the
 * first computes each infra plugin's globals, the second resolves every plugin with all of them
 * (below its own stk.yaml inputs). Two plugins computing the same global: the later one in the
 * file wins, with a warning.
 */
import type { Problem, SourceLocation } from '../errors';
import type { DescriptorPlugin } from '../descriptor';
import type { Logger } from '../logging';
import type { LocatedPlugin } from '../plugins';
import { resolveInputs, type ResolveContext } from './resolve-inputs';

/**
 * Inputs (and their problems) per plugin alias; `globalSources` are the plugins whose global
 * computed inputs every plugin received (what they read, every plugin reads).
 */
export function resolvePluginInputs(
  plugins: readonly DescriptorPlugin[],
  located: ReadonlyMap<string, LocatedPlugin>,
  context: ResolveContext,
  logger: Logger,
): {
  inputs: Map<string, { inputs: Record<string, unknown>; problems: Problem[] }>;
  globalSources: string[];
} {
  const resolve = (
    plugin: DescriptorPlugin,
    computedGlobals?: ResolveContext['computedGlobals'],
  ) => {
    const definition = located.get(plugin.alias)?.definition;
    return plugin.type === 'infra' && !definition
      ? { inputs: {}, globals: {}, problems: [] }
      : resolveInputs(plugin, definition, {
          ...context,
          ...(computedGlobals ? { computedGlobals } : {}),
        });
  };
  const first = new Map(plugins.map((p) => [p.alias, resolve(p)]));
  const computedGlobals: Record<
    string,
    { value: unknown; location: SourceLocation; alias: string }
  > = {};
  for (const plugin of plugins) {
    const definition = located.get(plugin.alias)?.definition;
    for (const [name, value] of Object.entries(first.get(plugin.alias)?.globals ?? {})) {
      const earlier = computedGlobals[name];
      if (earlier && earlier.value !== value)
        logger.warning(
          `Global computed input ${name} is computed by plugins ${earlier.alias} and ${plugin.alias}; every plugin gets ${plugin.alias}'s value (the later one in stk.yaml).`,
          earlier.location,
        );
      computedGlobals[name] = {
        value,
        alias: plugin.alias,
        location: definition?.locate(['spec', 'global-computed-inputs', name]) ?? { file: '' },
      };
    }
  }
  if (Object.keys(computedGlobals).length === 0) return { inputs: first, globalSources: [] };
  return {
    inputs: new Map(plugins.map((p) => [p.alias, resolve(p, computedGlobals)])),
    globalSources: [...new Set(Object.values(computedGlobals).map((g) => g.alias))],
  };
}
