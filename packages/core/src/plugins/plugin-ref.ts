/**
 * The `name` of a plugin in stk.yaml: `studio/plugin@1.0.0`, or with its stack,
 * `studio/stack@1.2.0/plugin@1.0.0`. The plugin is the last segment.
 */
export interface PluginRef {
  studio: string;
  name: string;
  version: string;
}

/** Parses a reference; undefined when it has no `name@version` last segment. */
export function parsePluginRef(ref: string): PluginRef | undefined {
  const parts = ref.split('/').filter(Boolean);
  const last = parts.at(-1) ?? '';
  const match = /^([^@\s]+)@([^@\s]+)$/.exec(last);
  if (!match) return undefined;
  return {
    studio: parts.length > 1 ? (parts[0] as string) : '',
    name: match[1] as string,
    version: match[2] as string,
  };
}
