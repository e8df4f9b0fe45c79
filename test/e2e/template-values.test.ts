/**
 * What templates do with values from other applications and with secrets, through the built
 * bundles, real Terraform and moto_server:
 * - a producer application publishes Connection Interface values carrying `"` and
 *   `${file("/etc/hostname")}`; the consumer's plan and apply treat them as plain strings (before,
 *   the value was pasted into the consumer's HCL and Terraform read the runner's file);
 * - a secret shared value printed whole is a sensitive value in the plan, and never in the log or
 *   the stored plan text; put through a filter it is refused at the template's file and line.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2eFixture } from '../harness/e2e-fixture';
import { errorsOf, expectOk } from '../harness/expect-step';
import { leaksOf } from '../harness/leaks';

jest.setTimeout(240_000);

const flow = e2eFixture({ name: 'tplv' });

function writePlugin(name: string, pluginYaml: string, mainTf: string): void {
  const dir = join(flow.checkout, 'plugins', name);
  mkdirSync(join(dir, 'templates-deploy'), { recursive: true });
  writeFileSync(join(dir, 'plugin.yaml'), pluginYaml);
  writeFileSync(join(dir, 'templates-deploy', 'main.tf'), mainTf);
}

function entry(name: string, alias: string, inputs = ''): string {
  return `    - name: acme/${name}@1.0.0\n      alias: ${alias}\n      type: infra\n      inputs: {${inputs}}\n`;
}

function outputs(alias: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(flow.checkout, `${alias}_outputs.json`), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** Valid HCL when pasted between quotes: it would make the consumer read the runner's file. */
const QUOTE_ATTACK = 'x" == "x" ? file("/etc/hostname") : "';
const TEMPLATE_ATTACK = '${file("/etc/hostname")}';

it("a producer's hostile Connection Interface values stay plain strings in the consumer", async () => {
  writePlugin(
    'hostile-producer',
    `schema-version: v3
kind: plugin
metadata: { name: hostile-producer, version: 1.0.0, description: Publishes hostile values }
spec:
  type: infra
  inputs:
    - name: out
      type: generated-connection
      connection-interface-type: plain-conn
      outputs:
        - { from: name, to: name }
        - { from: label, to: label }
`,
    [
      'output "name" {',
      '  value = "x\\" == \\"x\\" ? file(\\"/etc/hostname\\") : \\""',
      '}',
      'output "label" {',
      '  value = "$${file(\\"/etc/hostname\\")}"',
      '}',
      '',
    ].join('\n'),
  );
  writePlugin(
    'naive-consumer',
    `schema-version: v3
kind: plugin
metadata: { name: naive-consumer, version: 1.0.0, description: Uses another app's values }
spec:
  type: infra
  inputs:
    - { name: upstream, type: required-connection, connection-interface-type: plain-conn }
`,
    [
      'resource "terraform_data" "name" {',
      '  input = "{{ connections.upstream.name }}"',
      '}',
      'resource "terraform_data" "label" {',
      '  input = "{{ connections.upstream.label }}"',
      '}',
      'output "name" {',
      '  value = terraform_data.name.output',
      '}',
      'output "label" {',
      '  value = terraform_data.label.output',
      '}',
      'output "all" {',
      '  value = {{ connections.upstream | tojson }}',
      '}',
      '',
    ].join('\n'),
  );
  flow.writeApp(
    'attacker',
    '01JATTACKER000000000000000',
    entry(
      'hostile-producer',
      'evil',
      ' out: { stk-type: generated-connection, selected: shared-name, type: plain-conn } ',
    ),
  );
  const produced = await flow.orchestrate('attacker');
  expectOk(produced);
  expectOk(await flow.apply(produced));
  expect(outputs('evil')).toEqual({ name: QUOTE_ATTACK, label: TEMPLATE_ATTACK });

  flow.writeApp(
    'victim',
    '01JV1CT1M00000000000000000',
    entry(
      'naive-consumer',
      'use',
      ' upstream: { stk-type: required-connection, selected: shared-name, type: plain-conn } ',
    ),
  );
  const plan = await flow.orchestrate('victim');
  expectOk(plan);
  const applied = await flow.apply(plan);
  expectOk(applied);
  const hostname = readFileSync('/etc/hostname', 'utf8').trim();
  for (const step of [plan, applied]) expect(leaksOf(step, hostname)).toEqual([]);
  expect(outputs('use')).toEqual({
    name: QUOTE_ATTACK,
    label: TEMPLATE_ATTACK,
    all: { name: QUOTE_ATTACK, label: TEMPLATE_ATTACK },
  });
});

