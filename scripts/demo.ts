/**
 * The demo: the main job on an embedded default. Starts a local AWS (moto_server on 127.0.0.1:
 * S3, SNS, SQS, STS), creates the engine's two buckets, and runs the three built actions against
 * the example application under examples/, exactly as the GitHub runner would run the example
 * workflow; its plugins create a real SNS topic, an SQS queue subscribed to it and an S3 bucket
 * with the real hashicorp/aws provider (from the filesystem mirror). It reports each step's
 * result, outputs and job summary, then reads the resources back with the AWS SDK.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/harness/action-metadata';
import { realAwsEnv } from '../test/harness/aws-provider';
import { AwsReadBack } from '../test/harness/aws-resources';
import { startMoto, type MotoServer } from '../test/harness/moto';
import { runAction, type ActionResult } from '../test/harness/runner';

function report(step: string, result: ActionResult): void {
  const status = result.exitCode === 0 ? 'succeeded' : `failed (exit ${result.exitCode})`;
  console.log(`\n──── ${step}: ${status}`);
  const log = result.log.trim();
  if (log) console.log(log.replace(/^/gm, '  │ '));
  for (const [name, value] of Object.entries(result.outputs))
    console.log(`  output ${name} = ${value}`);
  if (result.summary.trim())
    console.log(`  job summary:\n${result.summary.trim().replace(/^/gm, '  ┆ ')}`);
}

/** What a person wants to see after a deployment: what was deployed, and where everything lives. */
async function reportDeployment(moto: MotoServer, workspace: string): Promise<void> {
  console.log('\nThe deployment completed.');
  const outputs = readdirSync(workspace).filter((f) => f.endsWith('_outputs.json'));
  for (const file of outputs) {
    console.log(
      `  outputs file ${file}: ${readFileSync(join(workspace, file), 'utf8').trim().replace(/\s+/g, ' ')}`,
    );
  }
  console.log('  Terraform states (bucket demo-tfstate, one per plugin):');
  for (const key of await moto.listKeys('demo-tfstate'))
    console.log(`    s3://demo-tfstate/${key}`);
  console.log('  run records, rendered IaC, history and Connection Interfaces (bucket demo-iac):');
  for (const key of await moto.listKeys('demo-iac')) console.log(`    s3://demo-iac/${key}`);
  const prefix = 'workspaces/demo-workspace/dev/connection-interfaces/';
  console.log('  Connection Interfaces published (what other applications can require):');
  for (const key of await moto.listKeys('demo-iac', prefix)) {
    const record = JSON.parse(await moto.getObjectText('demo-iac', key)) as {
      name: string;
      type: string;
      attributes: Record<string, unknown>;
    };
    console.log(`    ${record.name} (${record.type}): ${JSON.stringify(record.attributes)}`);
  }
}

function outputsOf(workspace: string, alias: string): Record<string, string> {
  return JSON.parse(readFileSync(join(workspace, `${alias}_outputs.json`), 'utf8')) as Record<
    string,
    string
  >;
}

/**
 * Proof, outside Terraform and the engine, that the resources exist: read back with the AWS SDK
 * from the local AWS, and a message published to the topic arrives in the subscribed queue.
 * Returns the problems found (none when everything is there).
 */
