/**
 * Unified mode end to end through the built bundles, real Terraform and moto_server: the diamond
 * as one project with its connections wired through Terraform, the saved plan applied exactly,
 * stale and tampered plans refused, a removed plugin destroyed by the reviewed destroy plan, and
 * SKIP_DEPLOY when nothing changes.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2eFixture } from '../harness/e2e-fixture';
import { runAction, type ActionResult } from '../harness/runner';

const flow = e2eFixture({ name: 'uni' });

const STATE_KEY = 'shop/dev/app/01JDIAMOND0000000000000000/terraform.tfstate';

function orchestrate(
  version: string,
  extra: Record<string, string> = {},
  workdir = 'diamond',
): Promise<ActionResult> {
  return runAction('orchestrate-and-plan', {
    workspace: flow.checkout,
    env: flow.stepEnv(),
    with: {
      TFSTATE_BUCKET_NAME: 'uni-tfstate',
      IAC_BUCKET_NAME: 'uni-iac',
      WORKSPACE: 'shop',
      ENVIRONMENT: 'dev',
      VERSION: version,
      WORKDIR: workdir,
      PLUGINS_PATH: 'plugins',
      FEATURES_UNIFIED_DEPLOY: 'true',
      ...extra,
    },
  });
}

function apply(plan: ActionResult): Promise<ActionResult> {
  return runAction('runtime-tasks', {
    workspace: flow.checkout,
    env: flow.stepEnv(),
    with: { RUN_ID: plan.outputs.run_id ?? '', TASK_LIST: plan.outputs.apply_tasks ?? '' },
  });
}

const explain = (r: ActionResult) => `exit ${r.exitCode}\n${r.log}\n${r.stderr}`;

function taskTypes(plan: ActionResult): string[] {
  return (JSON.parse(plan.outputs.apply_tasks ?? '[]') as { taskType: string }[]).map(
    (t) => t.taskType,
  );
}

function runId(plan: ActionResult): string {
  return (plan.outputs.run_id ?? '').split('@')[0] as string;
}

async function state(): Promise<{
  serial: number;
  resources: { module?: string; type: string; instances: { attributes: { id: string } }[] }[];
}> {
  return JSON.parse(await flow.moto.getObjectText('uni-tfstate', STATE_KEY)) as never;
}

async function runRecord(id: string): Promise<{ status: string; error?: { message: string } }> {
  return JSON.parse(await flow.moto.getObjectText('uni-iac', `runs/${id}/record.json`)) as never;
}

it('plans the diamond as one project, wires its connections through Terraform, and applies the saved plan', async () => {
  const plan = await orchestrate('v1');
  expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
  expect(taskTypes(plan)).toEqual(['UNIFIED_DEPLOY']);
  expect(plan.outputs).toMatchObject({
    has_changes: 'true',
    to_add: '4',
    to_change: '0',
    to_destroy: '0',
    to_replace: '0',
    destroys: 'false',
  });
  expect(plan.summary).toContain('Deploy plan: 4 to add, 0 to change, 0 to destroy, 0 to replace');
  expect(plan.summary).toContain('<code>module.d.terraform_data.node</code>');
  expect(plan.log).toContain('Saved the deploy plan (SHA-256');

  // The rendered root module wires b's input to a's output, not a pasted value.
  const project = JSON.parse(
    await flow.moto.getObjectText('uni-iac', `runs/${runId(plan)}/artifacts/unified/project.json`),
  ) as { files: { path: string; base64: string }[] };
  const file = (path: string) =>
    Buffer.from(project.files.find((f) => f.path === path)?.base64 ?? '', 'base64').toString();
  expect(file('stk-modules.tf')).toContain(
    'module "b" {\n  source = "./b"\n  stk_conn_diamond_a__id = module.a.id\n',
  );
  expect(file('stk-modules.tf')).toContain('stk_conn_diamond_b__id = module.b.id');
  expect(file('b/main.tf')).toContain('input = "${var.stk_conn_diamond_a__id}"');
  expect(file('b/stk-connections.tf')).toContain('variable "stk_conn_diamond_a__id" {}');
  expect(file('a-outputs.tf')).toContain('output "a__id" {\n  value = module.a.id\n}');
  // Nothing is applied before approval.
  expect(await flow.moto.listKeys('uni-tfstate', STATE_KEY)).toEqual([]);

  const applied = await apply(plan);
  expect([applied.exitCode, explain(applied)]).toEqual([0, expect.any(String)]);
  expect(applied.log).toContain('Applying the reviewed plan');
  const joined = JSON.parse(readFileSync(join(flow.checkout, 'd_outputs.json'), 'utf8')) as {
    joined: string;
  };
  expect(joined.joined).toBe('b(a:root-dev)+c(a:root-dev)');
  const deployed = await state();
  expect(deployed.resources.map((r) => r.module).sort()).toEqual([
    'module.a',
    'module.b',
    'module.c',
    'module.d',
  ]);
  const instance = JSON.parse(
    await flow.moto.getObjectText(
      'uni-iac',
      'workspaces/shop/dev/connection-interfaces/diamond-b.json',
    ),
  ) as { attributes: { id: string } };
  expect(instance.attributes.id).toBe('b(a:root-dev)');
  expect((await runRecord(runId(plan))).status).toBe('SUCCEEDED');
}, 120000);

it('ends the run SKIPPED with nothing to approve when the plan changes nothing and SKIP_DEPLOY is on', async () => {
  // A new file in a plugin changes its digest (so the run is planned), not what Terraform does.
  writeFileSync(join(flow.checkout, 'plugins', 'node-a', 'NOTES.md'), 'changes nothing\n');
  const plan = await orchestrate('v2', { SKIP_DEPLOY: 'true' });
  expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
  expect(plan.outputs).toMatchObject({ run_id: '', apply_tasks: '[]', has_changes: 'false' });
  expect(plan.log).toContain('ends SKIPPED, nothing to approve');
  expect(plan.summary).toContain('ended <strong>SKIPPED</strong>');
  expect(await flow.moto.listKeys('uni-iac', 'locks/')).toEqual([]);
}, 120000);

it('refuses a plan whose state moved after review, applying nothing', async () => {
  const plan = await orchestrate('v3', { DYNAMIC_INPUTS: '--label moved' });
  expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
  expect(plan.outputs).toMatchObject({ to_change: '4', destroys: 'false' });
  expect(plan.summary).toContain('🟨 change');
  // Someone writes the state between the plan job and the approved job.
  const before = await state();
  await flow.moto.putObject(
    'uni-tfstate',
    STATE_KEY,
    JSON.stringify({ ...before, serial: before.serial + 1 }),
  );
  const refused = await apply(plan);
  expect(refused.exitCode).toBe(1);
  expect(refused.log).toContain(
    `is stale: the state was written 1 time(s) (serial ${before.serial} → ${before.serial + 1})`,
  );
  expect(refused.log).toContain('Re-run the workflow');
  expect((await runRecord(runId(plan))).status).toBe('USER_ERROR');
  expect((await state()).resources.map((r) => r.instances[0]?.attributes.id)).toEqual(
    before.resources.map((r) => r.instances[0]?.attributes.id),
  );
  expect(await flow.moto.listKeys('uni-iac', 'locks/')).toEqual([]);
}, 120000);

it('refuses a plan file changed after review', async () => {
  const plan = await orchestrate('v4', { DYNAMIC_INPUTS: '--label tampered' });
  expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
  const key = `runs/${runId(plan)}/files/plans/deploy.tfplan`;
  await flow.moto.putObject('uni-iac', key, 'not the reviewed plan');
  const refused = await apply(plan);
  expect(refused.exitCode).toBe(1);
  expect(refused.log).toContain(
    `s3://uni-iac/${key} is the saved deploy plan of run ${runId(plan)}, but it is not the plan that was reviewed: its SHA-256 is`,
  );
  // Changed in the bucket: an outside failure, not the user's configuration.
  expect((await runRecord(runId(plan))).status).toBe('RUNTIME_ERROR');
  expect((await state()).resources.map((r) => r.module ?? '').sort()).toHaveLength(4);
}, 120000);

function withoutD(): void {
  const stk = join(flow.checkout, 'diamond-without-d', '.stk');
  cpSync(join(flow.checkout, 'diamond', '.stk'), stk, { recursive: true });
  const text = readFileSync(join(stk, 'stk.yaml'), 'utf8');
  writeFileSync(
    join(stk, 'stk.yaml'),
    text.replace(/ {4}- name: acme\/node-d@1\.0\.0\n(?: {6}.*\n)+/, ''),
  );
}

it('destroys nothing when the destroy planned after the deploy differs from the reviewed one', async () => {
  withoutD();
  const plan = await orchestrate('v5-mismatch', {}, 'diamond-without-d');
  expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
  // What the reviewer saw listed one more resource than a destroy would now touch.
  const key = `runs/${runId(plan)}/artifacts/plans/destroy.json`;
  const record = JSON.parse(await flow.moto.getObjectText('uni-iac', key)) as {
    changes: { address: string; alias: string; action: string }[];
  };
  record.changes.push({ address: 'module.d.terraform_data.gone', alias: 'd', action: 'delete' });
  await flow.moto.putObject('uni-iac', key, JSON.stringify(record));
  const refused = await apply(plan);
  expect(refused.exitCode).toBe(1);
  expect(refused.log).toContain(
    'module.d.terraform_data.gone was to be destroyed in the reviewed plan, but no longer is.',
  );
  expect(refused.log).toContain('Nothing was destroyed.');
  expect((await runRecord(runId(plan))).status).toBe('USER_ERROR');
  expect((await state()).resources.map((r) => r.module)).toContain('module.d');
}, 180000);

it('destroys a removed plugin with the reviewed destroy plan and leaves the others untouched', async () => {
  withoutD();
  const plan = await orchestrate('v5', {}, 'diamond-without-d');
  expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
  expect(taskTypes(plan)).toEqual(['UNIFIED_DEPLOY', 'UNIFIED_DESTROY']);
  expect(plan.outputs).toMatchObject({ to_destroy: '1', destroys: 'true' });
  expect(plan.summary).toContain('Destroy plan: 0 to add, 0 to change, <strong>1 to destroy');
  const before = await state();
  const applied = await apply(plan);
  expect([applied.exitCode, explain(applied)]).toEqual([0, expect.any(String)]);
  expect(applied.log).toContain('The destroy planned now matches the reviewed one (1 resource(s))');
  const after = await state();
  expect(after.resources.map((r) => r.module).sort()).toEqual(['module.a', 'module.b', 'module.c']);
  const ids = (s: typeof before): Record<string, string | undefined> =>
    Object.fromEntries(s.resources.map((r) => [r.module ?? '', r.instances[0]?.attributes.id]));
  for (const module of ['module.a', 'module.b', 'module.c']) {
    expect(ids(after)[module]).toBe(ids(before)[module]);
  }
}, 180000);

it('refuses to switch an application deployed in unified mode to classic mode', async () => {
  const plan = await orchestrate('v6', { FEATURES_UNIFIED_DEPLOY: 'false' }, 'diamond-without-d');
  expect(plan.exitCode).toBe(1);
  expect(plan.log).toContain('was last deployed to shop/dev in unified mode');
  expect(await flow.moto.listKeys('uni-iac', 'locks/')).toEqual([]);
});
