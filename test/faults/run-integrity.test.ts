/**
 * What a run stores and executes, attacked through the built bundles (real Terraform, moto_server
 * on 127.0.0.1): a TASK_LIST re-ordered, cut short or forged, two runtime-tasks on one run,
 * cancel-run during an apply (timed), and the stored manifest and plugin snapshot changed in the
 * IaC bucket between the plan and the approved job. A run may only succeed when every task it
 * planned succeeded; nothing refused may change the run or hold the lock.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { digestFiles } from '@deploy-engine/core';
import { runIdOf, terraformProcesses, waitFor } from '../harness/deploy-flow';
import { e2eFixture } from '../harness/e2e-fixture';
import { errorsOf, expectOk } from '../harness/expect-step';
import type { ActionResult } from '../harness/runner';

jest.setTimeout(300000);

const flow = e2eFixture({ name: 'integrity' });

interface ListedTask {
  runTaskId: string;
  taskType: string;
  pluginAppliedAlias: string | null;
}

/** A producer and a consumer that requires its Connection Interface, under `workdir`. */
function writeChain(workdir: string, appId: string): void {
  flow.writeApp(
    workdir,
    appId,
    `    - name: acme/node-a@1.0.0
      alias: producer
      type: infra
      inputs: { label: ${workdir} }
      connections:
        generates:
          - { type: diamond-conn, selected: ${workdir}-out, alias: a-out }
    - name: acme/node-e@1.0.0
      alias: consumer
      type: infra
      inputs:
        suffix: s
        upstream: { stk-type: required-connection, selected: ${workdir}-out, type: diamond-conn }
`,
  );
}

function listOf(plan: ActionResult): ListedTask[] {
  return JSON.parse(plan.outputs.apply_tasks ?? '[]') as ListedTask[];
}

function applyWith(plan: ActionResult, tasks: ListedTask[]): Promise<ActionResult> {
  return flow.apply(plan, { with: { TASK_LIST: JSON.stringify(tasks) } });
}

async function record(plan: ActionResult): Promise<Record<string, unknown> & RunView> {
  const runId = runIdOf(plan.outputs.run_id ?? '');
  return JSON.parse(
    await flow.moto.getObjectText(flow.iacBucket, `runs/${runId}/record.json`),
  ) as Record<string, unknown> & RunView;
}

interface RunView {
  status: string;
  finishedAt?: string;
  executor?: { description: string };
  tasks: {
    taskType: string;
    pluginAppliedAlias: string;
    status: string;
    startedAt?: string;
    finishedAt?: string;
  }[];
}

/** Keys of Terraform states of `workdir`'s app (by its app id). */
async function statesOf(appId: string): Promise<string[]> {
  return (await flow.moto.listKeys(flow.tfstateBucket)).filter(
    (k) => k.includes(`/${appId}/`) && k.endsWith('.tfstate'),
  );
}

const failed = (result: ActionResult): string => `${errorsOf(result)}\n${result.log}`;

