/**
 * The generated applications of the latency benchmark: N plugins in three shapes (chain, fan-out
 * from one root, diamond: root -> N-2 middles -> one sink), each plugin one `marker_value` of the
 * test provider (test/provider/server.cjs) whose create takes `delay_ms`: the time a cloud takes.
 * The delay is a resource attribute, so it travels with the rendered project and the raw
 * Terraform baseline replays exactly what the engine applied.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MARKER_SOURCE } from '../../test/harness/provider-mirror';

export type Shape = 'chain' | 'fanout' | 'diamond';

/** Which plugins each plugin requires, by index. */
export function producers(shape: Shape, n: number, i: number): number[] {
  if (i === 0) return [];
  if (shape === 'chain') return [i - 1];
  if (shape === 'fanout') return [0];
  // diamond: middles require the root; the last one (the sink) requires every middle.
  if (i < n - 1 || n === 2) return [0];
  return Array.from({ length: n - 2 }, (_, k) => k + 1);
}

/** How many plugins each level of the graph holds (level = longest path from a root). */
export function levelWidths(shape: Shape, n: number): number[] {
  if (shape === 'chain') return Array.from({ length: n }, () => 1);
  if (shape === 'fanout') return n > 1 ? [1, n - 1] : [1];
  return n > 2 ? [1, n - 2, 1] : levelWidths('fanout', n);
}

/**
 * Waves of a level-by-level schedule on `slots` runners at once: the longest dependency chain
 * when slots are unlimited, more when a level is wider than the slots.
 */
export function waves(shape: Shape, n: number, slots = Number.POSITIVE_INFINITY): number {
  return levelWidths(shape, n).reduce(
    (sum, width) => sum + Math.max(1, Math.ceil(width / slots)),
    0,
  );
}

/** The resource each plugin deploys, given the template text of its input (`{{ alias }}<-...`). */
export type PluginResource = (input: string) => string;

/** One `marker_value` of the test provider whose create takes `delayMs` (the latency benchmark). */
export const markerResource =
  (delayMs: number): PluginResource =>
  (input) =>
    [
      'terraform {',
      '  required_providers {',
      `    marker = { source = "${MARKER_SOURCE}", version = "~> 1.0" }`,
      '  }',
      '}',
      'resource "marker_value" "n" {',
      `  input    = "${input}"`,
      `  delay_ms = ${delayMs}`,
      '}',
      'output "id" { value = marker_value.n.id }',
      '',
    ].join('\n');

/** One built-in `terraform_data`, created at once (the benchmark of the engine's own costs). */
export const terraformDataResource: PluginResource = (input) =>
  `resource "terraform_data" "n" { input = "${input}" }\noutput "id" { value = terraform_data.n.output }\n`;

/**
 * Writes the plugins (each deploying `resource`) and the app's manifest into a fresh checkout;
 * returns its folder.
 */
export function generateApp(
  n: number,
  shape: Shape,
  appId: string,
  resource: PluginResource,
): string {
  const root = mkdtempSync(join(tmpdir(), `bench-${shape}-${n}-`));
  const plugin = (name: string, requires: number) => {
    const dir = join(root, 'plugins', name);
    mkdirSync(join(dir, 'templates-deploy'), { recursive: true });
    const inputs = Array.from(
      { length: requires },
      (_, k) =>
        `    - { name: u${k}, type: required-connection, connection-interface-type: n-conn }\n`,
    ).join('');
    writeFileSync(
      join(dir, 'plugin.yaml'),
      `schema-version: v3\nkind: plugin\nmetadata: { name: ${name}, version: 1.0.0 }\nspec:\n  type: infra\n  inputs:\n${inputs}    - { name: out, type: generated-connection, connection-interface-type: n-conn, outputs: [{ from: id, to: id }] }\n`,
    );
    const joined = Array.from({ length: requires }, (_, k) => `{{ connections.u${k}.id }}`).join(
      ',',
    );
    writeFileSync(join(dir, 'templates-deploy', 'main.tf'), resource(`{{ alias }}<-${joined}`));
  };
  const counts = new Set(Array.from({ length: n }, (_, i) => producers(shape, n, i).length));
  for (const count of counts) plugin(`node${count}`, count);
  const lines = [
    'schema-version: v3',
    'kind: manifest',
    `metadata: { name: bench-${appId.toLowerCase()} }`,
    'spec:',
    '  type: app',
    `  app-id: ${appId}`,
    '  plugins:',
  ];
  for (let i = 0; i < n; i++) {
    const from = producers(shape, n, i);
    lines.push(
      `    - name: acme/node${from.length}@1.0.0`,
      `      alias: p${i}`,
      '      type: infra',
      '      inputs:',
    );
    from.forEach((p, k) =>
      lines.push(
        `        u${k}: { stk-type: required-connection, selected: ${appId}-c${p}, type: n-conn }`,
      ),
    );
    lines.push(
      `        out: { stk-type: generated-connection, selected: ${appId}-c${i}, type: n-conn }`,
    );
  }
  mkdirSync(join(root, 'app', '.stk'), { recursive: true });
  writeFileSync(join(root, 'app', '.stk', 'stk.yaml'), `${lines.join('\n')}\n`);
  return root;
}
