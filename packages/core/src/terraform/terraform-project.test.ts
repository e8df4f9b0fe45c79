/**
 * What a Terraform process gets from TerraformProject, seen by a stand-in binary that records its
 * environment and the files it is pointed at: a minimal environment, and private files (its CLI
 * configuration, its output) outside the project, private to us and gone once it has ended.
 */
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLogger } from '../logging';
import { TerraformProject } from './terraform-project';

const RUNNER_SECRETS = {
  INPUT_AWS_SECRET_ACCESS_KEY: 'input-secret-key',
  INPUT_GITHUB_TOKEN: 'ghs_input',
  GITHUB_TOKEN: 'ghs_env',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-request-token',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.actions.example/',
  ACTIONS_RUNTIME_TOKEN: 'runtime-token',
  AWS_SECRET_ACCESS_KEY: 'runner-ambient-secret',
};

let saved: Record<string, string | undefined>;
beforeAll(() => {
  saved = Object.fromEntries(Object.keys(RUNNER_SECRETS).map((k) => [k, process.env[k]]));
  Object.assign(process.env, RUNNER_SECRETS);
});
afterAll(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** A stand-in for terraform: records its environment and what its CLI configuration looks like. */
function recordingBinary(): { binary: string; record: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fake-terraform-'));
  const record = join(dir, 'record');
  const binary = join(dir, 'terraform');
  writeFileSync(
    binary,
    [
      '#!/bin/sh',
      `env > '${record}.env'`,
      `stat -c '%a' "$TF_CLI_CONFIG_FILE" "$(dirname "$TF_CLI_CONFIG_FILE")" > '${record}.modes'`,
      `cat "$TF_CLI_CONFIG_FILE" > '${record}.config'`,
      '',
    ].join('\n'),
  );
  chmodSync(binary, 0o755);
  return { binary, record };
}

it('gives Terraform a minimal environment: no action inputs, GitHub tokens or runner credentials', async () => {
  const { binary, record } = recordingBinary();
  const dir = mkdtempSync(join(tmpdir(), 'project-'));
  await new TerraformProject({
    binary,
    dir,
    env: { AWS_ACCESS_KEY_ID: 'AKIAPLAN', AWS_SECRET_ACCESS_KEY: 'plan-secret' },
    logger: new MemoryLogger(),
  }).apply();
  const env = readFileSync(`${record}.env`, 'utf8');
  const names = env.split('\n').map((line) => line.split('=')[0]);
  expect(names.filter((n) => n?.startsWith('INPUT_'))).toEqual([]);
  for (const name of ['GITHUB_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'ACTIONS_RUNTIME_TOKEN'])
    expect(names).not.toContain(name);
  for (const value of Object.values(RUNNER_SECRETS)) expect(env).not.toContain(value);
  expect(env).toContain('AWS_SECRET_ACCESS_KEY=plan-secret');
});

it('keeps its CLI configuration and output outside the project, private, and removes them', async () => {
  const { binary, record } = recordingBinary();
  const dir = mkdtempSync(join(tmpdir(), 'project-'));
  const privateDir = join(mkdtempSync(join(tmpdir(), 'step-')), 'private');
  await new TerraformProject({
    binary,
    dir,
    env: {},
    logger: new MemoryLogger(),
    privateDir,
    runnerCliConfig: {
      path: '/runner/.terraformrc',
      text: 'credentials "r.example" { token = "registry-token" }\n',
    },
  }).plan({ out: 'plan.bin' });
  const env = readFileSync(`${record}.env`, 'utf8');
  const config = /^TF_CLI_CONFIG_FILE=(.*)$/m.exec(env)?.[1] ?? '';
  expect(config.startsWith(`${privateDir}/`)).toBe(true);
  expect(readFileSync(`${record}.config`, 'utf8')).toContain('registry-token');
  expect(readFileSync(`${record}.modes`, 'utf8').split('\n')).toEqual(['600', '700', '']);
  // Nothing of ours is left in the project, and the command's own folder is gone.
  expect(readdirSync(dir)).toEqual([]);
  expect(existsSync(config)).toBe(false);
  expect(readdirSync(privateDir)).toEqual([]);
});
