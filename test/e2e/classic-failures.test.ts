/**
 * The classic flow's ugly paths through the built bundles, with real Terraform and moto_server:
 * Terraform failing halfway, and the job cancelled in the middle of an apply.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2eFixture } from '../harness/e2e-fixture';
import { runAction, type ActionResult } from '../harness/runner';

const flow = e2eFixture({ name: 'fail' });

function orchestrate(workdir: string, version: string, dynamicInputs = ''): Promise<ActionResult> {
  return runAction('orchestrate-and-plan', {
    workspace: flow.checkout,
    env: flow.stepEnv(),
    with: {
      TFSTATE_BUCKET_NAME: 'fail-tfstate',
      IAC_BUCKET_NAME: 'fail-iac',
      WORKSPACE: 'shop',
      ENVIRONMENT: 'dev',
      VERSION: version,
      WORKDIR: workdir,
      PLUGINS_PATH: 'plugins',
      LOCAL_EXEC_ENABLED: 'true',
      DYNAMIC_INPUTS: dynamicInputs,
    },
  });
}

function apply(plan: ActionResult, extra: { cancelAfterMs?: number } = {}): Promise<ActionResult> {
  return runAction('runtime-tasks', {
    workspace: flow.checkout,
    env: flow.stepEnv(),
    with: {
      RUN_ID: plan.outputs.run_id ?? '',
      TASK_LIST: plan.outputs.apply_tasks ?? '',
      LOCALEXEC_ENABLED: 'true',
    },
    ...extra,
  });
}

function taskStatuses(result: ActionResult): string[] {
  return [...result.summary.matchAll(/<tr><td>(\w+)<\/td><td>([\w-]+)<\/td><td>(\w+)<\/td>/g)].map(
    (m) => `${m[1]} ${m[2]} ${m[3]}`,
  );
}

async function stateOf(
  alias: string,
  appId: string,
): Promise<{ resources: { type: string; name: string }[] }> {
  return JSON.parse(
    await flow.moto.getObjectText(
      'fail-tfstate',
      `shop/dev/app/${appId}/${alias}/terraform.tfstate`,
    ),
  ) as never;
}

it('stops at a plugin whose Terraform fails halfway, keeps what was deployed, and a fixed redeploy finishes', async () => {
  const plan = await orchestrate('halfway', 'v1', '--command false');
  expect([plan.exitCode, plan.log]).toEqual([0, expect.any(String)]);
  const failed = await apply(plan);
  expect(failed.exitCode).toBe(1);
  expect(failed.summary).toContain('USER_ERROR');
  expect(taskStatuses(failed)).toEqual([
    'PLAN first SUCCEEDED',
    'PLAN second SUCCEEDED',
    'IAC_SELF_HOSTED first SUCCEEDED',
    'DEPLOY_SELF_HOSTED first SUCCEEDED',
    'IAC_SELF_HOSTED second SUCCEEDED',
    'DEPLOY_SELF_HOSTED second FAILED',
  ]);
  expect(failed.annotations.find((a) => a.level === 'error')?.message).toMatch(
    /local-exec provisioner error/,
  );
  // The first plugin stays deployed; the second created what came before its failing step.
  expect((await stateOf('first', '01JHALFWAY0000000000000000')).resources).toHaveLength(1);
  expect(
    (await stateOf('second', '01JHALFWAY0000000000000000')).resources.map((r) => r.name),
  ).toContain('before');
  expect(await flow.moto.listKeys('fail-iac', 'locks/')).toEqual([]);

  const fixed = await orchestrate('halfway', 'v2', '--command true');
  const done = await apply(fixed);
  expect([done.exitCode, done.log]).toEqual([0, expect.stringMatching(/Run \w+ SUCCEEDED/)]);
  expect(done.log).toMatch(/Apply complete! Resources: 0 added, 0 changed, 0 destroyed/); // first: unchanged
});

it('stops Terraform gracefully when the job is cancelled mid-apply: state saved, task ABORTED, lock released', async () => {
  const plan = await orchestrate('slow', 'v1');
  expect([plan.exitCode, plan.log]).toEqual([0, expect.any(String)]);
  const started = Date.now();
  const cancelled = await apply(plan, { cancelAfterMs: 6000 });
  expect(Date.now() - started).toBeLessThan(25000);
  expect(cancelled.exitCode).toBe(1);
  expect(taskStatuses(cancelled).at(-1)).toBe('DEPLOY_SELF_HOSTED sleeper ABORTED');
  expect(cancelled.summary).toContain('ABORTED');
  const state = await stateOf('sleeper', '01JSLOW0000000000000000000');
  expect(state.resources.map((r) => r.name)).toContain('before');
  expect(
    await flow.moto.listKeys('fail-tfstate', 'shop/dev/app/01JSLOW0000000000000000000/sleeper/'),
  ).toEqual(['shop/dev/app/01JSLOW0000000000000000000/sleeper/terraform.tfstate']);
  expect(await flow.moto.listKeys('fail-iac', 'locks/')).toEqual([]);
  // cancel-run, which the workflow runs next, finds nothing left to do.
  const cancel = await runAction('cancel-run', {
    env: flow.stepEnv(),
    with: { RUN_ID: plan.outputs.run_id ?? '' },
  });
  expect([cancel.exitCode, cancel.log]).toEqual([
    0,
    expect.stringContaining('had already finished as ABORTED'),
  ]);
}, 60000);

it('refuses a plugin using local-exec by default, naming file and line, before its terraform init', async () => {
  const plan = await runAction('orchestrate-and-plan', {
    workspace: flow.checkout,
    env: flow.stepEnv(),
    with: {
      TFSTATE_BUCKET_NAME: 'fail-tfstate',
      IAC_BUCKET_NAME: 'fail-iac',
      WORKSPACE: 'guarded',
      ENVIRONMENT: 'dev',
      VERSION: 'v1',
      WORKDIR: 'halfway',
      PLUGINS_PATH: 'plugins',
    },
  });
  expect([plan.exitCode, plan.log]).toEqual([0, expect.any(String)]);
  const refused = await runAction('runtime-tasks', {
    workspace: flow.checkout,
    env: flow.stepEnv(),
    with: { RUN_ID: plan.outputs.run_id ?? '', TASK_LIST: plan.outputs.apply_tasks ?? '' },
  });
  expect(refused.exitCode).toBe(1);
  expect(refused.annotations).toContainEqual(
    expect.objectContaining({
      message: expect.stringContaining(
        'resource "terraform_data.command" uses the local-exec provisioner, which LOCAL_EXEC_ENABLED=false forbids.',
      ),
      properties: expect.objectContaining({ line: '8' }),
    }),
  );
  // The guard runs in TerraformProject.init(): the render succeeds, the DEPLOY's init is refused.
  expect(taskStatuses(refused).slice(-2)).toEqual([
    'IAC_SELF_HOSTED second SUCCEEDED',
    'DEPLOY_SELF_HOSTED second FAILED',
  ]);
  expect(
    await flow.moto.listKeys('fail-tfstate', 'guarded/dev/app/01JHALFWAY0000000000000000/second/'),
  ).toEqual([]);
});

it('refuses an EXCLUDE_FILES_PATH that escapes the checkout, and the post step closes the run', async () => {
  const plan = await orchestrate('halfway', 'v-exclude');
  expect([plan.exitCode, plan.log]).toEqual([0, expect.any(String)]);
  const refused = await runAction('runtime-tasks', {
    workspace: flow.checkout,
    env: flow.stepEnv(),
    with: {
      RUN_ID: plan.outputs.run_id ?? '',
      TASK_LIST: plan.outputs.apply_tasks ?? '',
      EXCLUDE_FILES_PATH: '../',
    },
  });
  expect(refused.exitCode).toBe(1);
  expect(refused.log).toContain("Input EXCLUDE_FILES_PATH '../' leaves PATH_TO_MOUNT.");
  const post = await runAction('runtime-tasks', {
    script: 'post',
    workspace: flow.checkout,
    state: refused.state,
    env: flow.stepEnv(),
    with: { RUN_ID: plan.outputs.run_id ?? '', TASK_LIST: '[]' },
  });
  expect([post.exitCode, post.log]).toEqual([0, expect.stringContaining('it is now ABORTED')]);
  expect(await flow.moto.listKeys('fail-iac', 'locks/')).toEqual([]);
});

it('deletes EXCLUDE_FILES_PATH inside the checkout before running tasks', async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'exclude-checkout-'));
  cpSync(flow.checkout, scratch, { recursive: true });
  mkdirSync(join(scratch, 'build', 'cache'), { recursive: true });
  writeFileSync(join(scratch, 'build', 'cache', 'big.bin'), 'x');
  const result = await runAction('runtime-tasks', {
    workspace: scratch,
    env: flow.stepEnv(),
    // A well-formed reference to a run that does not exist: the deletion comes first.
    with: {
      RUN_ID: '01JAAAAAAAAAAAAAAAAAAAAAAA@fail-iac:us-east-1',
      TASK_LIST: '[]',
      EXCLUDE_FILES_PATH: 'build/cache',
    },
  });
  expect(existsSync(join(scratch, 'build', 'cache'))).toBe(false);
  expect(existsSync(join(scratch, 'build'))).toBe(true);
  expect(result.log).toContain('Deleted build/cache (EXCLUDE_FILES_PATH)');
});