describe('TASK_LIST against the run', () => {
  it('a re-ordered list (consumer first) is executed in dependency order and every task succeeds', async () => {
    writeChain('reorder', '01JREORDER0000000000000000');
    const plan = await flow.orchestrate('reorder', { VERSION: 'v1' });
    expectOk(plan);
    const applied = await applyWith(plan, [...listOf(plan)].reverse());
    expectOk(applied);
    const run = await record(plan);
    expect(run.status).toBe('SUCCEEDED');
    const at = (type: string, alias: string, field: 'startedAt' | 'finishedAt'): number =>
      Date.parse(
        run.tasks.find((t) => t.taskType === type && t.pluginAppliedAlias === alias)?.[field] ??
          'x',
      );
    expect(
      run.tasks.filter((t) => t.taskType !== 'PLAN').map((t) => `${t.taskType} ${t.status}`),
    ).toEqual(Array(4).fill(expect.stringMatching(/ SUCCEEDED$/)));
    // The consumer rendered only once the producer was deployed (its Connection Interface exists).
    expect(at('IAC_SELF_HOSTED', 'consumer', 'startedAt')).toBeGreaterThanOrEqual(
      at('DEPLOY_SELF_HOSTED', 'producer', 'finishedAt'),
    );
    expect(await statesOf('01JREORDER0000000000000000')).toHaveLength(2);
  });

  it("a list without one plugin's tasks is refused naming them; the run never succeeds and SKIP_DEPLOY does not skip", async () => {
    const appId = '01JDROPPED0000000000000000';
    writeChain('dropped', appId);
    const plan = await flow.orchestrate('dropped', { VERSION: 'v1' });
    expectOk(plan);
    const kept = listOf(plan).filter((t) => t.pluginAppliedAlias !== 'consumer');
    const applied = await applyWith(plan, kept);
    expect(applied.exitCode).toBe(1);
    expect(failed(applied)).toMatch(
      /TASK_LIST leaves out 2 task\(s\) of run \w+ that are still to be done: IAC_SELF_HOSTED consumer \(\w+\), DEPLOY_SELF_HOSTED consumer/,
    );
    expect(failed(applied)).toContain('outputs.apply_tasks of the orchestrate-and-plan job');
    // Nothing written by the refused step; its post step closes the run and releases the lock.
    const refused = await record(plan);
    expect([refused.status, refused.executor]).toEqual(['RUNNING', undefined]);
    expectOk(await flow.postApply(plan, applied));
    const run = await record(plan);
    expect(run.status).toBe('ABORTED');
    expect(run.tasks.filter((t) => t.taskType !== 'PLAN').map((t) => t.status)).toEqual(
      Array(4).fill('ABORTED'),
    );
    expect(await statesOf(appId)).toEqual([]);
    expect(await flow.lockKeys()).toEqual([]);

    const again = await flow.orchestrate('dropped', { VERSION: 'v2', SKIP_DEPLOY: 'true' });
    expectOk(again);
    expect(again.outputs.run_status).toBe('RUNNING');
    expectOk(await flow.cancel(again.outputs.run_id ?? ''));
  });

  it('an extra (forged) task is refused naming it, writing nothing; the post step releases the lock', async () => {
    writeChain('forged', '01JFORGED00000000000000000');
    const plan = await flow.orchestrate('forged', { VERSION: 'v1' });
    expectOk(plan);
    const forged = {
      runTaskId: '01JFORGEDTASK0000000000000',
      taskType: 'DESTROY_SELF_HOSTED',
      pluginAppliedAlias: 'victim',
    };
    const applied = await applyWith(plan, [...listOf(plan), forged]);
    expect(applied.exitCode).toBe(1);
    expect(failed(applied)).toMatch(
      /TASK_LIST element 4 \(DESTROY_SELF_HOSTED victim, 01JFORGEDTASK0000000000000\) is not a task of run/,
    );
    expect((await record(plan)).status).toBe('RUNNING');
    expectOk(await flow.postApply(plan, applied));
    expect((await record(plan)).status).toBe('ABORTED');
    expect(await flow.lockKeys()).toEqual([]);
    expect(await statesOf('01JFORGED00000000000000000')).toEqual([]);
  });
});

describe('one step at a time on a run', () => {
  it('two runtime-tasks started at once: one executes, the other is refused naming it and changes nothing', async () => {
    const plan = await flow.orchestrate('pause', { VERSION: 'v1', DYNAMIC_INPUTS: '--seconds 15' });
    expectOk(plan);
    const env = (job: string) => ({ env: { GITHUB_JOB: job } });
    const one = flow.apply(plan, env('deploy-one'));
    const two = flow.apply(plan, env('deploy-two'));
    // The refused step ends within seconds; the other still sleeps in its apply.
    const first = await Promise.race([one, two].map((p, i) => p.then((result) => ({ result, i }))));
    const refused = first.result;
    const winner = first.i === 0 ? two : one;
    expect([refused.exitCode, failed(refused)]).toEqual([
      1,
      expect.stringMatching(
        /is already being executed by job deploy-(one|two) of workflow run .*; this step did not run any task and changed nothing in the run/,
      ),
    ]);
    // The refused step's post step (post-if: always()) must not close the run under the other.
    const before = await record(plan);
    expect(before.status).toBe('RUNNING');
    expectOk(await flow.postApply(plan, refused));
    expect((await record(plan)).status).toBe('RUNNING');
    const executed = await winner;
    expectOk(executed);
    const run = await record(plan);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.tasks.every((t) => t.status === 'SUCCEEDED')).toBe(true);
    expect(await flow.lockKeys()).toEqual([]);
  });
});

it("another repository's runtime-tasks given this run's RUN_ID is refused naming both, changes nothing, and its post step leaves the run", async () => {
  writeChain('foreign', '01JF0RE1GN0000000000000000');
  const plan = await flow.orchestrate('foreign', { VERSION: 'v1' });
  expectOk(plan);
  const stolen = await flow.apply(plan, { env: { GITHUB_REPOSITORY: 'evil/fork' } });
  expect(stolen.exitCode).toBe(1);
  expect(failed(stolen)).toMatch(
    /Run \w+ was opened by a workflow of repository \S+ \(.*\); this step runs in evil\/fork and may not execute it\. Nothing was changed\./,
  );
  const before = await record(plan);
  expect([before.status, before.executor]).toEqual(['RUNNING', undefined]);
  expectOk(await flow.postApply(plan, stolen));
  expect((await record(plan)).status).toBe('RUNNING');
  expect(await statesOf('01JF0RE1GN0000000000000000')).toEqual([]);
  // The application's own approved job still executes it.
  expectOk(await flow.apply(plan));
  expect((await record(plan)).status).toBe('SUCCEEDED');
});

