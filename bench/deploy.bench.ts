/**
 * Classic deployment at scale: a generated application of N plugins (a chain, or a fan-out from
 * one root) deployed through the built bundles against moto_server with real Terraform, compared
 * with raw `terraform init` + `apply` of the very same rendered projects (the physical limit).
 * Run: npx tsx bench/deploy.bench.ts [sizes, default 1,10,50]
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMoto, type MotoServer } from '../test/harness/moto';
import { runAction } from '../test/harness/runner';
import { s3BackendConfig, terraform } from '../test/harness/terraform';

const sizes = (process.argv[2] ?? '1,10,50').split(',').map(Number);

function generate(n: number, shape: 'chain' | 'fanout'): string {
  const root = mkdtempSync(join(tmpdir(), `bench-deploy-${shape}-${n}-`));
  const plugin = (name: string, requires: boolean) => {
    const dir = join(root, 'plugins', name);
    mkdirSync(join(dir, 'templates-deploy'), { recursive: true });
    writeFileSync(
      join(dir, 'plugin.yaml'),
      `schema-version: v3\nkind: plugin\nmetadata: { name: ${name}, version: 1.0.0 }\nspec:\n  type: infra\n  inputs:\n${requires ? '    - { name: upstream, type: required-connection, connection-interface-type: n-conn }\n' : ''}    - { name: out, type: generated-connection, connection-interface-type: n-conn, outputs: [{ from: id, to: id }] }\n`,
    );
    writeFileSync(
      join(dir, 'templates-deploy', 'main.tf'),
      `resource "terraform_data" "n" { input = "{{ alias }}${requires ? '<-{{ connections.upstream.id }}' : ''}" }\noutput "id" { value = terraform_data.n.output }\n`,
    );
  };
  plugin('root', false);
  plugin('link', true);
  const lines = [
    'schema-version: v3',
    'kind: manifest',
    `metadata: { name: bench-${shape}-${n} }`,
    'spec:',
    '  type: app',
    `  app-id: BENCH${shape.toUpperCase()}${n}`,
    '  plugins:',
  ];
  for (let i = 0; i < n; i++) {
    const upstream = i === 0 ? undefined : shape === 'chain' ? `c${i - 1}` : 'c0';
    lines.push(
      `    - name: acme/${i === 0 ? 'root' : 'link'}@1.0.0`,
      `      alias: p${i}`,
      '      type: infra',
      '      inputs:',
    );
    if (upstream)
      lines.push(
        `        upstream: { stk-type: required-connection, selected: ${upstream}, type: n-conn }`,
      );
    lines.push(`        out: { stk-type: generated-connection, selected: c${i}, type: n-conn }`);
  }
  mkdirSync(join(root, 'app', '.stk'), { recursive: true });
  writeFileSync(join(root, 'app', '.stk', 'stk.yaml'), `${lines.join('\n')}\n`);
  return root;
}

async function measure(moto: MotoServer, n: number, shape: 'chain' | 'fanout'): Promise<string> {
  const checkout = generate(n, shape);
  const env = { ...moto.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const started = Date.now();
  const plan = await runAction('orchestrate-and-plan', {
    workspace: checkout,
    env,
    with: {
      TFSTATE_BUCKET_NAME: 'bench-tf',
      IAC_BUCKET_NAME: 'bench-iac',
      WORKSPACE: 'bench',
      ENVIRONMENT: 'dev',
      VERSION: 'v1',
      WORKDIR: 'app',
      PLUGINS_PATH: 'plugins',
    },
  });
  const planned = Date.now();
  const apply = await runAction('runtime-tasks', {
    workspace: checkout,
    env,
    with: { RUN_ID: plan.outputs.run_id ?? '', TASK_LIST: plan.outputs.apply_tasks ?? '' },
  });
  const total = Date.now() - started;
  if (plan.exitCode !== 0 || apply.exitCode !== 0)
    throw new Error(`deploy failed:\n${plan.log}\n${apply.log}`);

  // The physical limit: raw init + apply of the same rendered projects, one after another.
  const runId = (plan.outputs.run_id ?? '').split('@')[0] as string;
  let raw = 0;
  for (let i = 0; i < n; i++) {
    const stored = JSON.parse(
      await moto.getObjectText('bench-iac', `runs/${runId}/artifacts/iac/p${i}.json`),
    ) as { files: { path: string; base64: string }[] };
    const dir = mkdtempSync(join(tmpdir(), 'bench-raw-'));
    for (const f of stored.files) writeFileSync(join(dir, f.path), Buffer.from(f.base64, 'base64'));
    writeFileSync(join(dir, 'backend.tf'), 'terraform {\n  backend "s3" {}\n}\n');
    const t0 = Date.now();
    const init = await terraform(
      [
        'init',
        '-input=false',
        '-no-color',
        ...s3BackendConfig(moto.endpoint, 'bench-tf', `raw/${shape}/${n}/p${i}.tfstate`),
      ],
      dir,
      moto.env,
    );
    const applied = await terraform(
      ['apply', '-auto-approve', '-input=false', '-no-color'],
      dir,
      moto.env,
    );
    raw += Date.now() - t0;
    if (init.code !== 0 || applied.code !== 0)
      throw new Error(`raw terraform failed: ${init.stderr}${applied.stderr}`);
  }
  return `${shape.padEnd(6)} N=${String(n).padStart(3)}  total ${(total / 1000).toFixed(1)} s (plan ${((planned - started) / 1000).toFixed(1)} s), ${(total / n).toFixed(0)} ms/plugin; raw terraform init+apply ${(raw / 1000).toFixed(1)} s; ratio ${(total / raw).toFixed(2)}`;
}

async function main(): Promise<void> {
  const moto = await startMoto();
  try {
    await moto.createBucket('bench-tf');
    await moto.createBucket('bench-iac');
    for (const n of sizes) {
      for (const shape of ['chain', 'fanout'] as const) console.log(await measure(moto, n, shape));
    }
  } finally {
    await moto.stop();
  }
}

void main();
