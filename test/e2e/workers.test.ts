/**
 * Several runners, one run (runtime-tasks WORKERS > 1) through the built bundles, with real
 * Terraform and moto_server: each worker is its own process with its own checkout and RUNNER_TEMP,
 * as the jobs of a matrix are. Two workers racing for every task of a fan-out with a chain; a
 * worker killed (with its Terraform) in the middle of an apply, whose task another worker takes
 * over after the lease; cancel-run stopping every worker. A short lease (10 s) keeps it quick.
 * The single-runner path (WORKERS 1) is parallel.test.ts, cancel-run.test.ts and the others.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord, RunTask } from '@deploy-engine/core';
import { runIdOf } from '../harness/deploy-flow';
import { e2eFixture } from '../harness/e2e-fixture';
import { explain } from '../harness/expect-step';
import { runAction, type ActionResult, type RunActionOptions } from '../harness/runner';

const flow = e2eFixture({ name: 'workers' });

/** One worker of a pool of `size`: its own copy of the checkout, as a job of a matrix has. */
function worker(
  plan: ActionResult,
  size: number,
  index: number,
  options: Pick<RunActionOptions, 'onSpawn' | 'script' | 'state'> = {},
): Promise<ActionResult> {
  const workspace = mkdtempSync(join(tmpdir(), `workers-${index}-`));
  cpSync(flow.checkout, workspace, { recursive: true });
  return runAction('runtime-tasks', {
    ...options,
    workspace,
    env: flow.stepEnv(),
    github: { job: `deploy-${index}` },
    with: {
      RUN_ID: plan.outputs.run_id ?? '',
      TASK_LIST: plan.outputs.apply_tasks ?? '',
      LOCALEXEC_ENABLED: 'true',
      WORKERS: String(size),
      WORKER_LEASE_SECONDS: '10',
    },
  });
}

/** The run as the engine reads it (its tasks' current state merged in). */
async function runOf(plan: ActionResult): Promise<RunRecord> {
  const id = runIdOf(plan.outputs.run_id ?? '');
  const run = await flow.runStore().getRun(id);
  if (!run) throw new Error(`no run ${id}`);
  return run;
}

const plugin = (alias: string, name: string, inputs: string, generates?: string) =>
  `    - name: acme/${name}@1.0.0
      alias: ${alias}
      type: infra
      inputs:
${inputs}
${generates ? `      connections:\n        generates:\n          - { type: diamond-conn, selected: ${generates}, alias: a-out }\n` : ''}`;
const upstream = (selected: string) =>
  `        upstream: { stk-type: required-connection, selected: ${selected}, type: diamond-conn }`;

/** Each process: its parent (from /proc/<pid>/stat). */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      map.set(Number(entry), ppid);
    } catch {
      // gone meanwhile
    }
  }
  return map;
}

function descendsFrom(pid: number, ancestor: number, tree: Map<number, number>): boolean {
  for (let p = tree.get(pid); p !== undefined && p > 1; p = tree.get(p))
    if (p === ancestor) return true;
  return false;
}