it('cancel-run during an apply: Terraform is interrupted within 2 s of the run being closed', async () => {
  const plan = await flow.orchestrate('pause', { VERSION: 'v2', DYNAMIC_INPUTS: '--seconds 40' });
  expectOk(plan);
  const runId = runIdOf(plan.outputs.run_id ?? '');
  const applying = flow.apply(plan);
  const [pid] = await waitFor(
    () => {
      const found = terraformProcesses(runId, 'apply', 'pauser');
      return found.length > 0 ? found : undefined;
    },
    120000,
    'the pauser apply',
  );
  // Terraform's local-exec `sleep 40` is a child of that apply: interrupted, it is killed.
  const sleeper = await waitFor(() => childSleep(pid ?? 0), 30000, 'the sleep');
  const cancel = await flow.cancel(plan.outputs.run_id ?? '');
  expect([cancel.exitCode, cancel.log]).toEqual([0, expect.stringContaining('ABORTED')]);
  const closedAt = Date.parse((await record(plan)).finishedAt ?? 'x');
  await waitFor(() => (alive(sleeper) ? undefined : true), 30000, 'the sleep to be killed');
  const interruptedAfterMs = Date.now() - closedAt;

  console.log(`cancel-run closed the run; Terraform interrupted ${interruptedAfterMs} ms later`);
  expect(interruptedAfterMs).toBeLessThan(2000);
  const applied = await applying;
  expect([applied.exitCode, applied.log]).toEqual([
    1,
    expect.stringContaining('by another job (cancel-run)'),
  ]);
  expect(await flow.lockKeys()).toEqual([]);
});

describe('stored objects checked against the run record', () => {
  const appId = '01JTAMPER00000000000000000';

  async function tamperedRun(
    version: string,
    tamper: (runId: string) => Promise<string>,
  ): Promise<void> {
    const plan = await flow.orchestrate('tamper', { VERSION: version });
    expectOk(plan);
    const key = await tamper(runIdOf(plan.outputs.run_id ?? ''));
    const applied = await flow.apply(plan);
    expect([applied.exitCode, failed(applied)]).toEqual([
      1,
      expect.stringContaining(`s3://${flow.iacBucket}/${key} is not the object run`),
    ]);
    expect(failed(applied)).toContain(
      'Start a new run (run the workflow again) and review its plan',
    );
    expect(failed(applied)).not.toContain('INTERNAL_ERROR');
    expect((await record(plan)).status).toBe('RUNTIME_ERROR');
    expect(await flow.lockKeys()).toEqual([]);
    expect(await statesOf(appId)).toEqual([]);
  }

  it('a manifest changed in the IaC bucket after the plan is refused, naming its key', async () => {
    writeChain('tamper', appId);
    await tamperedRun('v1', async (runId) => {
      const key = `runs/${runId}/artifacts/manifest.json`;
      const text = await flow.moto.getObjectText(flow.iacBucket, key);
      expect(text).toContain('"suffix":"s"');
      await flow.moto.putObject(
        flow.iacBucket,
        key,
        text.replace('"suffix":"s"', '"suffix":"evil"'),
      );
      return key;
    });
  });

  it('a plugin snapshot changed (with its own digest recomputed) is refused, naming its key', async () => {
    await tamperedRun('v2', async (runId) => {
      // The consumer's, read by the run's third task: refused before the first task all the same.
      const key = `runs/${runId}/artifacts/sources/consumer.json`;
      const snapshot = JSON.parse(await flow.moto.getObjectText(flow.iacBucket, key)) as {
        digest: string;
        files: { path: string; base64: string }[];
      };
      const files = snapshot.files.map((f) => ({
        path: f.path,
        content: f.path.endsWith('.tf')
          ? Buffer.from('resource "terraform_data" "evil" {}\n')
          : Buffer.from(f.base64, 'base64'),
      }));
      await flow.moto.putObject(
        flow.iacBucket,
        key,
        JSON.stringify({
          digest: digestFiles(files),
          files: files.map((f) => ({ path: f.path, base64: f.content.toString('base64') })),
        }),
      );
      return key;
    });
  });
});

/** The pid of the `sleep` Terraform's local-exec started under `pid` (a grandchild), if any. */
function childSleep(pid: number): number | undefined {
  const parents = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = /\((.*)\)/.exec(stat)?.[1] ?? '';
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
      names.set(Number(entry), name);
    } catch {
      // gone meanwhile
    }
  }
  const descends = (p: number): boolean => {
    for (let cur = parents.get(p); cur !== undefined && cur > 1; cur = parents.get(cur))
      if (cur === pid) return true;
    return false;
  };
  return [...names].find(([p, name]) => name === 'sleep' && descends(p))?.[0];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
