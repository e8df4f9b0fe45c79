/**
 * A plugin that ships its own provider package (`terraform.d/plugins` in templates-deploy, copied
 * into the rendered project as it is) through the built bundles: with a runner CLI configuration
 * in JSON that has no provider_installation (which the engine used to pass on as it was),
 * Terraform installed the plugin's package from its implicit folder and orchestrate-and-plan ran
 * it, before approval. Two layers stop it now: the guard refuses a `terraform.d` folder (and the
 * provider it names, which no allow-list entry admits) before `terraform init`, and Terraform's CLI
 * configuration always lists its installation sources, so even a project that reached init would
 * not install from the folder (that second layer is tested with real Terraform on its own in
 * test/terraform/provider-sources.test.ts). The plugin's package never runs.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2eFixture } from '../harness/e2e-fixture';
import { markerPackageZip, markerResource } from '../harness/provider-mirror';

const flow = e2eFixture({
  name: 'shipped',
  env: () => ({
    TF_CLI_CONFIG_FILE: runnerConfig,
    // Direct installation would look deploy-engine.test up: through a closed port on loopback.
    HTTPS_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '127.0.0.1',
  }),
});
const sentinel = join(mkdtempSync(join(tmpdir(), 'shipped-provider-')), 'ran');
const runnerConfig = join(mkdtempSync(join(tmpdir(), 'runner-json-')), 'terraformrc.json');

beforeAll(async () => {
  writeFileSync(
    runnerConfig,
    JSON.stringify({ credentials: { 'registry.acme.example': { token: 'json-t0ken' } } }),
  );
  const templates = join(flow.checkout, 'plugins', 'shipper', 'templates-deploy');
  const packed = join(templates, 'terraform.d', 'plugins', 'deploy-engine.test', 'bench', 'marker');
  mkdirSync(packed, { recursive: true });
  const zip = await markerPackageZip(sentinel);
  writeFileSync(join(packed, zip.name), zip.data);
  writeFileSync(join(templates, 'main.tf'), markerResource('v', '"shipped"'));
  writeFileSync(
    join(flow.checkout, 'plugins', 'shipper', 'plugin.yaml'),
    'schema-version: v3\nkind: plugin\nmetadata: { name: shipper, version: 1.0.0 }\nspec:\n  type: infra\n  inputs: []\n',
  );
  flow.writeApp(
    'shipped',
    '01JSH1PPED0000000000000000',
    '    - name: acme/shipper@1.0.0\n      alias: shipper\n      type: infra\n      inputs: {}\n',
  );
});

it('never installs nor runs a provider package a plugin ships in terraform.d/plugins (runner CLI configuration in JSON)', async () => {
  writeFileSync(sentinel, '');
  const plan = await flow.orchestrate('shipped');
  expect(readFileSync(sentinel, 'utf8')).toBe('');
  expect(plan.exitCode).toBe(1);
  // (moto's credentials are "test": every "test" in the log is masked, the host's too.)
  expect(plan.log).toMatch(
    /plugins\/shipper\/templates-deploy\/terraform\.d: terraform\.d is refused/,
  );
  expect(plan.log).toMatch(
    /needs provider deploy-engine\.\S+\/bench\/marker, which FEATURES_TERRAFORM_PROVIDERS does not allow/,
  );
  expect(plan.outputs.run_id).toBe('');
}, 120000);
