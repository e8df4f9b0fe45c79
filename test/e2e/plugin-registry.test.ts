/**
 * The plugin registry through the built bundles (real Terraform, moto_server on 127.0.0.1): a
 * plugin published once with the CLI deploys from stk.yaml's `studio/plugin@version` alone; a
 * version never changes (the same files again are a no-op, other files are refused, of two racing
 * publishers exactly one wins); a registry object changed after publishing is refused, a registry
 * plugin meets the same guards as a local one, and a run applies what it planned whatever the
 * registry holds by then.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../harness/deploy-flow';
import { e2eFixture } from '../harness/e2e-fixture';
import { errorsOf, expectOk } from '../harness/expect-step';

const flow = e2eFixture({ name: 'reg' });

const APP = '01JREG1STRY000000000000000';

/** A plugin folder outside the checkout: only the registry can give it to a deployment. */
function plugin(name: string, version: string, main: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  mkdirSync(join(dir, 'templates-deploy'));
  writeFileSync(
    join(dir, 'plugin.yaml'),
    `schema-version: v3\nkind: plugin\nmetadata: { name: ${name}, version: ${version} }\nspec:\n  type: infra\n  inputs:\n    - { name: label, type: text, required: true }\n`,
  );
  writeFileSync(join(dir, 'templates-deploy', 'main.tf'), main);
  return dir;
}

const topic = (marker: string) =>
  `resource "terraform_data" "topic" {\n  input = "${marker}-{{ label }}"\n}\n`;

/** A file of a run's plugin snapshot or of a registry archive. */
interface Stored {
  path: string;
  base64?: string;
}

function mainOf(files: Stored[]): string {
  const main = files.find((f) => f.path === 'templates-deploy/main.tf');
  return Buffer.from(main?.base64 ?? '', 'base64').toString();
}

function publish(folder: string): Promise<{ code: number; output: string }> {
  return runCli(
    ['plugins', 'publish', folder, '--studio', 'acme', '--bucket', flow.iacBucket],
    flow.stepEnv(),
  );
}

function useApp(ref: string): void {
  flow.writeApp(
    'shop-app',
    APP,
    `    - name: ${ref}\n      alias: topic\n      type: infra\n      inputs: { label: orders }\n`,
  );
}