async function readBack(moto: MotoServer, workspace: string): Promise<string[]> {
  const aws = new AwsReadBack(moto);
  const topic = outputsOf(workspace, 'orders-topic');
  const queue = outputsOf(workspace, 'billing-queue');
  const archive = outputsOf(workspace, 'orders-archive');
  const problems: string[] = [];
  console.log(`\nRead back with the AWS SDK from ${moto.endpoint}:`);

  const t = await aws.topic(topic.topic_arn ?? '');
  console.log(`  SNS topic ${t.arn}`);
  console.log(`    display name: ${t.displayName}`);
  for (const s of t.subscriptions) console.log(`    subscription: ${s.protocol} -> ${s.endpoint}`);
  if (!t.subscriptions.some((s) => s.protocol === 'sqs' && s.endpoint === queue.sqs_queue_arn))
    problems.push(`the topic has no sqs subscription to ${queue.sqs_queue_arn}`);

  const q = await aws.queue(queue.sqs_queue_url ?? '', 'us-east-1');
  console.log(`  SQS queue ${q.url}`);
  console.log(`    ARN: ${q.arn}; messages kept ${q.retentionSeconds} s`);
  for (const statement of q.policy)
    console.log(
      `    policy: ${statement.Effect} ${JSON.stringify(statement.Action)} for ${JSON.stringify(statement.Principal)} when ${JSON.stringify(statement.Condition)}`,
    );
  if (q.arn !== queue.sqs_queue_arn) problems.push(`the queue's ARN is ${q.arn}`);

  const b = await aws.bucket(archive.bucket_name ?? '', 'us-east-1');
  console.log(`  S3 bucket ${b.name} (${archive.bucket_arn})`);
  console.log(`    versioning: ${b.versioning}; tags: ${JSON.stringify(b.tags)}`);
  if (b.versioning !== 'Enabled') problems.push(`the bucket's versioning is ${b.versioning}`);

  const message = `order 42 placed at ${new Date().toISOString()}`;
  const received = await aws.deliver(t.arn, q.url, message);
  console.log(`  published to the topic: ${JSON.stringify(message)}`);
  console.log(`  received from the queue: ${JSON.stringify(received ?? null)}`);
  if (received !== message) problems.push('the message published to the topic did not arrive');
  return problems;
}

async function main(): Promise<number> {
  const moto = await startMoto();
  try {
    await moto.createBucket('demo-tfstate');
    await moto.createBucket('demo-iac');
    // A fresh checkout of the example repository, as actions/checkout would leave it.
    const workspace = mkdtempSync(join(tmpdir(), 'demo-repo-'));
    cpSync(join(REPO_ROOT, 'examples'), workspace, { recursive: true });
    // Fails, naming what to do, when the hashicorp/aws mirror is missing.
    const env = realAwsEnv(moto);
    console.log(
      `Local AWS (moto_server): ${moto.endpoint} (S3 buckets demo-tfstate, demo-iac; plugins create SNS, SQS and S3 resources there)`,
    );
    console.log(`Terraform CLI configuration of the runner: ${env.TF_CLI_CONFIG_FILE}`);
    console.log(`Repository checkout: ${workspace} (application in orders-app/)`);

    const plan = await runAction('orchestrate-and-plan', {
      workspace,
      env,
      with: {
        TFSTATE_BUCKET_NAME: 'demo-tfstate',
        IAC_BUCKET_NAME: 'demo-iac',
        WORKSPACE: 'demo-workspace',
        ENVIRONMENT: 'dev',
        VERSION: 'v1.0.0',
        WORKDIR: 'orders-app',
        PLUGINS_PATH: 'plugins',
      },
    });
    report('job orchestrate_and_plan', plan);

    const runId = plan.outputs.run_id ?? '';
    let apply: ActionResult | undefined;
    if (runId !== '') {
      apply = await runAction('runtime-tasks', {
        workspace,
        env,
        with: { RUN_ID: runId, TASK_LIST: plan.outputs.apply_tasks ?? '[]' },
      });
      report('job approve_plan_apply', apply);
    } else {
      console.log('\n──── job approve_plan_apply: skipped (run_id is empty)');
    }

    const failed = plan.exitCode !== 0 || (apply !== undefined && apply.exitCode !== 0);
    if (failed) {
      const cancel = await runAction('cancel-run', { workspace, env, with: { RUN_ID: runId } });
      report('job cancel (if: failure)', cancel);
    }
    if (failed) {
      console.log('\nThe deployment did not complete. See the first failed job above for why.');
      return 1;
    }
    await reportDeployment(moto, workspace);
    const problems = await readBack(moto, workspace);
    if (problems.length > 0) {
      console.log(`\nThe resources are not what the plugins say:\n  ${problems.join('\n  ')}`);
      return 1;
    }
    console.log('\nEvery resource is there, and the queue receives what the topic publishes.');
    return 0;
  } finally {
    await moto.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
