/**
 * Plugins and `.stk/stk.yaml` files in StackSpot's published format (test/fixtures/stackspot-corpus,
 * composed from what public plugins do: see its README) deploy unchanged, from manifest to real AWS
 * resources: the built bundles, the real hashicorp/aws provider, moto_server on 127.0.0.1. Two
 * applications cover the corpus in two deploys: `apps/orders` (stk.yaml v2) and
 * `apps/billing-legacy` (stk.yaml v1, requiring the first one's topic). The checkout's root is a
 * plugin itself (PLUGINS_PATH: `.`). Needs the provider mirror (fails, never skips, without it).
 */
import { join } from 'node:path';
import { AwsReadBack } from '../harness/aws-resources';
import { runCli } from '../harness/deploy-flow';
import { errorsOf, explain } from '../harness/expect-step';
import { e2eFixture } from '../harness/e2e-fixture';
import { runAction, type ActionResult, type Annotation } from '../harness/runner';

jest.setTimeout(900_000);

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const IAC = 'corpus-iac';

const flow = e2eFixture({
  name: 'corpus',
  checkout: join('test', 'fixtures', 'stackspot-corpus'),
  realAws: true,
});
let env: Record<string, string>;
let topicArn = '';

beforeAll(async () => {
  env = flow.stepEnv();
  // The workspace variables the manifests name as {{var.KEY}}.
  for (const [key, value] of Object.entries({
    ORDERS_TOPIC: 'order-events',
    AWS_REGION_DEV: REGION,
    TEAM: 'payments',
  })) {
    const set = await runCli(
      ['values', 'set', key, value, '--bucket', IAC, '--workspace', 'shop'],
      env,
    );
    expect([set.code, set.output]).toEqual([0, expect.any(String)]);
  }
});

function orchestrate(workdir: string, environment = 'dev'): Promise<ActionResult> {
  return runAction('orchestrate-and-plan', {
    workspace: flow.checkout,
    env,
    with: {
      TFSTATE_BUCKET_NAME: 'corpus-tfstate',
      IAC_BUCKET_NAME: IAC,
      WORKSPACE: 'shop',
      ENVIRONMENT: environment,
      VERSION: 'v1',
      WORKDIR: workdir,
      PLUGINS_PATH: '.\nplugins',
      TASK_PARALLELISM: '2',
    },
  });
}

function apply(plan: ActionResult): Promise<ActionResult> {
  return runAction('runtime-tasks', {
    workspace: flow.checkout,
    env,
    with: {
      RUN_ID: plan.outputs.run_id ?? '',
      TASK_LIST: plan.outputs.apply_tasks ?? '',
      TASK_PARALLELISM: '2',
    },
  });
}

/** Warnings as `file:line name-it-mentions` for the scaffold's two undefined names (once each). */
function scaffoldWarnings(result: ActionResult): string[] {
  const warnings = result.annotations
    .filter(
      (a: Annotation) =>
        a.level === 'warning' &&
        (a.properties.file ?? '').endsWith('README-deploy.md') &&
        /\b(resource|method)\b/.test(a.message),
    )
    .map(
      (a) =>
        `${a.properties.file}:${a.properties.line} ${/\bresource\b/.test(a.message) ? 'resource' : 'method'}`,
    );
  return [...new Set(warnings)].sort();
}

async function connectionInterface(name: string): Promise<Record<string, string>> {
  const key = `workspaces/shop/dev/connection-interfaces/${name}.json`;
  return (
    JSON.parse(await flow.moto.getObjectText(IAC, key)) as { attributes: Record<string, string> }
  ).attributes;
}

