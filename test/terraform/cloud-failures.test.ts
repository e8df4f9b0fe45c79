/**
 * Terraform's own failures classified as users would, with real Terraform and the real
 * hashicorp/aws provider: the cloud failing (a dropped connection, a 503, throttling, an expired
 * token) is an outside failure, retryable; a refused permission (AccessDenied) or an invalid
 * configuration is the user's. The cloud is moto_server and a failing API on 127.0.0.1.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  classifyError,
  ConfigurationError,
  ExternalError,
  MemoryLogger,
  stateKey,
  TerraformProject,
} from '@deploy-engine/core';
import { awsProviderBlock, awsProviderCliConfig } from '../harness/aws-provider';
import { startFaultyCloud, type Fault, type FaultyCloud } from '../harness/cloud-faults';
import { startMoto, type MotoServer } from '../harness/moto';
import { localStateBackend } from '../harness/terraform';

let moto: MotoServer;
let cloud: FaultyCloud;
const runnerCliConfig = awsProviderCliConfig();

beforeAll(async () => {
  [moto, cloud] = await Promise.all([startMoto(), startFaultyCloud()]);
  await moto.createBucket('tf-states');
});

afterAll(async () => {
  await Promise.all([moto?.stop(), cloud?.stop()]);
});

async function project(alias: string, main: string) {
  const dir = mkdtempSync(join(tmpdir(), 'tf-cloud-'));
  writeFileSync(join(dir, 'main.tf'), main);
  const logger = new MemoryLogger();
  const terraform = new TerraformProject({
    binary: 'terraform',
    dir,
    env: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' },
    logger,
    label: 'plugins/topics/templates-deploy',
    runnerCliConfig,
    timeoutMs: 120000,
  });
  await terraform.init(
    localStateBackend(moto, 'tf-states').settings(
      stateKey({ workspace: 'shop', environment: 'dev', appKind: 'app', appId: 'A', alias }),
    ),
  );
  return { terraform, logger };
}

const lineIn = (text: string, needle: string) =>
  text.split('\n').findIndex((l) => l.includes(needle)) + 1;

it('a dropped connection, a 503, throttling and an expired token are outside failures, retryable; AccessDenied beside them is the user’s; each once, at its line', async () => {
  // One provider (one process: its start is most of the cost), one failing API per service.
  const main = `${awsProviderBlock(moto.endpoint, undefined, {
    sns: cloud.endpoint('reset'),
    rds: cloud.endpoint('unavailable'),
    ses: cloud.endpoint('expired'),
    iam: cloud.endpoint('denied'),
    elasticache: cloud.endpoint('throttled'),
  })}resource "aws_sns_topic" "reset" {
  name = "reset"
}
resource "aws_db_parameter_group" "unavailable" {
  name   = "unavailable"
  family = "postgres16"
}
resource "aws_ses_email_identity" "expired" {
  email = "expired@example.com"
}
resource "aws_iam_user" "denied" {
  name = "denied"
}
resource "aws_elasticache_parameter_group" "throttled" {
  name   = "throttled"
  family = "redis7"
}
`;
  const { terraform } = await project('mixed', main);
  const error = await terraform.apply().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ExternalError);
  expect(classifyError(error)).toBe('RUNTIME_ERROR');
  expect((error as ExternalError).retryable).toBe(true);
  const problems = (error as ExternalError).problems;
  // Each of Terraform's errors once, at the line of its resource, without Terraform's frame.
  const at = (name: string) => ({
    file: 'plugins/topics/templates-deploy/main.tf',
    line: lineIn(main, `" "${name}" {`),
  });
  const faults: Fault[] = ['reset', 'unavailable', 'expired', 'denied', 'throttled'];
  expect(problems.map((p) => p.location)).toEqual(expect.arrayContaining(faults.map(at)));
  expect(problems).toHaveLength(faults.length);
  expect((error as Error).message).not.toMatch(/[│╷╵]/);
  // Each classified on its own: the refused permission is the user's, the rest the cloud's.
  const hints = Object.fromEntries(
    faults.map((f) => [f, problems.find((p) => p.location?.line === at(f).line)?.hint ?? 'none']),
  );
  expect(hints).toEqual({
    reset: 'none',
    unavailable: 'none',
    expired: expect.stringMatching(/did not accept the credentials/),
    denied: expect.stringMatching(/refused this action/),
    throttled: 'none',
  });
}, 180000);

it('AccessDenied alone is the user’s (USER_ERROR), with what to do', async () => {
  const main = `${awsProviderBlock(cloud.endpoint('denied'))}resource "aws_sns_topic" "denied" {\n  name = "denied"\n}\n`;
  const { terraform } = await project('denied', main);
  const error = await terraform.apply().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigurationError);
  expect(classifyError(error)).toBe('USER_ERROR');
  expect((error as ConfigurationError).problems).toEqual([
    {
      message: expect.stringMatching(
        /AccessDenied: User: .* is not authorized to perform: sns:CreateTopic/,
      ),
      location: {
        file: 'plugins/topics/templates-deploy/main.tf',
        line: lineIn(main, '"aws_sns_topic"'),
      },
      hint: expect.stringMatching(/refused this action: grant it/),
    },
  ]);
}, 120000);

it('an unsupported argument is the user’s, and a deprecation warning is annotated at its line', async () => {
  const main = `${awsProviderBlock(moto.endpoint)}resource "aws_s3_bucket" "b" {\n  bucket = "b"\n  acl    = "private"\n}\nresource "aws_sns_topic" "t" {\n  name  = "t"\n  bogus = 1\n}\n`;
  const { terraform, logger } = await project('invalid', main);
  const error = await terraform
    .plan({ out: join(tmpdir(), 'never.tfplan') })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigurationError);
  expect((error as ConfigurationError).problems).toEqual([
    {
      message: 'Terraform: Unsupported argument (An argument named "bogus" is not expected here.)',
      location: { file: 'plugins/topics/templates-deploy/main.tf', line: lineIn(main, 'bogus') },
    },
  ]);
  const warnings = logger.entries.filter((e) => e.level === 'warning');
  expect(warnings).toEqual([
    expect.objectContaining({
      message: expect.stringMatching(/^Terraform: Argument is deprecated \(acl is deprecated/),
      location: { file: 'plugins/topics/templates-deploy/main.tf', line: lineIn(main, 'acl') },
    }),
  ]);
}, 120000);
