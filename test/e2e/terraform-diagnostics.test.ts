/**
 * Terraform's errors and warnings named where a user can fix them, through the built bundles with
 * real Terraform and the real hashicorp/aws provider: a plugin at the repository root
 * (PLUGINS_PATH: .) whose loop moves its rendered lines has an invalid argument and a deprecated
 * one; the error is annotated once, at the template and its line (not the rendered copy, not the
 * runner's path), without Terraform's frame, and the run ends USER_ERROR; the warning is annotated
 * at its line; a plugin whose Terraform sits in a sub-folder only is a warning naming it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsProviderCliConfig } from '../harness/aws-provider';
import { e2eFixture } from '../harness/e2e-fixture';
import { explain } from '../harness/expect-step';

jest.setTimeout(300_000);

const flow = e2eFixture({
  name: 'tfdiag',
  env: () => ({ TF_CLI_CONFIG_FILE: awsProviderCliConfig().path }),
});

/** The repository-root plugin's template: the loop makes rendered and template lines differ. */
const ROOT_TEMPLATE = `{# Queues of the application, one per name #}
{% for q in ['orders', 'billing', 'audit'] %}
resource "aws_sqs_queue" "{{ q }}" {
  name = "{{ q }}-{{ environment }}"
}
{% endfor %}
resource "aws_s3_bucket" "archive" {
  bucket = "diag-archive"
  acl    = "private"
}
resource "aws_sns_topic" "events" {
  name  = "diag-events"
  bogus = 1
}
provider "aws" {
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
`;
const lineOf = (needle: string) =>
  String(ROOT_TEMPLATE.split('\n').findIndex((l) => l.includes(needle)) + 1);

const pluginYaml = (name: string) =>
  `schema-version: v3\nkind: plugin\nmetadata: { name: ${name}, version: 1.0.0, description: ${name} }\nspec:\n  type: infra\n  inputs: []\n`;

beforeAll(async () => {
  // The repository root is a plugin.
  mkdirSync(join(flow.checkout, 'templates-deploy'), { recursive: true });
  writeFileSync(join(flow.checkout, 'plugin.yaml'), pluginYaml('root-queues'));
  writeFileSync(join(flow.checkout, 'templates-deploy', 'main.tf'), ROOT_TEMPLATE);
  // A plugin whose Terraform is in a sub-folder only.
  const nested = join(flow.checkout, 'plugins', 'nested', 'templates-deploy', 'terraform');
  mkdirSync(nested, { recursive: true });
  writeFileSync(join(flow.checkout, 'plugins', 'nested', 'plugin.yaml'), pluginYaml('nested'));
  writeFileSync(join(nested, 'main.tf'), 'resource "terraform_data" "x" {}\n');
});

it("names Terraform's error and warning at the template's line once, and a plugin with no top-level Terraform", async () => {
  flow.writeApp(
    'diag-app',
    '01JD1AG0000000000000000000',
    `    - { name: acme/nested@1.0.0, alias: nested, type: infra, inputs: {} }\n    - { name: acme/root-queues@1.0.0, alias: rooted, type: infra, inputs: {} }\n`,
  );
  const plan = await flow.orchestrate('diag-app', { PLUGINS_PATH: '.,plugins' });
  expect([plan.exitCode, explain(plan)]).toEqual([1, expect.any(String)]);
  const at = (level: string, file: string) =>
    plan.annotations.filter((a) => a.level === level && a.properties.file === file);

  // The invalid argument: one annotation, at the template and its line.
  const mentions = plan.annotations.filter((a) => a.message.includes('Unsupported argument'));
  expect(mentions).toEqual([
    expect.objectContaining({
      level: 'error',
      properties: expect.objectContaining({
        file: 'templates-deploy/main.tf',
        line: lineOf('bogus'),
      }),
    }),
  ]);
  // The step's failure says where to look rather than repeating it.
  expect(plan.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toContainEqual(
    expect.stringMatching(
      /configuration error\..*See the annotation at templates-deploy\/main\.tf:\d+\.$/,
    ),
  );
  // The deprecated argument: a warning at its line.
  expect(at('warning', 'templates-deploy/main.tf')).toEqual([
    expect.objectContaining({
      message: expect.stringMatching(/^Terraform: Argument is deprecated/),
      properties: expect.objectContaining({ line: lineOf('acl') }),
    }),
  ]);
  // The plugin with Terraform in a sub-folder only.
  expect(at('warning', 'plugins/nested/templates-deploy')).toEqual([
    expect.objectContaining({
      message: expect.stringContaining(
        "renders no Terraform file at its top level, so this plugin deploys nothing: Terraform reads only the top folder, and this plugin's .tf files are in plugins/nested/templates-deploy/terraform.",
      ),
    }),
  ]);
  // Nothing names the runner's paths, the rendered copy, or carries Terraform's frame.
  for (const annotation of plan.annotations) {
    expect(annotation.message).not.toContain(flow.checkout);
    expect(annotation.message).not.toMatch(/[│╷╵]|rooted\/main\.tf/);
    expect(annotation.properties.file ?? '').not.toMatch(/^\/|^rooted\//);
  }
  const [run] = await flow.runs();
  expect(run?.status).toBe('USER_ERROR');
});
