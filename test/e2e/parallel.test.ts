/**
 * TASK_PARALLELISM through the built bundles (real Terraform, moto_server on 127.0.0.1): a fan-out
 * application deployed 4 tasks at a time, with every order constraint checked on the task
 * timestamps the run recorded, readable logs and a timeline; and a failure among running tasks.
 */
import { type RunRecordView } from '../harness/deploy-flow';
import { e2eFixture } from '../harness/e2e-fixture';
import { explain } from '../harness/expect-step';
import type { ActionResult } from '../harness/runner';

const flow = e2eFixture({ name: 'par' });

const root = (selected: string) => `    - name: acme/node-a@1.0.0
      alias: root
      type: infra
      inputs: { label: fan }
      connections:
        generates:
          - { type: diamond-conn, selected: ${selected}, alias: a-out }
`;

const leaf = (alias: string, selected: string, plugin = 'node-e', extra = `suffix: ${alias}`) =>
  `    - name: acme/${plugin}@1.0.0
      alias: ${alias}
      type: infra
      inputs:
        ${extra}
        upstream: { stk-type: required-connection, selected: ${selected}, type: diamond-conn }
`;

async function runOf(plan: ActionResult): Promise<RunRecordView> {
  const id = (plan.outputs.run_id ?? '').split('@')[0];
  const run = (await flow.runs()).find((r) => r.runId === id);
  if (!run) throw new Error(`no run ${id}`);
  return run;
}

const time = (iso?: string): number => (iso ? Date.parse(iso) : NaN);

/** The largest number of tasks whose [start, end] intervals overlap. */
function maxConcurrency(tasks: RunRecordView['tasks']): number {
  const events = tasks
    .filter((t) => t.startedAt && t.finishedAt)
    .flatMap((t) => [
      [time(t.startedAt), 1],
      [time(t.finishedAt), -1],
    ])
    .sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number));
  let now = 0;
  let max = 0;
  for (const [, delta] of events) max = Math.max(max, (now += delta as number));
  return max;
}

it('deploys a fan-out 4 tasks at a time, never before what each task waits for', async () => {
  const leaves = ['l1', 'l2', 'l3', 'l4', 'l5', 'l6'];
  flow.writeApp(
    'fan',
    '01JFAN00000000000000000000',
    root('fan-root') + leaves.map((l) => leaf(l, 'fan-root')).join(''),
  );
  const plan = await flow.orchestrate('fan', { TASK_PARALLELISM: '4' });
  expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
  const applied = await flow.apply(plan, { with: { TASK_PARALLELISM: '4' } });
  expect([applied.exitCode, explain(applied)]).toEqual([0, expect.any(String)]);

  const run = await runOf(plan);
  expect(run.status).toBe('SUCCEEDED');
  const task = (type: string, alias: string) =>
    run.tasks.find(
      (t) => t.taskType === type && t.pluginAppliedAlias === alias,
    ) as RunRecordView['tasks'][0];
  const rootDeployed = time(task('DEPLOY_SELF_HOSTED', 'root').finishedAt);
  for (const l of leaves) {
    // A dependent is rendered only once its producer is deployed, and deployed once rendered.
    expect(time(task('IAC_SELF_HOSTED', l).startedAt)).toBeGreaterThanOrEqual(rootDeployed);
    expect(time(task('DEPLOY_SELF_HOSTED', l).startedAt)).toBeGreaterThanOrEqual(
      time(task('IAC_SELF_HOSTED', l).finishedAt),
    );
  }
  const applyTasks = run.tasks.filter((t) => t.taskType !== 'PLAN');
  const concurrency = maxConcurrency(applyTasks);
  expect(concurrency).toBeGreaterThanOrEqual(2);
  expect(concurrency).toBeLessThanOrEqual(4);

  // Readable logs: a line when a task starts, its whole log as one group when it ends.
  expect(applied.log).toMatch(/▶ DEPLOY_SELF_HOSTED l\d started \(\d running\)/);
  expect(applied.log).toMatch(
    /▸ DEPLOY_SELF_HOSTED l1 \(done, \d+\.\d s\)\n[\s\S]*?Apply complete!/,
  );
  expect(applied.summary).toContain('<h3>Timeline</h3>');
  expect(applied.summary).toMatch(
    /```mermaid\ngantt\n {2}dateFormat x\n[\s\S]*DEPLOY root :crit, /,
  );
}, 180000);

it('after a failure starts nothing new, lets running tasks finish, and aborts the rest', async () => {
  const leaves = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'];
  flow.writeApp(
    'fail',
    '01JFA1L0000000000000000000',
    root('fail-root') +
      leaf('bad', 'fail-root', 'step', 'command: "false"') +
      leaves.map((l) => leaf(l, 'fail-root')).join(''),
  );
  const plan = await flow.orchestrate('fail', { TASK_PARALLELISM: '4' });
  expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
  const applied = await flow.apply(plan, { with: { TASK_PARALLELISM: '4' } });
  expect(applied.exitCode).toBe(1);

  const run = await runOf(plan);
  expect(run.status).toMatch(/ERROR/);
  const bad = run.tasks.find(
    (t) => t.taskType === 'DEPLOY_SELF_HOSTED' && t.pluginAppliedAlias === 'bad',
  );
  expect(bad?.status).toBe('FAILED');
  const badEnded = time(bad?.finishedAt);
  for (const t of run.tasks) {
    // Nothing is left RUNNING; every task that started also ended.
    expect(t.status).not.toBe('RUNNING');
    if (t.startedAt) expect(t.finishedAt).toBeDefined();
    // Nothing started after the failure was known.
    if (t.startedAt) expect(time(t.startedAt)).toBeLessThanOrEqual(badEnded);
  }
  const aborted = run.tasks.filter((t) => t.status === 'ABORTED');
  expect(aborted.length).toBeGreaterThan(0);
  expect(aborted.every((t) => t.startedAt === undefined)).toBe(true);
  expect(applied.log).toMatch(/task\(s\) that had not started are ABORTED with the run/);
  expect(await flow.lockKeys()).toEqual([]);
}, 180000);
