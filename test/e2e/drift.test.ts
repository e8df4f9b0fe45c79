/**
 * DRIFT_CHECK through the built bundle, on the real hashicorp/aws provider against moto_server:
 * an SNS topic and an S3 bucket deployed once (examples/plugins); the topic's display name is then
 * changed behind Terraform's back with the AWS SDK. The check reports that attribute of that
 * resource and not the untouched bucket; FAIL_ON_DRIFT fails the step after the report is
 * written; the check leaves the states, records, locks and history byte for byte as they were; a
 * run open on the target is named and neither blocks the check nor is blocked by it.
 */
import { readFileSync } from 'node:fs';
import { SetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { explain } from '../harness/expect-step';
import { e2eFixture } from '../harness/e2e-fixture';
import { runIdOf } from '../harness/deploy-flow';
import { TEST_CREDENTIALS } from '../harness/moto';

jest.setTimeout(300_000);

const flow = e2eFixture({ name: 'drift', checkout: 'examples', realAws: true });
const APP = '01JDR1FTCHECK0000000000001';
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:drift-events-dev';

interface Report {
  format: number;
  deployment?: { runId: string; version: string };
  running?: { runId: string; plugins: string[] };
  notice?: string;
  drifted: boolean;
  driftedPlugins: string[];
  failedPlugins: string[];
  plugins: {
    alias: string;
    status: string;
    reason?: string;
    resources: { address: string; action: string; attributes: unknown[] }[];
    kept?: { address: string; action: string; attributes: unknown[] }[];
  }[];
}

let deployRunId = '';

beforeAll(async () => {
  flow.writeApp(
    'drift-app',
    APP,
    `    - name: acme/sns-topic-plugin@1.0.0
      alias: events-topic
      type: infra
      inputs: { topic_name: drift-events }
    - name: acme/s3-bucket-plugin@1.0.0
      alias: archive
      type: infra
      inputs: { bucket_name: drift-archive }
`,
  );
  const plan = await flow.orchestrate('drift-app', { TASK_PARALLELISM: '2' });
  if (plan.exitCode !== 0) throw new Error(explain(plan));
  const apply = await flow.apply(plan, { with: { TASK_PARALLELISM: '2' } });
  if (apply.exitCode !== 0) throw new Error(explain(apply));
  deployRunId = runIdOf(plan.outputs.run_id ?? '');
}, 240_000);

/** Every object of both buckets, by bucket/key, as text: what a read-only check must not touch. */
async function everything(): Promise<Record<string, string>> {
  const all: Record<string, string> = {};
  for (const bucket of [flow.iacBucket, flow.tfstateBucket])
    for (const key of await flow.moto.listKeys(bucket))
      all[`${bucket}/${key}`] = await flow.moto.getObjectText(bucket, key);
  return all;
}

function driftCheck(workdir: string, inputs: Record<string, string> = {}) {
  return flow.orchestrate(workdir, { DRIFT_CHECK: 'true', ...inputs });
}

function reportOf(result: { outputs: Record<string, string> }): Report {
  return JSON.parse(readFileSync(result.outputs.drift_report ?? '', 'utf8')) as Report;
}

it('an application never deployed: a notice, drifted=false, success, nothing written', async () => {
  flow.writeApp(
    'never-app',
    '01JDR1FTCHECK0000000000002',
    '    - { name: acme/sns-topic-plugin@1.0.0, alias: t, type: infra, inputs: { topic_name: x } }\n',
  );
  const before = await everything();
  const check = await driftCheck('never-app', { FAIL_ON_DRIFT: 'true' });
  expect([check.exitCode, explain(check)]).toEqual([0, expect.any(String)]);
  expect(check.outputs.drifted).toBe('false');
  expect(check.outputs.drifted_plugins).toBe('[]');
  expect(check.annotations.map((a) => a.message).join('\n')).toContain('Nothing is deployed');
  expect(reportOf(check)).toMatchObject({ format: 1, drifted: false, plugins: [] });
  expect(await everything()).toEqual(before);
});

it('a run open on the target is named; the plugin a task of it is changing is skipped, the other checked, neither blocked', async () => {
  const open = await flow.orchestrate('drift-app', { VERSION: 'v2', TASK_PARALLELISM: '2' });
  expect([open.exitCode, explain(open)]).toEqual([0, expect.any(String)]);
  const runId = runIdOf(open.outputs.run_id ?? '');
  // runtime-tasks would be deploying the topic now: its DEPLOY task RUNNING.
  const runs = flow.runStore();
  const record = await runs.getRun(runId);
  const deploy = record?.tasks.find(
    (t) => t.taskType === 'DEPLOY_SELF_HOSTED' && t.pluginAppliedAlias === 'events-topic',
  );
  await runs.startTask(runId, deploy?.runTaskId ?? '');
  const before = await everything();
  const check = await driftCheck('drift-app');
  expect([check.exitCode, explain(check)]).toEqual([0, expect.any(String)]);
  const report = reportOf(check);
  expect(report.running).toMatchObject({ runId, plugins: ['events-topic'] });
  expect(report.notice).toContain(`Run ${runId}`);
  expect(report.plugins.map((p) => [p.alias, p.status])).toEqual([
    ['events-topic', 'skipped'],
    ['archive', 'in-sync'],
  ]);
  // Right after a deployment the bucket's state still says versioning off (the versioning
  // resource enabled it after the bucket was saved): changed outside the bucket's configuration,
  // kept by the next deployment, so not drift.
  expect(report.plugins[1]?.kept).toEqual([
    expect.objectContaining({
      address: 'aws_s3_bucket.this',
      attributes: [{ path: 'versioning[0].enabled', before: 'false', after: 'true' }],
    }),
  ]);
  expect(check.summary).toContain(`Run ${runId}`);
  expect(await everything()).toEqual(before);
  // The run was not blocked: it is still RUNNING, its lock its own, and it can be cancelled.
  expect((await runs.getRun(runId))?.status).toBe('RUNNING');
  expect((await runs.lockOf(record?.target ?? ({} as never)))?.runId).toBe(runId);
  const cancel = await flow.cancel(open.outputs.run_id ?? '');
  expect([cancel.exitCode, explain(cancel)]).toEqual([0, expect.any(String)]);
});

it('reports the attribute changed behind Terraform, not the untouched plugin, and changes nothing', async () => {
  const sns = new SNSClient({
    endpoint: flow.moto.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    requestHandler: new NodeHttpHandler({ requestTimeout: 10000 }),
  });
  await sns.send(
    new SetTopicAttributesCommand({
      TopicArn: TOPIC_ARN,
      AttributeName: 'DisplayName',
      AttributeValue: 'changed <b>by hand</b>',
    }),
  );
  const before = await everything();
  const check = await driftCheck('drift-app', { FAIL_ON_DRIFT: 'true' });
  // FAIL_ON_DRIFT: a red step, after the report, outputs and summary were written.
  expect(check.exitCode).toBe(1);
  expect(check.annotations.map((a) => a.message).join('\n')).toContain(
    'events-topic drifted from the last deployment (FAIL_ON_DRIFT)',
  );
  expect(check.outputs.drifted).toBe('true');
  expect(JSON.parse(check.outputs.drifted_plugins ?? '')).toEqual(['events-topic']);
  const report = reportOf(check);
  expect(report).toMatchObject({
    format: 1,
    deployment: { runId: deployRunId, version: 'v1' },
    drifted: true,
    driftedPlugins: ['events-topic'],
    failedPlugins: [],
  });
  expect(report.plugins.map((p) => [p.alias, p.status])).toEqual([
    ['events-topic', 'drifted'],
    ['archive', 'in-sync'],
  ]);
  expect(report.plugins[0]?.resources).toEqual([
    {
      address: 'aws_sns_topic.this',
      alias: '',
      action: 'update',
      attributes: [
        { path: 'display_name', before: '"drift-events"', after: '"changed <b>by hand</b>"' },
      ],
    },
  ]);
  expect(report.plugins[1]?.resources).toEqual([]);
  // The summary names the resource and the attribute, escaped.
  expect(check.summary).toContain('<code>aws_sns_topic.this</code>');
  expect(check.summary).toContain('<code>display_name</code>');
  expect(check.summary).toContain('changed &lt;b&gt;by hand&lt;/b&gt;');
  expect(check.summary).not.toContain('<b>by hand</b>');
  // Read-only: states, run records, locks, history as they were; no run opened.
  expect(await everything()).toEqual(before);
  expect(check.log).not.toContain('successfully started with ID');
});

it('a plugin whose check fails is reported with the reason, the others still checked, and the step fails', async () => {
  const last = JSON.parse(
    await flow.moto.getObjectText(flow.iacBucket, `history/shop/dev/app/${APP}/last.json`),
  ) as { iac: Record<string, { key: string }> };
  // The archive's recorded IaC is damaged: its check cannot be made.
  await flow.moto.putObject(flow.iacBucket, last.iac.archive?.key ?? '', 'not json');
  const check = await driftCheck('drift-app');
  expect(check.exitCode).toBe(1);
  expect(check.annotations.map((a) => a.message).join('\n')).toContain(
    'the drift check of archive failed',
  );
  expect(check.outputs.drifted).toBe('true');
  const report = reportOf(check);
  expect(report.failedPlugins).toEqual(['archive']);
  expect(report.plugins.map((p) => [p.alias, p.status])).toEqual([
    ['events-topic', 'drifted'],
    ['archive', 'check-failed'],
  ]);
  expect(report.plugins[1]?.reason).toContain(last.iac.archive?.key ?? '?');
  expect(check.summary).toContain('the check failed');
});