describe('StackSpot corpus: published plugins and manifests deploy unchanged', () => {
  it('refuses a required plugin.yaml inputs-envs input without a value for the environment, at the manifest', async () => {
    // apps/orders gives region for dev and prod only; sns-topic-create declares it required.
    const plan = await orchestrate('apps/orders', 'stg');
    expect(plan.exitCode).toBe(1);
    const errors = errorsOf(plan);
    expect(errors).toMatch(/region/);
    expect(errors).toMatch(/stg/);
    expect(errors).toMatch(/orders-topic|sns-topic-create/);
    expect(plan.outputs.run_id ?? '').toBe('');
    expect(await flow.moto.listKeys(IAC, 'locks/')).toEqual([]);
  });

  it('deploys apps/orders (stk.yaml v2): scaffold text warned at its file and line, StackSpot variables, filters and {{var.X}} values reaching AWS', async () => {
    const plan = await orchestrate('apps/orders');
    expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
    // The scaffold's README-deploy.md renders (undefined names empty, as Jinja2 does) and each
    // undefined name is a warning at the template a user can open, the root plugin's included.
    const expected = [
      'plugins/sns-topic-create/templates-deploy/README-deploy.md:10 method',
      'plugins/sns-topic-create/templates-deploy/README-deploy.md:9 resource',
      'templates-deploy/README-deploy.md:10 method',
      'templates-deploy/README-deploy.md:9 resource',
    ];
    expect(scaffoldWarnings(plan)).toEqual(expected);
    expect(plan.summary).toContain('README-deploy.md');
    // StackSpot's usual terraform-1-4 runs with the job's Terraform (1.10+ keeps locks in S3).
    expect(plan.log).toMatch(
      /asks for Terraform 1\.4\.7 \(terraform-1-4\); .*so it runs with this job's Terraform/,
    );
    // What StackSpot provides is never reported undefined.
    const warned = plan.annotations
      .filter((a) => a.level === 'warning')
      .map((a) => a.message)
      .join('\n');
    for (const name of ['stk_env', 'inputs', 'events_topic', 'display_name', 'bucket_slug', 'team'])
      expect(warned).not.toMatch(new RegExp(`'${name}'`));

    const result = await apply(plan);
    expect([result.exitCode, explain(result)]).toEqual([0, expect.any(String)]);
    expect(scaffoldWarnings(result)).toEqual(expected);

    topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:order-events-dev`;
    expect(await connectionInterface('orders-events-sns')).toEqual({
      arn: topicArn,
      name: 'order-events-dev',
    });
    expect(await connectionInterface('orders-reports-s3')).toEqual({
      arn: 'arn:aws:s3:::orders-reports-dev',
      name: 'orders-reports-dev',
    });
    const aws = new AwsReadBack(flow.moto);
    // {{var.ORDERS_TOPIC}}, {{ stk_env }}, inputs-envs region from {{var.AWS_REGION_DEV}}, to_camel.
    expect(await aws.topic(topicArn)).toEqual({
      arn: topicArn,
      displayName: 'OrderEvents',
      subscriptions: [],
    });
    // regex_replace, {{ inputs.stk_env }} (also inside the commented-out block ending in `#}`),
    // global-inputs from {{var.TEAM}}, plugin.yaml global-computed-inputs of another plugin.
    expect(await aws.bucket('orders-reports-dev', REGION)).toEqual({
      name: 'orders-reports-dev',
      versioning: 'Enabled',
      tags: { Environment: 'dev', Team: 'payments', EventsTopic: 'order-events' },
    });
  });

  it('deploys apps/billing-legacy (stk.yaml v1, connectors) subscribed to the topic apps/orders published', async () => {
    expect(topicArn).not.toBe('');
    const plan = await orchestrate('apps/billing-legacy');
    expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
    const result = await apply(plan);
    expect([result.exitCode, explain(result)]).toEqual([0, expect.any(String)]);
    expect(scaffoldWarnings(result)).toEqual([
      'plugins/sqs-queue-create/templates-deploy/README-deploy.md:10 method',
      'plugins/sqs-queue-create/templates-deploy/README-deploy.md:9 resource',
    ]);

    const queue = await connectionInterface('billing-legacy-sqs');
    expect(queue).toEqual({
      arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:billing-legacy-dev`,
      url: `${flow.moto.endpoint}/${ACCOUNT}/billing-legacy-dev`,
    });
    const aws = new AwsReadBack(flow.moto);
    const q = await aws.queue(queue.url ?? '', REGION);
    // to_camel and group_id_folder (StackSpot's own value for this group id).
    expect(q.tags).toEqual({
      Environment: 'dev',
      Listener: 'BillingLegacyListener',
      CodePath: 'src/main/java/br/com/zup/edu/lixoapp',
    });
    expect(q.retentionSeconds).toBe(345600);
    expect(q.policy).toEqual([
      expect.objectContaining({ Condition: { ArnEquals: { 'aws:SourceArn': topicArn } } }),
    ]);
    expect((await aws.topic(topicArn)).subscriptions).toEqual([
      { protocol: 'sqs', endpoint: queue.arn },
    ]);
    expect(await aws.deliver(topicArn, queue.url ?? '', 'order 7 paid')).toBe('order 7 paid');
  });
});
