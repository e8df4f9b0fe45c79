/** The plugin graph as a Mermaid flowchart, for job summaries. */
import type { Manifest } from './types';

/** Text inside a quoted Mermaid label: no quote, line break or backtick (which could end the fence). */
function label(text: string): string {
  return text
    .replace(/"/g, '#quot;')
    .replace(/`/g, '#96;')
    .replace(/[\r\n]+/g, ' ');
}

export function renderManifestMermaid(manifest: Manifest): string {
  const lines = ['flowchart LR'];
  const ids = new Map<string, string>();
  const infra = manifest.plugins.filter((p) => p.type === 'infra');
  infra.forEach((p, i) => {
    ids.set(p.alias, `p${i}`);
    lines.push(
      `  p${i}["${label(p.alias)}<br/><small>${label(`${p.name}@${p.version}`)}</small>"]`,
    );
  });
  manifest.destroy.forEach((p, i) => {
    ids.set(p.alias, `r${i}`);
    lines.push(`  r${i}["${label(p.alias)}<br/><small>removed: destroyed</small>"]:::removed`);
  });
  const external = new Map<string, string>();
  for (const plugin of infra) {
    for (const required of plugin.requires) {
      if (required.from.kind === 'plugin') {
        const from = ids.get(required.from.alias);
        if (from) lines.push(`  ${from} -- "${label(required.name)}" --> ${ids.get(plugin.alias)}`);
      } else {
        let id = external.get(required.name);
        if (!id) {
          id = `x${external.size}`;
          external.set(required.name, id);
          lines.push(
            `  ${id}(["${label(required.name)}<br/><small>from ${label(required.from.producer.appName)}</small>"]):::external`,
          );
        }
        lines.push(`  ${id} -.-> ${ids.get(plugin.alias)}`);
      }
    }
  }
  lines.push('  classDef removed stroke-dasharray: 5 5,color:#b00;');
  lines.push('  classDef external fill:#eef;');
  return lines.join('\n');
}
