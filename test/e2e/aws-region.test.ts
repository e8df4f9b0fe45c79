/**
 * AWS_REGION is the region Terraform's providers work in, apart from the buckets' regions: one
 * deploy through the built bundles with the real hashicorp/aws provider against moto_server on
 * 127.0.0.1, buckets in sa-east-1 and AWS_REGION us-west-2, written as StackSpot's documented
 * self-hosted workflow writes its inputs (PATH_TO_MOUNT /home/runner/_work/<repo>/<repo>, an
 * absolute WORKDIR under it). The plugin's provider block names no region, as most plugins'
 * don't: the queue must be in us-west-2 (read back with the SDK there), not in the buckets' region;
 * runtime-tasks, given no AWS_REGION, applies in the region the run was planned in. The same
 * deploy runs at the most verbose level (VERBOSE, FEATURES_LEVEL_LOG debug) with key inputs: the
 * debug lines are in the log, the keys nowhere.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetQueueUrlCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { errorsOf, expectOk } from '../harness/expect-step';
import { leaksOf } from '../harness/leaks';
import { e2eFixture } from '../harness/e2e-fixture';
import { TEST_CREDENTIALS } from '../harness/moto';
import { runAction } from '../harness/runner';

jest.setTimeout(600_000);

const BUCKET_REGION = 'sa-east-1';
const AWS_REGION = 'us-west-2';
const DOCUMENTED = '/home/runner/_work/orders/orders';
/** Key inputs of this test's own (moto takes any): they must appear nowhere. */
const KEYS = {
  AWS_ACCESS_KEY_ID: 'AKIAREGIONVERBOSE0001',
  AWS_SECRET_ACCESS_KEY: 'rEgIoN/vErBoSe+SeCrEt0123456789abcdefGH',
};

const flow = e2eFixture({ name: 'region', checkout: false, realAws: true });

beforeAll(() => {
  const plugin = join(flow.checkout, 'plugins', 'regional-queue');
  mkdirSync(join(plugin, 'templates-deploy'), { recursive: true });
  writeFileSync(
    join(plugin, 'plugin.yaml'),
    'schema-version: v3\nkind: plugin\nmetadata: { name: regional-queue, version: 1.0.0 }\nspec:\n  type: infra\n',
  );
  writeFileSync(
    join(plugin, 'templates-deploy', 'main.tf'),
    `terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}

# No region here: the provider takes AWS_REGION from its environment.
provider "aws" {}

data "aws_region" "current" {}

resource "aws_sqs_queue" "this" {
  name = "regional-{{ environment }}"
}

output "queue_url" {
  value = aws_sqs_queue.this.url
}

output "region" {
  value = data.aws_region.current.name
}
`,
  );
  mkdirSync(join(flow.checkout, 'infra', 'orders', '.stk'), { recursive: true });
  writeFileSync(
    join(flow.checkout, 'infra', 'orders', '.stk', 'stk.yaml'),
    'schema-version: v3\nkind: manifest\nmetadata: { name: orders }\nspec:\n  type: app\n  app-id: 01JREG10N00000000000000000\n  plugins:\n    - { name: acme/regional-queue@1.0.0, alias: queue, type: infra }\n',
  );
});

/** The queues moto holds in `region`, as the SDK sees them there. */
async function queuesIn(region: string): Promise<string[]> {
  const sqs = new SQSClient({
    endpoint: flow.moto.endpoint,
    region,
    credentials: TEST_CREDENTIALS,
    requestHandler: new NodeHttpHandler({ requestTimeout: 10000, throwOnRequestTimeout: true }),
  });
  return (await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? [];
}

it('creates the resources in AWS_REGION, not the buckets region, and applies in the planned region', async () => {
  const env = flow.stepEnv();
  const plan = await runAction('orchestrate-and-plan', {
    workspace: flow.checkout,
    env,
    with: {
      TFSTATE_BUCKET_NAME: 'region-tfstate',
      TFSTATE_BUCKET_REGION: BUCKET_REGION,
      IAC_BUCKET_NAME: 'region-iac',
      IAC_BUCKET_REGION: BUCKET_REGION,
      AWS_REGION,
      WORKSPACE: 'shop',
      ENVIRONMENT: 'dev',
      VERSION: 'v1',
      PATH_TO_MOUNT: DOCUMENTED,
      WORKDIR: `${DOCUMENTED}/infra/orders`,
      PLUGINS_PATH: 'plugins',
      VERBOSE: 'true',
      ...KEYS,
    },
  });
  expectOk(plan);
  // The documented layout is read as the workspace, said once.
  expect(errorsOf(plan)).toContain(`PATH_TO_MOUNT '${DOCUMENTED}' is where StackSpot's`);
  expect(plan.log).toContain(`Terraform runs in AWS region ${AWS_REGION} (AWS_REGION)`);
  expect(plan.summary).toContain('aws_sqs_queue.this');
  const runId = /^(\w+)@/.exec(plan.outputs.run_id ?? '')?.[1] ?? '';
  const record = JSON.parse(
    await flow.moto.getObjectText('region-iac', `runs/${runId}/record.json`),
  ) as {
    awsRegion?: string;
    tfstate: { region: string };
  };
  expect(record).toMatchObject({ awsRegion: AWS_REGION, tfstate: { region: BUCKET_REGION } });

  // No AWS_REGION on runtime-tasks, as the documented approval job has none: the planned region.
  const apply = await runAction('runtime-tasks', {
    workspace: flow.checkout,
    env,
    with: {
      RUN_ID: plan.outputs.run_id ?? '',
      TASK_LIST: plan.outputs.apply_tasks ?? '',
      PATH_TO_MOUNT: DOCUMENTED,
      FEATURES_LEVEL_LOG: 'debug',
      ...KEYS,
    },
  });
  expectOk(apply);
  // The most verbose level shows each Terraform command and its variables' names, never a key.
  for (const step of [plan, apply]) {
    expect(step.log).toMatch(
      /debug: terraform (plan|apply) .* environment .*AWS_REGION.*AWS_SECRET_ACCESS_KEY/,
    );
    expect(leaksOf(step, KEYS.AWS_SECRET_ACCESS_KEY)).toEqual([]);
    expect(leaksOf(step, KEYS.AWS_ACCESS_KEY_ID)).toEqual([]);
  }
  expect(apply.log).toContain(`Terraform runs in AWS region ${AWS_REGION} (AWS_REGION)`);
  const outputs = JSON.parse(
    readFileSync(join(flow.checkout, 'queue_outputs.json'), 'utf8'),
  ) as Record<string, string>;
  expect(outputs.region).toBe(AWS_REGION);

  // Read back outside Terraform and the engine: in us-west-2, and not in the buckets' region.
  const west = await queuesIn(AWS_REGION);
  expect(west).toEqual([expect.stringMatching(/\/regional-dev$/)]);
  expect(await queuesIn(BUCKET_REGION)).toEqual([]);
  const sqs = new SQSClient({
    endpoint: flow.moto.endpoint,
    region: AWS_REGION,
    credentials: TEST_CREDENTIALS,
  });
  const found = await sqs.send(new GetQueueUrlCommand({ QueueName: 'regional-dev' }));
  expect(found.QueueUrl).toBe(outputs.queue_url);
});
