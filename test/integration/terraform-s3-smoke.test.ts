/**
 * The two real parts every later test stands on: real Terraform with its S3 backend against a real
 * S3 server (moto_server) on loopback. Applies a terraform_data project and reads the state back.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMoto, type MotoServer } from '../harness/moto';
import { s3BackendConfig, terraform } from '../harness/terraform';

let moto: MotoServer;

beforeAll(async () => {
  moto = await startMoto();
  await moto.createBucket('smoke-tfstate');
});

afterAll(async () => {
  await moto?.stop();
});

it('applies a terraform_data project with state in S3 and reads outputs and state back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tf-smoke-'));
  writeFileSync(
    join(dir, 'main.tf'),
    `terraform {
  backend "s3" {}
}
variable "name" { type = string }
resource "terraform_data" "topic" {
  input = "topic-\${var.name}"
}
output "topic_name" { value = terraform_data.topic.output }
`,
  );
  const key = 'smoke/ws/dev/app/topic/terraform.tfstate';
  const env = { ...moto.env };

  const init = await terraform(
    ['init', '-input=false', '-no-color', ...s3BackendConfig(moto.endpoint, 'smoke-tfstate', key)],
    dir,
    env,
  );
  expect(init.stderr).toBe('');
  expect(init.code).toBe(0);

  const apply = await terraform(
    ['apply', '-auto-approve', '-input=false', '-no-color', '-var', 'name=orders'],
    dir,
    env,
  );
  expect(apply.stderr).toBe('');
  expect(apply.stdout).toMatch(/Apply complete! Resources: 1 added/);

  const output = await terraform(['output', '-json'], dir, env);
  expect(JSON.parse(output.stdout)).toMatchObject({ topic_name: { value: 'topic-orders' } });

  const state = JSON.parse(await moto.getObjectText('smoke-tfstate', key)) as {
    resources: { type: string; instances: { attributes: { output: { value: string } } }[] }[];
  };
  expect(state.resources[0]?.type).toBe('terraform_data');
  expect(state.resources[0]?.instances[0]?.attributes.output.value).toBe('topic-orders');
  // use_lockfile released its lock after the apply.
  expect(await moto.listKeys('smoke-tfstate')).toEqual([key]);
});
