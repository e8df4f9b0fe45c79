/**
 * Manifest generation at scale: a generated descriptor of N infra plugins (a chain of producers
 * with fan-out consumers) over one plugin directory. Prints the median of several builds.
 * Run: npx tsx bench/manifest.bench.ts [N]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildManifest, MemoryLogger } from '../packages/core/src';

const size = Number(process.argv[2] ?? 500);
const runs = 9;

function generate(n: number): string {
  const root = mkdtempSync(join(tmpdir(), 'bench-manifest-'));
  const plugin = join(root, 'plugins', 'node');
  mkdirSync(join(plugin, 'templates-deploy'), { recursive: true });
  writeFileSync(
    join(plugin, 'plugin.yaml'),
    `schema-version: v3
kind: plugin
metadata: { name: node, version: 1.0.0 }
spec:
  type: infra
  inputs:
    - { name: label, type: text, required: true }
    - { name: size, type: int, default: 1 }
    - { name: upstream, type: required-connection, connection-interface-type: node-conn }
    - { name: out, type: generated-connection, connection-interface-type: node-conn, outputs: [{ from: id, to: id }] }
  computed-inputs:
    full: '{{ label }}-{{ environment }}'
`,
  );
  writeFileSync(
    join(plugin, 'templates-deploy', 'main.tf'),
    'resource "terraform_data" "n" { input = "{{ connections.upstream.id }}" }\n',
  );
  const lines = [
    'schema-version: v3',
    'kind: manifest',
    'metadata: { name: bench }',
    'spec:',
    '  type: app',
    '  app-id: BENCH',
    '  plugins:',
  ];
  // Listed consumers first, so ordering has real work to do; every 10th plugin produces for the next 9.
  for (let i = n - 1; i >= 0; i--) {
    const producer = i === 0 ? 'root-conn' : `c${Math.floor((i - 1) / 10) * 10}`;
    lines.push(
      '    - name: acme/node@1.0.0',
      `      alias: p${i}`,
      '      type: infra',
      '      inputs:',
      `        label: l${i}`,
      `        upstream: { stk-type: required-connection, selected: ${producer}, type: node-conn }`,
      `        out: { stk-type: generated-connection, selected: c${i}, type: node-conn }`,
    );
  }
  mkdirSync(join(root, '.stk'));
  writeFileSync(join(root, '.stk', 'stk.yaml'), `${lines.join('\n')}\n`);
  return root;
}

async function main(): Promise<void> {
  const root = generate(size);
  const options = {
    repoRoot: root,
    workdir: '.',
    pluginDirs: [join(root, 'plugins')],
    workspace: 'bench',
    environment: 'dev',
    version: 'v1',
    dynamicInputs: {},
    connectionInterfaces: [
      {
        name: 'root-conn',
        type: 'node-conn',
        attributes: { id: 'root' },
        producer: { appKind: 'infra' as const, appId: 'X', appName: 'x', alias: 'x', runId: 'R' },
        updatedAt: '',
      },
    ],
    logger: new MemoryLogger(),
  };
  const times: number[] = [];
  let order: string[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    order = (await buildManifest(options)).deployOrder;
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(runs / 2)] as number;
  console.log(
    `manifest: ${size} plugins, median ${median.toFixed(1)} ms over ${runs} builds (min ${times[0]?.toFixed(1)} ms, max ${times.at(-1)?.toFixed(1)} ms); first in order: ${order.slice(0, 3).join(', ')}`,
  );
  rmSync(root, { recursive: true, force: true });
}

void main();