function argv(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** SIGKILLs a process and everything under it, as a lost runner loses them. */
function killTree(root: number): void {
  const tree = parents();
  const all = [root, ...[...tree.keys()].filter((p) => descendsFrom(p, root, tree))];
  for (const pid of all) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** Waits for a `sleep <seconds>` under one of `roots`; returns that root. */
async function sleeperRoot(roots: number[], seconds: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const tree = parents();
    for (const pid of tree.keys()) {
      const args = argv(pid);
      if (args[0] !== 'sleep' || args[1] !== seconds) continue;
      const root = roots.find((r) => descendsFrom(pid, r, tree));
      if (root !== undefined) return root;
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`no sleep ${seconds} under the workers`);
}

it('two workers race for every task of a fan-out with a chain: each task once, outputs across runners', async () => {
  // a -> b -> c (a chain), a -> l1, a -> l2 (a fan-out).
  flow.writeApp(
    'pool',
    '01JP00L0000000000000000000',
    plugin('a', 'node-a', '        label: pool', 'pool-a') +
      plugin(
        'b',
        'node-b',
        `${upstream('pool-a')}\n        out: { stk-type: generated-connection, selected: pool-b, type: diamond-conn }`,
      ) +
      plugin(
        'c',
        'node-c',
        `${upstream('pool-b')}\n        out: { stk-type: generated-connection, selected: pool-c, type: diamond-conn }`,
      ) +
      plugin('l1', 'node-e', `${upstream('pool-a')}\n        suffix: l1`) +
      plugin('l2', 'node-e', `${upstream('pool-a')}\n        suffix: l2`),
  );
  const plan = await flow.orchestrate('pool');
  expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
  const results = await Promise.all([worker(plan, 2, 1), worker(plan, 2, 2)]);
  for (const r of results) expect([r.exitCode, explain(r)]).toEqual([0, expect.any(String)]);

  const run = await runOf(plan);
  expect(run.status).toBe('SUCCEEDED');
  const applied = run.tasks.filter((t) => t.taskType !== 'PLAN');
  expect(new Set(applied.map((t) => t.worker)).size).toBe(2);
  for (const t of applied) {
    expect([t.taskType, t.pluginAppliedAlias, t.status, t.attempt]).toEqual([
      t.taskType,
      t.pluginAppliedAlias,
      'SUCCEEDED',
      1,
    ]);
  }
  const task = (type: string, alias: string) =>
    run.tasks.find((t) => t.taskType === type && t.pluginAppliedAlias === alias) as RunTask;
  // Some task ran on another runner than a task it waits for: it rendered with the outputs, or
  // applied the IaC, produced there. Which edge crosses depends on the workers' timing; that one
  // does follows from both workers having run tasks of this connected graph.
  const waits: [string, string, string, string][] = [
    ['DEPLOY_SELF_HOSTED', 'a', 'IAC_SELF_HOSTED', 'b'],
    ['DEPLOY_SELF_HOSTED', 'a', 'IAC_SELF_HOSTED', 'l1'],
    ['DEPLOY_SELF_HOSTED', 'a', 'IAC_SELF_HOSTED', 'l2'],
    ['DEPLOY_SELF_HOSTED', 'b', 'IAC_SELF_HOSTED', 'c'],
    ...['b', 'c', 'l1', 'l2'].map((x): [string, string, string, string] => [
      'IAC_SELF_HOSTED',
      x,
      'DEPLOY_SELF_HOSTED',
      x,
    ]),
  ];
  const crossed = waits.filter(([pt, pa, ct, ca]) => task(pt, pa).worker !== task(ct, ca).worker);
  expect(crossed.length).toBeGreaterThan(0);
  for (const alias of ['b', 'c', 'l1', 'l2']) {
    const dir = results
      .map((r) => r.workspace)
      .find((w) => existsSync(join(w, `${alias}_outputs.json`)));
    const outputs = readFileSync(join(dir ?? '', `${alias}_outputs.json`), 'utf8');
    expect(outputs).toContain('a:pool-dev');
  }
  expect(
    readFileSync(
      join(
        results.map((r) => r.workspace).find((w) => existsSync(join(w, 'c_outputs.json'))) ?? '',
        'c_outputs.json',
      ),
      'utf8',
    ),
  ).toContain('b(a:pool-dev)');
  // Every task ran after what it waits for ended, whichever worker ran it.
  expect(Date.parse(task('IAC_SELF_HOSTED', 'c').startedAt ?? '')).toBeGreaterThanOrEqual(
    Date.parse(task('DEPLOY_SELF_HOSTED', 'b').finishedAt ?? ''),
  );
  // Each job says which worker it was; the run's summary is written once, by the last to leave.
  for (const r of results) expect(r.summary).toMatch(/This job was <strong>worker [12]/);
  expect(results.filter((r) => r.summary.includes('The whole run')).length).toBe(1);
  const whole = results.find((r) => r.summary.includes('The whole run'))?.summary ?? '';
  expect(whole).toMatch(
    /section worker 1[\s\S]*section worker 2|section worker 2[\s\S]*section worker 1/,
  );
  expect(whole).toMatch(/DEPLOY a :crit/);
  expect(await flow.lockKeys()).toEqual([]);
  expect(await flow.terraformLocks()).toEqual([]);
}, 240000);

it('a worker killed in the middle of an apply: its task is taken over after the lease, applied once to the end, and the run succeeds', async () => {
  const log = join(mkdtempSync(join(tmpdir(), 'workers-applies-')), 'applies.log');
  flow.writeApp(
    'lost',
    '01JL0ST0000000000000000000',
    plugin('root', 'node-a', '        label: lost', 'lost-root') +
      plugin(
        'slowstep',
        'step',
        `${upstream('lost-root')}\n        command: sleep 7; echo done >> ${log}`,
      ),
  );
  const plan = await flow.orchestrate('lost');
  expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
  const pids: number[] = [];
  const started = [1, 2].map((i) => worker(plan, 2, i, { onSpawn: (pid) => pids.push(pid) }));
  const victim = await sleeperRoot(pids, '7', 120000);
  killTree(victim);
  const results = await Promise.all(started);
  const killed = results[pids.indexOf(victim)] as ActionResult;
  const survivor = results[1 - pids.indexOf(victim)] as ActionResult;
  expect(killed.signal).toBe('SIGKILL');
  expect([survivor.exitCode, explain(survivor)]).toEqual([0, expect.any(String)]);

  const run = await runOf(plan);
  expect(run.status).toBe('SUCCEEDED');
  const deploy = run.tasks.find(
    (t) => t.taskType === 'DEPLOY_SELF_HOSTED' && t.pluginAppliedAlias === 'slowstep',
  );
  expect(deploy?.attempt).toBe(2);
  expect(survivor.log).toMatch(/Took over DEPLOY_SELF_HOSTED slowstep from worker/);
  // The killed Terraform's state lock was provably the dead worker's: released, and said loudly.
  expect(survivor.log).toMatch(/RELEASED the Terraform state lock/);
  // The command ran to its end once: the killed apply never got there.
  expect(readFileSync(log, 'utf8')).toBe('done\n');
  expect(
    run.tasks
      .filter((t) => t.taskType !== 'PLAN')
      .filter((t) => t.taskType !== 'DEPLOY_SELF_HOSTED' || t.pluginAppliedAlias !== 'slowstep')
      .every((t) => t.attempt === 1),
  ).toBe(true);
  expect(survivor.summary).toContain('The whole run');
  expect(await flow.terraformLocks()).toEqual([]);
  expect(await flow.lockKeys()).toEqual([]);
}, 240000);

it('a worker killed after its Terraform wrote part of the state: the task is taken over, only the rest of the reviewed plan is applied, and the run succeeds', async () => {
  // Terraform persists the state of a long apply every 20 s (at the resource that ends then, see
  // the plugin two-steps): the state holds `first` (21 s) when the worker is killed in `second`.
  const dir = mkdtempSync(join(tmpdir(), 'workers-takeover-'));
  const log = join(dir, 'applies.log');
  const skip = join(dir, 'killed');
  flow.writeApp(
    'partial',
    '01JPART1A10000000000000000',
    `    - name: acme/two-steps@1.0.0
      alias: halves
      type: infra
      inputs:
        first: sleep 21; echo first >> ${log}
        second: test -e ${skip} || sleep 33; echo second >> ${log}
`,
  );
  const plan = await flow.orchestrate('partial');
  expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
  const pids: number[] = [];
  const started = [1, 2].map((i) => worker(plan, 2, i, { onSpawn: (pid) => pids.push(pid) }));
  const victim = await sleeperRoot(pids, '33', 120000);
  killTree(victim);
  writeFileSync(skip, '');
  const results = await Promise.all(started);
  const survivor = results[1 - pids.indexOf(victim)] as ActionResult;
  expect(results[pids.indexOf(victim)]?.signal).toBe('SIGKILL');
  expect([survivor.exitCode, explain(survivor)]).toEqual([0, expect.any(String)]);

  const run = await runOf(plan);
  expect(run.status).toBe('SUCCEEDED');
  const deploy = run.tasks.find((t) => t.taskType === 'DEPLOY_SELF_HOSTED');
  expect(deploy?.attempt).toBe(2);
  expect(survivor.log).toMatch(
    /halves was taken over from worker \S+ \([^)]*\), whose Terraform had written its state before it was lost \(a state was created \(serial 1\)\): 2 of 3 reviewed change\(s\) were already applied \(terraform_data\.first, terraform_data\.start\); planned again, applying the remaining 1 \(terraform_data\.second\)/,
  );
  expect(survivor.log).not.toMatch(/terraform_data\.first: Creating/);
  // Each resource was created once: the first by the killed worker, the second by the survivor.
  expect(readFileSync(log, 'utf8')).toBe('first\nsecond\n');
  expect(survivor.summary).toContain('taken over: 1 of 3 reviewed changes left');
  expect(await flow.terraformLocks()).toEqual([]);
  expect(await flow.lockKeys()).toEqual([]);
}, 240000);

it('a failed pool run is resumed by re-running one job of the matrix: only the failed task runs again', async () => {
  const flag = join(mkdtempSync(join(tmpdir(), 'workers-again-')), 'ok');
  flow.writeApp(
    'again',
    '01JAGA1N000000000000000000',
    plugin('root', 'node-a', '        label: again', 'again-root') +
      plugin('retry', 'step', `${upstream('again-root')}\n        command: test -f ${flag}`),
  );
  const plan = await flow.orchestrate('again');
  expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
  const first = await Promise.all([1, 2].map((i) => worker(plan, 2, i)));
  expect(first.map((r) => r.exitCode)).toContain(1);
  const failed = await runOf(plan);
  expect(failed.status).toMatch(/ERROR/);

  writeFileSync(flag, '');
  const rerun = await worker(plan, 2, 2);
  expect([rerun.exitCode, explain(rerun)]).toEqual([0, expect.any(String)]);
  expect(rerun.log).toMatch(
    /This worker resumes it \(a re-run of the failed jobs\) with a pool of 2/,
  );
  const run = await runOf(plan);
  expect(run.status).toBe('SUCCEEDED');
  expect(run.attempts).toEqual([expect.objectContaining({ status: failed.status })]);
  // The earlier attempt's pool was dropped: the re-run's worker recorded its own.
  expect(failed.pool?.size).toBe(2);
  expect(run.pool?.size).toBe(2);
  expect(run.pool?.since).not.toBe(failed.pool?.since);
  // The re-run's last worker sums the run up, although the failed attempt's last worker did too.
  expect(first.some((r) => r.summary.includes('The whole run'))).toBe(true);
  expect(rerun.summary).toContain('The whole run');
  const rootTasks = (r: RunRecord) => r.tasks.filter((t) => t.pluginAppliedAlias === 'root');
  expect(rootTasks(run)).toEqual(rootTasks(failed));
  expect(await flow.lockKeys()).toEqual([]);
}, 240000);

it('the post step of a worker killed mid-task leaves the run to the others, who take its task over at once', async () => {
  flow.writeApp(
    'left',
    '01JLEFT000000000000000000',
    plugin('root', 'node-a', '        label: left', 'left-root') +
      plugin('leftstep', 'step', `${upstream('left-root')}\n        command: sleep 8`),
  );
  const plan = await flow.orchestrate('left');
  expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
  const pids: number[] = [];
  const started = [1, 2].map((i) => worker(plan, 2, i, { onSpawn: (pid) => pids.push(pid) }));
  const victim = await sleeperRoot(pids, '8', 120000);
  killTree(victim);
  const [first, second] = started as [Promise<ActionResult>, Promise<ActionResult>];
  const killed = await (pids.indexOf(victim) === 0 ? first : second);
  // The runner survived the step: its post step runs, and must not close a run another executes.
  const post = await worker(plan, 2, 3, { script: 'post', state: killed.state });
  expect([post.exitCode, explain(post)]).toEqual([0, expect.any(String)]);
  expect(post.log).toMatch(/left run \S+, which 1 other worker\(s\) still execute/);
  const survivor = await (pids.indexOf(victim) === 0 ? second : first);
  expect([survivor.exitCode, explain(survivor)]).toEqual([0, expect.any(String)]);
  expect(survivor.log).toMatch(/Took over DEPLOY_SELF_HOSTED leftstep/);
  expect((await runOf(plan)).status).toBe('SUCCEEDED');
  expect(await flow.terraformLocks()).toEqual([]);
}, 240000);

it('cancel-run during a pool stops every worker', async () => {
  flow.writeApp(
    'stop',
    '01JST0P0000000000000000000',
    plugin('root', 'node-a', '        label: stop', 'stop-root') +
      plugin('w1', 'step', `${upstream('stop-root')}\n        command: sleep 31`) +
      plugin('w2', 'step', `${upstream('stop-root')}\n        command: sleep 31`),
  );
  const plan = await flow.orchestrate('stop');
  expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
  const pids: number[] = [];
  const started = Date.now();
  const running = [1, 2].map((i) => worker(plan, 2, i, { onSpawn: (pid) => pids.push(pid) }));
  await sleeperRoot(pids, '31', 120000);
  const cancelled = await flow.cancel(plan.outputs.run_id ?? '');
  expect([cancelled.exitCode, explain(cancelled)]).toEqual([0, expect.any(String)]);
  const results = await Promise.all(running);
  // Both stopped long before the 31 s commands would have ended.
  expect(Date.now() - started).toBeLessThan(60000);
  for (const r of results) {
    expect(r.exitCode).toBe(1);
    expect(r.log).toMatch(/was closed as ABORTED/);
  }
  const run = await runOf(plan);
  expect(run.status).toBe('ABORTED');
  expect(run.tasks.every((t) => t.status !== 'RUNNING')).toBe(true);
  expect(await flow.lockKeys()).toEqual([]);
  expect(await flow.terraformLocks()).toEqual([]);
}, 240000);
