/**
 * Plugins with a real provider (not built into Terraform) through the built bundles: the runner's
 * Terraform CLI configuration points at a provider network mirror on 127.0.0.1 and holds a
 * registry token; each job downloads the provider once, whatever the number of plugins, and the
 * token appears nowhere.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2eFixture } from '../harness/e2e-fixture';
import { explain } from '../harness/expect-step';
import { leaksOf } from '../harness/leaks';
import {
  MARKER_SOURCE,
  markerResource,
  startProviderMirror,
  type ProviderMirror,
} from '../harness/provider-mirror';

let network: ProviderMirror;
const flow = e2eFixture({ name: 'prov', env: () => network.env });
const TOKEN = 'reg1stry-t0ken-NEVER-SHOWN';
/** The test provider is not in the default allow-list: the workflow allows it. */
const PROVIDERS = { FEATURES_TERRAFORM_PROVIDERS: JSON.stringify([MARKER_SOURCE]) };

beforeAll(async () => {
  network = await startProviderMirror();
  // The runner's CLI configuration: the mirror, plus credentials for a private registry.
  const config = readFileSync(network.cliConfig, 'utf8');
  writeFileSync(
    network.cliConfig,
    `${config}credentials "registry.acme.example" {\n  token = "${TOKEN}"\n}\n`,
  );
  const plugin = (name: string, body: string, inputs: string, generates = '') => {
    const dir = join(flow.checkout, 'plugins', name);
    mkdirSync(join(dir, 'templates-deploy'), { recursive: true });
    writeFileSync(
      join(dir, 'plugin.yaml'),
      `schema-version: v3\nkind: plugin\nmetadata: { name: ${name}, version: 1.0.0 }\nspec:\n  type: infra\n  inputs:\n${inputs}${generates}`,
    );
    writeFileSync(join(dir, 'templates-deploy', 'main.tf'), body);
  };
  plugin(
    'marker-root',
    `${markerResource('root', '"root-{{ label }}"')}output "id" { value = marker_value.root.output }\n`,
    '    - { name: label, type: text, required: true }\n    - { name: out, type: generated-connection, connection-interface-type: marker-conn, outputs: [{ from: id, to: id }] }\n',
  );
  plugin(
    'marker-leaf',
    `${markerResource('leaf', '"{{ connections.upstream.id }}/{{ alias }}"')}output "value" { value = marker_value.leaf.output }\n`,
    '    - { name: upstream, type: required-connection, connection-interface-type: marker-conn }\n',
  );
});

afterAll(async () => {
  await network?.stop();
});

it('downloads each provider once per job, however many plugins use it, and masks registry tokens', async () => {
  const leaves = ['k1', 'k2', 'k3', 'k4'];
  flow.writeApp(
    'prov',
    '01JPR0V0000000000000000000',
    `    - name: acme/marker-root@1.0.0
      alias: root
      type: infra
      inputs:
        label: fan
        out: { stk-type: generated-connection, selected: prov-root, type: marker-conn }
${leaves
  .map(
    (l) => `    - name: acme/marker-leaf@1.0.0
      alias: ${l}
      type: infra
      inputs:
        upstream: { stk-type: required-connection, selected: prov-root, type: marker-conn }
`,
  )
  .join('')}`,
  );
  const plan = await flow.orchestrate('prov', { TASK_PARALLELISM: '2', ...PROVIDERS });
  expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
  // orchestrate-and-plan planned the root only (the leaves need its interface): one download.
  expect(network.downloads()).toBe(1);
  const applied = await flow.apply(plan, { with: { TASK_PARALLELISM: '2', ...PROVIDERS } });
  expect([applied.exitCode, explain(applied)]).toEqual([0, expect.any(String)]);
  // runtime-tasks: five plugins, five inits (two of them at once), one download.
  expect(network.downloads()).toBe(2);

  for (const leaf of leaves) {
    const outputs = JSON.parse(
      readFileSync(join(flow.checkout, `${leaf}_outputs.json`), 'utf8'),
    ) as Record<string, unknown>;
    expect(outputs.value).toBe(`root-fan/${leaf}`);
  }
  expect(applied.log).toContain(`Terraform CLI configuration: ${network.cliConfig}.`);
  // (The moto credentials are "test", so every "test" in the log is masked, the host's too.)
  expect(
    applied.log.match(
      /Provider mirror: kept deploy-engine\.\S+\/bench\/marker\/1\.0\.0\/linux_amd64;/g,
    ),
  ).toHaveLength(1);
  for (const step of [plan, applied]) {
    expect(step.masks).toContain(TOKEN);
    expect(leaksOf(step, TOKEN)).toEqual([]);
  }
}, 180000);

it.each([
  [
    'JSON',
    'runner-terraformrc.json',
    (token: string) =>
      JSON.stringify({
        credentials: { 'registry.acme.example': { token } },
        provider_installation: { network_mirror: { url: network.url } },
      }),
  ],
  [
    'HCL with a one-line credentials block',
    'runner-terraformrc',
    (token: string) =>
      `credentials "registry.acme.example" { token = "${token}" }\nprovider_installation {\n  network_mirror {\n    url = "${network.url}"\n  }\n}\n`,
  ],
])(
  'a runner CLI configuration in %s works, and its token and TF_TOKEN_<host> variables are masked',
  async (_, name, text) => {
    const token = `cfg-${name.length}-t0ken-NEVER-SHOWN`;
    const envToken = 'env-t0ken-NEVER-SHOWN';
    const config = join(flow.checkout, '..', name);
    writeFileSync(config, text(token));
    flow.writeApp(
      `prov-${name.length}`,
      `01JPR0V000000000000000000${name.length % 10}`,
      `    - name: acme/marker-root@1.0.0
      alias: root
      type: infra
      inputs:
        label: cfg
        out: { stk-type: generated-connection, selected: prov-cfg-${name.length}, type: marker-conn }
`,
    );
    const plan = await flow.orchestrate(
      `prov-${name.length}`,
      { ...PROVIDERS },
      {
        env: { TF_CLI_CONFIG_FILE: config, TF_TOKEN_registry_acme_example: envToken },
      },
    );
    expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
    for (const secret of [token, envToken]) {
      expect(plan.masks).toContain(secret);
      expect(leaksOf(plan, secret)).toEqual([]);
    }
  },
  120000,
);