it('publishes once with the CLI, deploys from the registry, and refuses what changed after', async () => {
  const published = await publish(plugin('reg-topic', '1.2.0', topic('registry-one')));
  expect([published.code, published.output]).toEqual([
    0,
    expect.stringMatching(
      /^Published acme\/reg-topic@1\.2\.0 to s3:\/\/reg-iac\/plugins\/ \(sha256 [0-9a-f]{64}/,
    ),
  ]);
  const same = await publish(plugin('reg-topic', '1.2.0', topic('registry-one')));
  expect([same.code, same.output]).toEqual([
    0,
    expect.stringContaining('is already published with these files'),
  ]);
  const other = await publish(plugin('reg-topic', '1.2.0', topic('registry-two')));
  expect([other.code, other.output]).toEqual([
    4,
    expect.stringContaining('acme/reg-topic@1.2.0 is already published with different files'),
  ]);

  // Two publishers race for one version with different files: exactly one wins.
  const racing = await Promise.all([
    publish(plugin('reg-topic', '2.0.0', topic('race-a'))),
    publish(plugin('reg-topic', '2.0.0', topic('race-b'))),
  ]);
  expect(racing.map((r) => r.code).sort()).toEqual([0, 4]);
  expect(racing.find((r) => r.code === 4)?.output).toContain(
    'already published with different files',
  );
  const listed = await runCli(['plugins', 'list', '--bucket', flow.iacBucket], flow.stepEnv());
  expect(listed.output).toContain('acme/reg-topic  2.0.0, 1.2.0');

  // The checkout's PLUGINS_PATH has no reg-topic: the registry gives it.
  useApp('acme/reg-topic@1.2.0');
  const plan = await flow.orchestrate('shop-app');
  expectOk(plan);
  const runId = (plan.outputs.run_id ?? '').split('@')[0] as string;
  const source = await flow.moto.getObjectText(
    flow.iacBucket,
    `runs/${runId}/artifacts/sources/topic.json`,
  );
  const snapshot = JSON.parse(source) as { files: Stored[] };
  expect(mainOf(snapshot.files)).toContain('registry-one');

  // Changed in the bucket after publishing (digest not updated): the approved run still applies
  // what it planned, and the next deployment refuses the changed plugin before opening a run.
  const [contentKey] = await flow.moto.listKeys(
    flow.iacBucket,
    'plugins/acme/reg-topic/1.2.0/content/',
  );
  const archive = JSON.parse(
    await flow.moto.getObjectText(flow.iacBucket, contentKey as string),
  ) as {
    entries: Stored[];
  };
  expect(mainOf(archive.entries)).toContain('registry-one');
  const main = archive.entries.find((e) => e.path === 'templates-deploy/main.tf') as Stored;
  main.base64 = Buffer.from(topic('tampered')).toString('base64');
  await flow.moto.putObject(flow.iacBucket, contentKey as string, JSON.stringify(archive));
  expectOk(await flow.apply(plan));
  const states = await flow.moto.listKeys(flow.tfstateBucket);
  const state = await flow.moto.getObjectText(
    flow.tfstateBucket,
    states.find((k) => k.endsWith('.tfstate')) as string,
  );
  expect(state).toContain('registry-one-orders');
  expect(state).not.toContain('tampered');

  const runsBefore = (await flow.runs()).length;
  const refused = await flow.orchestrate('shop-app', { VERSION: 'v2' });
  expect(refused.exitCode).not.toBe(0);
  expect(errorsOf(refused)).toContain('does not match the digest recorded when it was published');
  expect(errorsOf(refused)).toContain('registry:acme/reg-topic@1.2.0');
  expect((await flow.runs()).length).toBe(runsBefore);
  expect(await flow.lockKeys()).toEqual([]);

  // A version nowhere: every place looked in, and the versions the checkout and registry hold.
  useApp('acme/reg-topic@3.0.0');
  const missing = await flow.orchestrate('shop-app', { VERSION: 'v3' });
  expect(missing.exitCode).not.toBe(0);
  expect(errorsOf(missing)).toContain(
    'Plugin acme/reg-topic@3.0.0 (alias topic) was not found at version 3.0.0; reg-topic is there at version 2.0.0 (registry), 1.2.0 (registry). Looked in: shop-app/.stk/FORKED_PLUGINS/topic, plugins, the plugin registry s3://reg-iac/plugins/.',
  );
  expect(errorsOf(missing)).toContain(
    'deploy-engine plugins publish <plugin folder> --studio acme --bucket <IAC_BUCKET_NAME>',
  );
});

it('refuses a registry plugin that fails the guards like a local one', async () => {
  const exec = await publish(
    plugin(
      'reg-exec',
      '1.0.0',
      'resource "terraform_data" "x" {\n  provisioner "local-exec" {\n    command = "id"\n  }\n}\n',
    ),
  );
  expect(exec.code).toBe(0);
  useApp('acme/reg-exec@1.0.0');
  const guarded = await flow.orchestrate('shop-app', {
    LOCAL_EXEC_ENABLED: 'false',
    VERSION: 'v4',
  });
  expect(guarded.exitCode).not.toBe(0);
  expect(errorsOf(guarded)).toMatch(
    /uses the local-exec provisioner, which LOCAL_EXEC_ENABLED=false forbids/,
  );
  expect(guarded.annotations.map((a) => a.properties.file)).toContain(
    'registry:acme/reg-exec@1.0.0/templates-deploy/main.tf',
  );
  expect(await flow.lockKeys()).toEqual([]);
});
