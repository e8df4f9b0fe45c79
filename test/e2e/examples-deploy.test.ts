/**
 * The example application (examples/orders-app, what `npm run demo` deploys) through the built
 * bundles with the real hashicorp/aws provider against moto_server on 127.0.0.1: its plugins
 * create a real SNS topic, an SQS queue subscribed to it and an S3 bucket; the Connection
 * Interfaces carry their real ARNs and URLs; the AWS SDK finds them, and a message published to
 * the topic arrives in the queue. Needs the provider mirror (fails, never skips, without it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AwsReadBack } from '../harness/aws-resources';
import { explain, tasksOf } from '../harness/expect-step';
import { e2eFixture } from '../harness/e2e-fixture';
import { runAction } from '../harness/runner';

jest.setTimeout(600_000);

const flow = e2eFixture({ name: 'ex', checkout: 'examples', realAws: true });
const POLICY = 'node "$DEPLOY_ENGINE_CHECKOUT/policies/plan-policy.mjs"';

function outputs(alias: string): Record<string, string> {
  return JSON.parse(readFileSync(join(flow.checkout, `${alias}_outputs.json`), 'utf8')) as Record<
    string,
    string
  >;
}

async function connectionInterface(name: string): Promise<Record<string, string>> {
  const key = `workspaces/shop/dev/connection-interfaces/${name}.json`;
  return (
    JSON.parse(await flow.moto.getObjectText('ex-iac', key)) as {
      attributes: Record<string, string>;
    }
  ).attributes;
}

describe('examples/orders-app on the real AWS provider', () => {
  it('creates the topic, the subscribed queue and the bucket, publishes their ARNs and URLs, and they work', async () => {
    const env = flow.stepEnv();
    const plan = await runAction('orchestrate-and-plan', {
      workspace: flow.checkout,
      env,
      with: {
        TFSTATE_BUCKET_NAME: 'ex-tfstate',
        IAC_BUCKET_NAME: 'ex-iac',
        WORKSPACE: 'shop',
        ENVIRONMENT: 'dev',
        VERSION: 'v1',
        WORKDIR: 'orders-app',
        PLUGINS_PATH: 'plugins',
        TASK_PARALLELISM: '3',
        // The example policy, as docs/actions.md writes it, on the real provider's plans.
        POLICY_COMMAND: POLICY,
      },
    });
    expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
    expect(plan.log).toContain('policy | plan-policy: the plan of orders-topic passes');
    expect(tasksOf(plan)).toEqual([
      'IAC_SELF_HOSTED orders-topic',
      'DEPLOY_SELF_HOSTED orders-topic',
      'IAC_SELF_HOSTED billing-queue',
      'DEPLOY_SELF_HOSTED billing-queue',
      'IAC_SELF_HOSTED orders-archive',
      'DEPLOY_SELF_HOSTED orders-archive',
    ]);
    // The provider came from the runner's mirror, not from a registry.
    expect(plan.log).toContain('Installed hashicorp/aws v5.100.0 (unauthenticated)');
    expect(plan.summary).toContain('aws_sns_topic.this');
    expect(plan.summary).toContain('aws_s3_bucket_versioning.this');

    const apply = await runAction('runtime-tasks', {
      workspace: flow.checkout,
      env,
      with: {
        RUN_ID: plan.outputs.run_id ?? '',
        TASK_LIST: plan.outputs.apply_tasks ?? '',
        TASK_PARALLELISM: '3',
        POLICY_COMMAND: POLICY,
      },
    });
    expect([apply.exitCode, explain(apply)]).toEqual([0, expect.any(String)]);
    // Planned after approval (it requires the topic), checked by runtime-tasks before it applies.
    expect(apply.log).toContain('policy | plan-policy: the plan of billing-queue passes');

    const region = 'us-east-1';
    const account = '123456789012';
    const topic = outputs('orders-topic');
    const queue = outputs('billing-queue');
    const archive = outputs('orders-archive');
    expect(topic.topic_arn).toBe(`arn:aws:sns:${region}:${account}:orders-events-dev`);
    expect(queue.sqs_queue_arn).toBe(`arn:aws:sqs:${region}:${account}:orders-billing-dev`);
    expect(queue.sqs_queue_url).toBe(`${flow.moto.endpoint}/${account}/orders-billing-dev`);
    expect(archive.bucket_arn).toBe('arn:aws:s3:::orders-archive-dev');

    // The Connection Interfaces carry the real values, through each plugin's outputs mapping.
    expect(await connectionInterface('orders-events-sns')).toEqual({
      arn: topic.topic_arn,
      name: 'orders-events-dev',
    });
    expect(await connectionInterface('orders-billing-sqs')).toEqual({
      arn: queue.sqs_queue_arn,
      url: queue.sqs_queue_url,
    });
    expect(await connectionInterface('orders-archive-s3')).toEqual({
      arn: 'arn:aws:s3:::orders-archive-dev',
      name: 'orders-archive-dev',
    });

    // Read back outside Terraform and the engine.
    const aws = new AwsReadBack(flow.moto);
    const t = await aws.topic(topic.topic_arn ?? '');
    expect(t.displayName).toBe('orders-events');
    expect(t.subscriptions).toEqual([{ protocol: 'sqs', endpoint: queue.sqs_queue_arn }]);
    const q = await aws.queue(queue.sqs_queue_url ?? '', region);
    expect(q.arn).toBe(queue.sqs_queue_arn);
    expect(q.retentionSeconds).toBe(345600);
    expect(q.policy).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Condition: { ArnEquals: { 'aws:SourceArn': topic.topic_arn } },
      }),
    ]);
    const b = await aws.bucket('orders-archive-dev', region);
    expect(b).toEqual({
      name: 'orders-archive-dev',
      versioning: 'Enabled',
      tags: { Environment: 'dev', ManagedBy: 'deploy-engine' },
    });
    expect(await aws.deliver(t.arn, q.url, 'order 42 placed')).toBe('order 42 placed');
  });
});
