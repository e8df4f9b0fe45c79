/**
 * TerraformProject with real Terraform and a real S3 backend (moto_server on 127.0.0.1).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CancelledError,
  ConfigurationError,
  ExternalError,
  StoredObjectError,
  locateTerraform,
  MemoryLogger,
  stateKey,
  TerraformProject,
} from '@deploy-engine/core';
import { startMoto, type MotoServer } from '../harness/moto';
import { localStateBackend, terraform as terraformCli } from '../harness/terraform';

let moto: MotoServer;

beforeAll(async () => {
  moto = await startMoto();
  await moto.createBucket('tf-states');
});

afterAll(async () => {
  await moto?.stop();
});

function project(
  files: Record<string, string>,
  extra: Partial<ConstructorParameters<typeof TerraformProject>[0]> = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'tfp-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const logger = new MemoryLogger();
  const terraform = new TerraformProject({
    binary: 'terraform',
    dir,
    env: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' },
    logger,
    label: 'iac/test',
    ...extra,
  });
  return { dir, logger, terraform };
}

const keyOf = (alias: string) =>
  stateKey({ workspace: 'shop', environment: 'dev', appKind: 'app', appId: 'APP', alias });
const backend = (alias: string) => localStateBackend(moto, 'tf-states').settings(keyOf(alias));

async function stateOf(
  alias: string,
): Promise<{ resources: { instances: { status?: string }[] }[] }> {
  return JSON.parse(await moto.getObjectText('tf-states', keyOf(alias))) as never;
}

it('finds terraform and its version', async () => {
  const found = await locateTerraform({ logger: new MemoryLogger() });
  expect(found.version).toMatch(/^\d+\.\d+\.\d+/);
  await expect(
    locateTerraform({ path: '/nonexistent/terraform', logger: new MemoryLogger() }),
  ).rejects.toThrow(ConfigurationError);
});

it('inits, applies, reads outputs and destroys with the state in S3, even when the plugin declares its own backend', async () => {
  const { terraform, logger } = project({
    'main.tf': `terraform {\n  backend "local" {}\n}\nresource "terraform_data" "x" { input = "hello" }\noutput "greeting" { value = terraform_data.x.output }\noutput "secret" {\n  value = "s3cr3t-value"\n  sensitive = true\n}\n`,
  });
  await terraform.init(backend('simple'));
  expect(await terraform.apply()).toEqual({ added: 1, changed: 0, destroyed: 0 });
  expect(await terraform.output()).toMatchObject({
    greeting: { value: 'hello', sensitive: false },
    secret: { value: 's3cr3t-value', sensitive: true },
  });
  expect((await stateOf('simple')).resources).toHaveLength(1);
  expect(await terraform.apply()).toEqual({ added: 0, changed: 0, destroyed: 0 });
  expect(await terraform.apply({ destroy: true })).toEqual({ added: 0, changed: 0, destroyed: 1 });
  expect((await stateOf('simple')).resources).toHaveLength(0);
  expect(logger.messages('info').join('\n')).not.toContain('s3cr3t-value');
  expect(await moto.listKeys('tf-states', 'shop/dev/app/APP/simple/')).toEqual([keyOf('simple')]);
});

it('reads outputs and the state version from the state object as Terraform itself does, without a Terraform process', async () => {
  const files = {
    'main.tf': `resource "terraform_data" "x" { input = "hi" }\noutput "plain" { value = terraform_data.x.output }\noutput "list" { value = [1, 2] }\noutput "hidden" {\n  value = "sh-value"\n  sensitive = true\n}\n`,
  };
  const reads: string[] = [];
  const direct = project(files);
  const settings = backend('direct');
  const readState = settings.readState;
  await direct.terraform.init({
    ...settings,
    readState: () => {
      reads.push(settings.settings.key as string);
      return readState?.() ?? Promise.resolve(undefined);
    },
  });
  expect(await direct.terraform.stateVersion()).toBeUndefined();
  await direct.terraform.apply();
  const byTerraform = project(files);
  await byTerraform.terraform.init({ type: settings.type, settings: settings.settings });
  const printed = await terraformCli(['output', '-json'], byTerraform.dir, {
    ...moto.env,
    TF_CLI_CONFIG_FILE: join(byTerraform.dir, '.deploy-engine', 'terraformrc'),
  });
  expect(await direct.terraform.output()).toEqual(JSON.parse(printed.stdout));
  expect(await direct.terraform.output()).toMatchObject({
    hidden: { value: 'sh-value', sensitive: true },
    list: { value: [1, 2], sensitive: false },
  });
  expect(await direct.terraform.stateVersion()).toEqual(await byTerraform.terraform.stateVersion());
  expect(reads).toEqual(Array(4).fill(keyOf('direct')));
  const commands = direct.logger.messages('debug').map((m) => /^terraform (\S+)/.exec(m)?.[1]);
  expect(commands).toEqual(['init', 'apply']);

  const garbled = project(files);
  await garbled.terraform.init({ ...settings, readState: () => Promise.resolve('{not json') });
  const corrupt = garbled.terraform.output();
  await expect(corrupt).rejects.toBeInstanceOf(StoredObjectError);
  await expect(corrupt).rejects.toThrow(
    `s3://tf-states/${keyOf('direct')} is not valid JSON: it is the Terraform state of iac/test`,
  );
});

it('plans to a file and applies exactly that plan', async () => {
  const { terraform, dir } = project({
    'main.tf': 'resource "terraform_data" "p" { input = 1 }\n',
  });
  await terraform.init(backend('planned'));
  const plan = await terraform.plan({ out: join(dir, 'plan.tfplan') });
  expect(plan).toEqual({
    added: 1,
    changed: 0,
    destroyed: 0,
    hasChanges: true,
    text: expect.stringContaining('# terraform_data.p will be created'),
  });
  expect(await terraform.applyPlan('plan.tfplan')).toEqual({ added: 1, changed: 0, destroyed: 0 });
  expect((await terraform.plan({ out: join(dir, 'again.tfplan') })).hasChanges).toBe(false);
});

it('reports a configuration error with the file and line Terraform named', async () => {
  const { terraform } = project({
    'main.tf': 'resource "terraform_data" "x" {\n  input = 1\n  colour = "red"\n}\n',
  });
  await terraform.init(backend('broken')).catch(() => undefined);
  const error = await terraform.apply().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigurationError);
  expect((error as ConfigurationError).problems[0]).toMatchObject({
    message: expect.stringMatching(/^Terraform: Unsupported argument/),
    location: { file: 'iac/test/main.tf', line: 3 },
  });
});

it('masks secrets in everything Terraform prints', async () => {
  const { terraform, logger } = project(
    {
      'main.tf':
        'resource "terraform_data" "x" { input = "token-ABC123" }\noutput "o" { value = terraform_data.x.output }\n',
    },
    { secrets: ['token-ABC123'] },
  );
  await terraform.init(backend('masked'));
  await terraform.apply();
  const printed = logger.messages('info').join('\n');
  expect(printed).toContain('***');
  expect(printed).not.toContain('token-ABC123');
});

it('interrupts an apply when cancelled: Terraform stops, saves its state and releases its lock', async () => {
  const controller = new AbortController();
  const { terraform } = project(
    {
      'main.tf':
        'resource "terraform_data" "fast" { input = 1 }\nresource "terraform_data" "slow" {\n  depends_on = [terraform_data.fast]\n  provisioner "local-exec" { command = "sleep 30" }\n}\n',
    },
    { signal: controller.signal, graceMs: { interrupt: 8000, terminate: 2000 } },
  );
  await terraform.init(backend('cancelled'));
  const started = Date.now();
  setTimeout(() => controller.abort(), 2500);
  const error = await terraform.apply().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CancelledError);
  expect(Date.now() - started).toBeLessThan(15000);
  const state = await stateOf('cancelled');
  expect(state.resources.length).toBeGreaterThanOrEqual(1);
  expect(await moto.listKeys('tf-states', 'shop/dev/app/APP/cancelled/')).toEqual([
    keyOf('cancelled'),
  ]);
}, 30000);

it('interrupts an apply that outlives its timeout, as a retryable outside failure', async () => {
  const { terraform } = project(
    {
      'main.tf':
        'resource "terraform_data" "slow" {\n  provisioner "local-exec" { command = "sleep 30" }\n}\n',
    },
    { timeoutMs: 2000, graceMs: { interrupt: 5000, terminate: 2000 } },
  );
  await terraform.init(backend('timeout'));
  const started = Date.now();
  const error = await terraform.apply().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ExternalError);
  expect((error as Error).message).toMatch(/did not finish within 2 s and was interrupted/);
  expect(Date.now() - started).toBeLessThan(12000);
}, 30000);