describe('secret shared values', () => {
  const secret = 'sv-Opaque-9x2K';

  beforeAll(async () => {
    const set = await flow.cli(['values', 'set', 'API_KEY', '--secret'], `${secret}\n`);
    expect(set.code).toBe(0);
  });

  function secretApp(template: string): void {
    writePlugin(
      'secret-user',
      `schema-version: v3
kind: plugin
metadata: { name: secret-user, version: 1.0.0, description: Uses a secret shared value }
spec:
  type: infra
  inputs: []
`,
      template,
    );
    flow.writeApp('keyed', '01JKEYED000000000000000000', entry('secret-user', 'keyed'));
  }

  it('printed whole, is a sensitive value: "(sensitive value)" in the plan, never in the log or stored plan text', async () => {
    secretApp('resource "terraform_data" "key" {\n  input = "{{ var.API_KEY }}"\n}\n');
    const plan = await flow.orchestrate('keyed');
    expectOk(plan);
    expect(plan.stdout).toContain('(sensitive value)');
    const applied = await flow.apply(plan);
    expectOk(applied);
    for (const step of [plan, applied]) expect(leaksOf(step, secret)).toEqual([]);
    const texts = (await flow.moto.listKeys(flow.iacBucket)).filter((k) => k.endsWith('.txt'));
    expect(texts.length).toBeGreaterThan(0);
    for (const key of texts) {
      expect([key, (await flow.moto.getObjectText(flow.iacBucket, key)).includes(secret)]).toEqual([
        key,
        false,
      ]);
    }
  });

  it.each([['reverse'], ['b64encode']])(
    'put through | %s, is refused at the file and line, and the run is closed',
    async (filter) => {
      secretApp(
        `resource "terraform_data" "key" {\n  input = "{{ var.API_KEY | ${filter} }}"\n}\n`,
      );
      const plan = await flow.orchestrate('keyed');
      expect(plan.exitCode).toBe(1);
      expect(errorsOf(plan)).toMatch(
        new RegExp(`var\\.API_KEY is secret: it cannot be put through the '${filter}' filter`),
      );
      expect(plan.annotations).toContainEqual(
        expect.objectContaining({
          properties: { file: 'plugins/secret-user/templates-deploy/main.tf', line: '2' },
        }),
      );
      expect(leaksOf(plan, [...secret].reverse().join(''))).toEqual([]);
      expect(leaksOf(plan, Buffer.from(secret).toString('base64'))).toEqual([]);
      const runs = await flow.runs();
      expect(runs.filter((r) => r.status === 'RUNNING')).toEqual([]);
    },
  );
});

