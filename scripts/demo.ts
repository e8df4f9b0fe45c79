/**
 * The demo: the main job on an embedded default. Starts a local S3 server (moto_server on
 * 127.0.0.1), creates the two buckets, and runs the three built actions against the example
 * application under examples/, exactly as the GitHub runner would run the example workflow.
 * It reports each step's result, outputs and job summary, and says plainly what is not built yet.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/harness/action-metadata';
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
}

async function main(): Promise<number> {
  const moto = await startMoto();
  try {
    await moto.createBucket('demo-tfstate');
    await moto.createBucket('demo-iac');
    // A fresh checkout of the example repository, as actions/checkout would leave it.
    const workspace = mkdtempSync(join(tmpdir(), 'demo-repo-'));
    cpSync(join(REPO_ROOT, 'examples'), workspace, { recursive: true });
    console.log(`Local S3 server: ${moto.endpoint} (buckets demo-tfstate, demo-iac)`);
    console.log(`Repository checkout: ${workspace} (application in orders-app/)`);

    const env = { ...moto.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
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
    } else {
      await reportDeployment(moto, workspace);
    }
    return failed ? 1 : 0;
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
