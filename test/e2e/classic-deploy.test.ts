/**
 * The classic flow end to end, as GitHub runs it: the built orchestrate-and-plan and runtime-tasks
 * bundles chained like the workflow's jobs, real Terraform, moto_server as S3 on 127.0.0.1.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { explain, tasksOf } from '../harness/expect-step';
import { e2eFixture } from '../harness/e2e-fixture';
import { runAction, type ActionResult } from '../harness/runner';

const flow = e2eFixture({ name: 'e2e' });

const common = {
  TFSTATE_BUCKET_NAME: 'e2e-tfstate',
  IAC_BUCKET_NAME: 'e2e-iac',
  WORKSPACE: 'shop',
  ENVIRONMENT: 'dev',
  WORKDIR: 'diamond',
  PLUGINS_PATH: 'plugins',
};

async function orchestrate(version: string): Promise<ActionResult> {
  return runAction('orchestrate-and-plan', {
    workspace: flow.checkout,
    env: flow.stepEnv(),
    with: { ...common, VERSION: version },
  });
}

async function apply(plan: ActionResult): Promise<ActionResult> {
  return runAction('runtime-tasks', {
    workspace: flow.checkout,
    env: flow.stepEnv(),
    with: { RUN_ID: plan.outputs.run_id ?? '', TASK_LIST: plan.outputs.apply_tasks ?? '' },
  });
}

async function stateResources(alias: string): Promise<unknown[]> {
  const keys = await flow.moto.listKeys('e2e-tfstate');
  const key = keys.find((k) => k.includes(`/${alias}/`) && k.endsWith('.tfstate'));
  if (!key) throw new Error(`no state for ${alias} among ${keys.join(', ')}`);
  return (JSON.parse(await flow.moto.getObjectText('e2e-tfstate', key)) as { resources: unknown[] })
    .resources;
}

describe('classic deployment of a diamond (A -> B, A -> C, B + C -> D)', () => {
  it('deploys in dependency order with connection values flowing into dependents', async () => {
    const plan = await orchestrate('v1');
    expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
    expect(plan.log).toMatch(
      /RUN DEPLOY_SELF_HOSTED successfully started with ID: [0-9A-HJKMNP-TV-Z]{26}/,
    );
    expect(plan.outputs.run_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}@e2e-iac$/);
    expect(tasksOf(plan)).toEqual([
      'IAC_SELF_HOSTED a',
      'DEPLOY_SELF_HOSTED a',
      'IAC_SELF_HOSTED b',
      'DEPLOY_SELF_HOSTED b',
      'IAC_SELF_HOSTED c',
      'DEPLOY_SELF_HOSTED c',
      'IAC_SELF_HOSTED d',
      'DEPLOY_SELF_HOSTED d',
    ]);
    expect(plan.summary).toContain('```mermaid');

    const result = await apply(plan);
    expect([result.exitCode, explain(result)]).toEqual([0, expect.any(String)]);
    const d = JSON.parse(readFileSync(join(flow.checkout, 'd_outputs.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(d).toEqual({ joined: 'b(a:root-dev)+c(a:root-dev)' });
    for (const alias of ['a', 'b', 'c', 'd']) expect(await stateResources(alias)).toHaveLength(1);
    expect(result.summary).toMatch(/SUCCEEDED/);
  });

  it('redeploys an unchanged application without changing anything', async () => {
    const plan = await orchestrate('v2');
    expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
    const result = await apply(plan);
    expect([result.exitCode, explain(result)]).toEqual([0, expect.any(String)]);
    expect(result.log).toMatch(/Apply complete! Resources: 0 added, 0 changed, 0 destroyed/);
  });

  it('refuses a second run while one is RUNNING, naming the holder', async () => {
    const first = await orchestrate('v3');
    expect([first.exitCode, explain(first)]).toEqual([0, expect.any(String)]);
    const runId = (first.outputs.run_id ?? '').split('@')[0] as string;
    const second = await orchestrate('v3-again');
    expect(second.exitCode).toBe(1);
    expect(second.log).toContain(runId);
    expect(second.outputs.run_id ?? '').toBe('');
    const cancel = await runAction('cancel-run', {
      workspace: flow.checkout,
      env: flow.stepEnv(),
      with: { RUN_ID: first.outputs.run_id ?? '' },
    });
    expect([cancel.exitCode, explain(cancel)]).toEqual([0, expect.any(String)]);
  });

  it('destroys removed plugins last, consumers first, with the IaC of their last deployment, and deletes their interfaces', async () => {
    const stk = join(flow.checkout, 'diamond', '.stk', 'stk.yaml');
    const original = readFileSync(stk, 'utf8');
    // Remove D (the sink) and C (which only D required).
    const reduced = original
      .replace(/ {4}- name: acme\/node-d@1\.0\.0[\s\S]*?(?= {4}- name: acme\/node-b)/, '')
      .replace(/ {4}- name: acme\/node-c@1\.0\.0[\s\S]*?(?= {4}- name: acme\/node-a)/, '');
    expect(reduced).not.toMatch(/node-d|node-c/);
    writeFileSync(stk, reduced);
    rmSync(join(flow.checkout, 'plugins', 'node-d'), { recursive: true });
    rmSync(join(flow.checkout, 'plugins', 'node-c'), { recursive: true });

    const plan = await orchestrate('v4');
    expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
    expect(tasksOf(plan).slice(-2)).toEqual(['DESTROY_SELF_HOSTED d', 'DESTROY_SELF_HOSTED c']);
    const result = await apply(plan);
    expect([result.exitCode, explain(result)]).toEqual([0, expect.any(String)]);
    expect(result.log).toMatch(
      /Applying the reviewed destroy plan of d[\s\S]*Resources: 0 added, 0 changed, 1 destroyed/,
    );
    expect(result.log).toContain('Removed Connection Interface(s): diamond-c.');
    expect(await stateResources('d')).toHaveLength(0);
    expect(await stateResources('c')).toHaveLength(0);
    expect(await stateResources('b')).toHaveLength(1);
    const interfaces = await flow.moto.listKeys(
      'e2e-iac',
      'workspaces/shop/dev/connection-interfaces/',
    );
    expect(interfaces.map((k) => k.split('/').at(-1))).toEqual([
      'diamond-a.json',
      'diamond-b.json',
    ]);
  });
});