describe("StackSpot's template semantics (a scaffolded plugin)", () => {
  const pluginYaml = `schema-version: v3
kind: plugin
metadata: { name: scaffolded, version: 1.0.0, description: As stk create plugin makes it }
spec:
  type: infra
  inputs:
    - { name: app_name, type: text }
    - { name: environment, type: text }
`;
  // stk create plugin writes this file; StackSpot renders {{ resource }} and {{ method }} as empty.
  const readme = '# Deploy\n\nResource: {{ resource }}\nMethod: {{ method }}\n';
  const mainTf = [
    '# resource "terraform_data" "old" {',
    '#   input = "disabled"',
    '#}',
    'resource "terraform_data" "env" {',
    '  input = "{{ stk_env }}/{{ inputs.stk_env }}/{{ deploy_engine.environment }}"',
    '}',
    'output "env" {',
    '  value = terraform_data.env.output',
    '}',
    'output "names" {',
    '  value = "{{ app_name | to_camel }} {{ app_name | to_kebab }} {{ environment }} {{ enabled | lower }}"',
    '}',
    '',
  ].join('\n');

  function writeScaffolded(dir: string): void {
    mkdirSync(join(dir, 'templates-deploy'), { recursive: true });
    writeFileSync(join(dir, 'plugin.yaml'), pluginYaml);
    writeFileSync(join(dir, 'templates-deploy', 'README-deploy.md'), readme);
    writeFileSync(join(dir, 'templates-deploy', 'main.tf'), mainTf);
  }

  it('deploys with undefined names as empty text: warnings at the template file and line, and the summary list', async () => {
    writeScaffolded(join(flow.checkout, 'plugins', 'scaffolded'));
    flow.writeApp(
      'scaffold-app',
      '01JSCAFF0LD000000000000000',
      entry('scaffolded', 'scaff', ' app_name: app-rest-3-with-mandate-inputs, environment: blue '),
    );
    const plan = await flow.orchestrate('scaffold-app');
    expectOk(plan);
    const warnings = plan.annotations.filter((a) => a.level === 'warning');
    for (const [name, line] of [
      ['resource', '3'],
      ['method', '4'],
    ]) {
      expect(warnings).toContainEqual(
        expect.objectContaining({
          message: expect.stringContaining(`'${name}' is undefined: it renders as empty text`),
          properties: { file: 'plugins/scaffolded/templates-deploy/README-deploy.md', line },
        }),
      );
    }
    // `enabled` is used in main.tf on line 11 but never defined: a typo stays visible.
    expect(warnings).toContainEqual(
      expect.objectContaining({
        properties: { file: 'plugins/scaffolded/templates-deploy/main.tf', line: '11' },
      }),
    );
    expect(warnings).toContainEqual(
      expect.objectContaining({
        message: expect.stringContaining(
          "Input 'environment' has the name of one of this engine's template variables",
        ),
      }),
    );
    expect(warnings.filter((w) => w.message.includes("'resource' is undefined"))).toHaveLength(1);
    expect(plan.summary).toContain('Undefined template names');
    expect(plan.summary).toContain(
      '<code>resource</code></td><td><code>plugins/scaffolded/templates-deploy/README-deploy.md:3</code>',
    );
    const applied = await flow.apply(plan);
    expectOk(applied);
    expect(applied.summary).toContain('<code>method</code>');
    expect(outputs('scaff')).toEqual({
      env: 'dev/dev/dev',
      names: 'AppRest3WithMandateInputs app-rest-3-with-mandate-inputs blue ',
    });
  });

  it('with FEATURES_TEMPLATE_STRICT: true refuses them, at the template of a plugin at the repository root', async () => {
    writeScaffolded(flow.checkout);
    flow.writeApp(
      'scaffold-root',
      '01JSCAFF0LDR00T00000000000',
      entry('scaffolded', 'scaff', ' app_name: x, environment: blue '),
    );
    const plan = await flow.orchestrate('scaffold-root', {
      PLUGINS_PATH: '.',
      FEATURES_TEMPLATE_STRICT: 'true',
    });
    expect(plan.exitCode).toBe(1);
    expect(errorsOf(plan)).toMatch(/'resource' is undefined/);
    expect(plan.annotations).toContainEqual(
      expect.objectContaining({
        level: 'error',
        properties: expect.objectContaining({
          file: 'templates-deploy/README-deploy.md',
          line: '3',
        }),
      }),
    );
    expect(JSON.stringify(plan.annotations)).not.toContain(flow.checkout);
    const runs = await flow.runs();
    expect(runs.filter((r) => r.status === 'RUNNING')).toEqual([]);
  });
});
