/**
 * Plans in classic mode, through the bundles with real Terraform and moto_server: what can be
 * planned before the run is planned and shown; after approval the reviewed plan is applied when the
 * producer's outputs came out as planned, re-planned (and said so) when they changed but the
 * resource changes are the same, and refused with USER_ERROR when the new plan differs.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2eFixture } from '../harness/e2e-fixture';
import { runAction, type ActionResult } from '../harness/runner';

const flow = e2eFixture({ name: 'cp' });

const explain = (r: ActionResult) => `exit ${r.exitCode}\n${r.log}\n${r.stderr}`;

function orchestrate(version: string, label: string, suffix: string): Promise<ActionResult> {
  return runAction('orchestrate-and-plan', {
    workspace: flow.checkout,
    env: flow.stepEnv(),
    with: {
      TFSTATE_BUCKET_NAME: 'cp-tfstate',
      IAC_BUCKET_NAME: 'cp-iac',
      WORKSPACE: 'shop',
      ENVIRONMENT: 'dev',
      VERSION: version,
      WORKDIR: 'replan',
      PLUGINS_PATH: 'plugins',
      DYNAMIC_INPUTS: `--label ${label} --suffix ${suffix}`,
      SKIP_DEPLOY: 'true',
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

/** "alias: plan applied" for each DEPLOY row of the runtime summary. */
function planUse(result: ActionResult): string[] {
  return [
    ...result.summary.matchAll(
      /<tr><td>DEPLOY_SELF_HOSTED<\/td><td>(\w+)<\/td>(?:<td>[^<]*<\/td>){3}<td>([^<]*)<\/td>/g,
    ),
  ].map((m) => `${m[1]}: ${m[2]}`);
}

it('plans what it can before the first deployment and says what is planned only after approval', async () => {
  const plan = await orchestrate('v1', 'root', '1');
  expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
  expect(plan.summary).toContain('Plan of a: 1 to add');
  expect(plan.summary).toContain('Planned only after approval');
  expect(plan.summary).toContain(
    '<code>e</code> (requires replan-a (from a), which does not exist yet)',
  );
  expect(plan.outputs).toMatchObject({ has_changes: 'true', to_add: '1', destroys: 'false' });
  const applied = await apply(plan);
  expect([applied.exitCode, explain(applied)]).toEqual([0, expect.any(String)]);
  expect(planUse(applied)).toEqual(['a: the reviewed plan', 'e: planned after approval']);
}, 120000);

it('ends SKIPPED before planning when nothing changed at all', async () => {
  const plan = await orchestrate('v2', 'root', '1');
  expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
  expect(plan.outputs).toMatchObject({ run_id: '', has_changes: 'false', run_status: 'SKIPPED' });
  expect(plan.log).toContain('Nothing changed since run');
  expect(plan.log).not.toContain('Saved the plan');
}, 120000);

it('plans every plugin once the interfaces exist, and ends SKIPPED when the plans change nothing', async () => {
  // A new file in a plugin changes its digest, but not what Terraform does.
  writeFileSync(join(flow.checkout, 'plugins', 'node-a', 'NOTES.md'), 'changes nothing\n');
  const plan = await orchestrate('v2', 'root', '1');
  expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
  expect(plan.outputs).toMatchObject({ run_id: '', has_changes: 'false', to_add: '0' });
  expect(plan.log).toContain('Saved the plan of e');
  expect(plan.log).toContain('ends SKIPPED, nothing to approve');
}, 120000);

it('re-plans a dependent whose producer outputs changed, and applies when the changes are the same', async () => {
  const plan = await orchestrate('v3', 'root2', '2');
  expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
  expect(plan.summary).toContain('Plan of a: 0 to add, 1 to change');
  expect(plan.summary).toContain('Plan of e: 0 to add, 1 to change');
  const applied = await apply(plan);
  expect([applied.exitCode, explain(applied)]).toEqual([0, expect.any(String)]);
  expect(planUse(applied)).toEqual(['a: the reviewed plan', 'e: ⚠️ re-planned (same changes)']);
  expect(applied.summary).toContain(
    '⚠️ <strong>e was planned again</strong>: Connection Interface(s) <code>replan-a</code> changed since review',
  );
  expect(applied.annotations).toContainEqual(
    expect.objectContaining({
      level: 'warning',
      message: expect.stringContaining(
        'Re-planned e: the Connection Interface(s) replan-a changed',
      ),
    }),
  );
  const outputs = JSON.parse(
    await flow.moto.getObjectText(
      'cp-tfstate',
      'shop/dev/app/01JREPLAN00000000000000000/e/terraform.tfstate',
    ),
  ) as { outputs: { value: { value: string } } };
  expect(outputs.outputs.value.value).toBe('a:root2-dev/2');
}, 120000);

it('stops with USER_ERROR when the re-planned dependent would do something the reviewed plan did not', async () => {
  const plan = await orchestrate('v4', 'root3', '2');
  expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
  expect(plan.summary).toContain('Plan of e: 0 to add, 0 to change');
  const refused = await apply(plan);
  expect(refused.exitCode).toBe(1);
  expect(refused.log).toContain(
    'terraform_data.node: the reviewed plan would leave it unchanged, the new plan would update.',
  );
  expect(refused.log).toContain('Nothing was applied to e.');
  expect(refused.summary).toContain('USER_ERROR');
  expect(await flow.moto.listKeys('cp-iac', 'locks/')).toEqual([]);
}, 120000);

it('refuses a reviewed plan changed in the bucket after review, applying nothing (it is fetched while init runs)', async () => {
  const plan = await orchestrate('v5', 'root4', '2');
  expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
  expect(plan.summary).toContain('Plan of a: 0 to add, 1 to change');
  const runId = (plan.outputs.run_id ?? '').split('@')[0] as string;
  const stateKey = 'shop/dev/app/01JREPLAN00000000000000000/a/terraform.tfstate';
  const before = await flow.moto.getObjectText('cp-tfstate', stateKey);
  await flow.moto.putObject('cp-iac', `runs/${runId}/files/plans/plugins/a.tfplan`, 'forged');
  const refused = await apply(plan);
  expect(refused.exitCode).toBe(1);
  expect(refused.log).toContain('but it is not the plan that was reviewed: its SHA-256 is');
  expect(refused.log).not.toContain('Applying the reviewed plan of a');
  expect(await flow.moto.getObjectText('cp-tfstate', stateKey)).toBe(before);
  expect(await flow.moto.listKeys('cp-iac', 'locks/')).toEqual([]);
}, 120000);
