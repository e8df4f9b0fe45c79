/**
 * The rest of the run lifecycle through the built bundles (real Terraform, moto_server on
 * 127.0.0.1): ROLLBACK to a version tag across an added and a removed plugin, DESTROY refused
 * while another application requires what it produced, SKIP_DEPLOY when nothing changed, and
 * GitHub's "re-run failed jobs" sending the same RUN_ID and TASK_LIST again.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runIdOf, type RunRecordView } from '../harness/deploy-flow';
import { e2eFixture } from '../harness/e2e-fixture';
import { errorsOf, expectOk, tasksOf } from '../harness/expect-step';
import type { ActionResult } from '../harness/runner';

const flow = e2eFixture({ name: 'life' });

/** node-a: a root that generates `selected`. */
function root(alias: string, label: string, selected: string): string {
  return `    - name: acme/node-a@1.0.0
      alias: ${alias}
      type: infra
      inputs: { label: ${label} }
      connections:
        generates:
          - { type: diamond-conn, selected: ${selected}, alias: a-out }
`;
}

/** node-e: requires `selected`. */
function consumer(alias: string, selected: string, suffix: string): string {
  return `    - name: acme/node-e@1.0.0
      alias: ${alias}
      type: infra
      inputs:
        suffix: ${suffix}
        upstream: { stk-type: required-connection, selected: ${selected}, type: diamond-conn }
`;
}

/** node-b: requires `upstream` and generates `selected`. */
function middle(alias: string, upstream: string, selected: string): string {
  return `    - name: acme/node-b@1.0.0
      alias: ${alias}
      type: infra
      inputs:
        upstream: { stk-type: required-connection, selected: ${upstream}, type: diamond-conn }
        out: { stk-type: generated-connection, selected: ${selected}, type: diamond-conn }
`;
}

async function deploy(workdir: string, version: string, extra: Record<string, string> = {}) {
  const plan = await flow.orchestrate(workdir, { VERSION: version, ...extra });
  expectOk(plan);
  const applied = await flow.apply(plan);
  expectOk(applied);
  return { plan, applied };
}

/** Resources in the state of `alias` of the app `appId` (0 when it has no state). */
async function resourceCount(appId: string, alias: string): Promise<number> {
  const key = (await flow.moto.listKeys(flow.tfstateBucket)).find(
    (k) => k.includes(`/${appId}/`) && k.includes(`/${alias}/`) && k.endsWith('.tfstate'),
  );
  if (!key) return 0;
  return (
    JSON.parse(await flow.moto.getObjectText(flow.tfstateBucket, key)) as { resources: unknown[] }
  ).resources.length;
}

async function connectionInterface(name: string): Promise<Record<string, unknown> | undefined> {
  const key = `workspaces/shop/dev/connection-interfaces/${name}.json`;
  if (!(await flow.moto.listKeys(flow.iacBucket, key)).includes(key)) return undefined;
  return (
    JSON.parse(await flow.moto.getObjectText(flow.iacBucket, key)) as {
      attributes: Record<string, unknown>;
    }
  ).attributes;
}

async function history(appId: string, file: string): Promise<Record<string, unknown>> {
  return JSON.parse(
    await flow.moto.getObjectText(flow.iacBucket, `history/shop/dev/app/${appId}/${file}`),
  ) as Record<string, unknown>;
}

async function runOf(result: ActionResult): Promise<RunRecordView & Record<string, unknown>> {
  const id = runIdOf(result.outputs.run_id ?? '');
  const found = (await flow.runs()).find((r) => r.runId === id);
  if (!found) throw new Error(`no run ${id}`);
  return found as RunRecordView & Record<string, unknown>;
}

function outputFile(alias: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(flow.checkout, `${alias}_outputs.json`), 'utf8')) as Record<
    string,
    unknown
  >;
}

describe('ROLLBACK to a version tag', () => {
  const APP = '01JR0LLBACK000000000000000';

  it('redeploys what v1 deployed: a plugin added since is destroyed, one removed since is created again', async () => {
    flow.writeApp(
      'evolve',
      APP,
      root('root', 'first', 'evolve-root') + consumer('keeper', 'evolve-root', 'kept'),
    );
    await deploy('evolve', 'v1');
    flow.writeApp(
      'evolve',
      APP,
      root('root', 'second', 'evolve-root') + middle('newbie', 'evolve-root', 'evolve-newbie'),
    );
    const v2 = await deploy('evolve', 'v2');
    expect(tasksOf(v2.plan)).toContain('DESTROY_SELF_HOSTED keeper');
    expect(await resourceCount(APP, 'keeper')).toBe(0);
    expect(await resourceCount(APP, 'newbie')).toBe(1);
    expect(outputFile('root').label).toBe('second');

    // stk.yaml still says v2: the rollback uses what v1 recorded, not the checkout's plugins.
    const plan = await flow.orchestrate('evolve', { VERSION: 'v3', ROLLBACK_TO: 'v1' });
    expectOk(plan);
    expect(plan.log).toContain('RUN ROLLBACK_SELF_HOSTED successfully started with ID');
    expect(plan.outputs.run_type).toBe('ROLLBACK');
    expect(tasksOf(plan)).toEqual([
      'IAC_SELF_HOSTED root',
      'DEPLOY_SELF_HOSTED root',
      'IAC_SELF_HOSTED keeper',
      'DEPLOY_SELF_HOSTED keeper',
      'DESTROY_SELF_HOSTED newbie',
    ]);
    // The reviewer sees all three plans, the destroy included.
    expect(plan.summary).toContain('Rollback to version <code>v1</code>');
    expect(plan.summary).toContain('Destroys <code>newbie</code>, deployed since');
    expect(plan.summary).toContain('Creates <code>keeper</code> again, removed since');
    expect(plan.summary).toContain(
      'Destroy plan of newbie: 0 to add, 0 to change, <strong>1 to destroy',
    );
    expect(plan.summary).toContain('Plan of keeper: 1 to add');

    const applied = await flow.apply(plan);
    expectOk(applied);
    expect(applied.summary).toContain(
      '<td>DESTROY_SELF_HOSTED</td><td>newbie</td><td>SUCCEEDED</td><td>',
    );
    expect(applied.summary).toContain('the reviewed destroy plan');
    const run = await runOf(plan);
    expect([run.type, run.status, run.version]).toEqual(['ROLLBACK', 'SUCCEEDED', 'v1']);
    expect(outputFile('root').label).toBe('first');
    expect(outputFile('keeper').value).toBe('a:first-dev/kept');
    expect(await resourceCount(APP, 'keeper')).toBe(1);
    expect(await resourceCount(APP, 'newbie')).toBe(0);
    expect(await connectionInterface('evolve-newbie')).toBeUndefined();
    expect(await connectionInterface('evolve-root')).toMatchObject({ label: 'first' });
    const last = await history(APP, 'last.json');
    expect([last.runType, last.version, last.runId]).toEqual(['ROLLBACK', 'v1', run.runId]);
    // The CLI says what is deployed and where a rollback can go.
    const cli = await flow.cli(['history', '--environment', 'dev', '--app-id', APP]);
    expect([cli.code, cli.output]).toEqual([
      0,
      expect.stringContaining(`Deployed: version v1 by ROLLBACK run ${run.runId}`),
    ]);
    expect(cli.output).toMatch(/newest first\):\n {2}v2 +run \w+ .*\n {2}v1 +run /);
    // The tag's own record still says which run deployed it.
    expect(await history(APP, 'versions/v1.json')).toMatchObject({
      runType: 'DEPLOY',
      version: 'v1',
    });

    // The next deploy of stk.yaml (v2's plugins) starts from what the rollback left.
    const again = await deploy('evolve', 'v4');
    expect(tasksOf(again.plan)).toEqual([
      'IAC_SELF_HOSTED root',
      'DEPLOY_SELF_HOSTED root',
      'IAC_SELF_HOSTED newbie',
      'DEPLOY_SELF_HOSTED newbie',
      'DESTROY_SELF_HOSTED keeper',
    ]);
    expect(await resourceCount(APP, 'keeper')).toBe(0);
    expect(await resourceCount(APP, 'newbie')).toBe(1);
  });

  it('refuses a version never deployed, listing those that can be rolled back to, and opens nothing', async () => {
    const before = (await flow.runs()).length;
    const plan = await flow.orchestrate('evolve', { VERSION: 'v5', ROLLBACK_TO: 'v9' });
    expect([plan.exitCode, plan.outputs.run_id ?? '']).toEqual([1, '']);
    expect(errorsOf(plan)).toMatch(
      /Version v9 was never deployed successfully to shop\/dev\/app:evolve[\s\S]*rolled back to \(newest first\): v4 \(run \w+, [^)]+\), v2 \(run \w+, [^)]+\), v1 /,
    );
    expect((await flow.runs()).length).toBe(before);
    expect(await flow.lockKeys()).toEqual([]);
  });
});

describe('DESTROY of an application', () => {
  const PRODUCER = '01JPR0DUCER000000000000000';
  const CONSUMER = '01JC0NSUMER000000000000000';

  it('is refused while another application requires its Connection Interface, naming the consumer', async () => {
    flow.writeApp('producer', PRODUCER, root('source', 'p', 'shared-source'));
    flow.writeApp('consumer', CONSUMER, consumer('user', 'shared-source', 'c'));
    await deploy('producer', 'v1');
    await deploy('consumer', 'v1');
    const serials = await flow.stateSerials();
    const before = (await flow.runs()).length;

    const refused = await flow.orchestrate('producer', { VERSION: 'v2', DESTROY: 'true' });
    expect(refused.exitCode).toBe(1);
    expect(errorsOf(refused)).toContain(
      `Still required by shop/dev/app:consumer (${CONSUMER}): plugin user, input upstream, requires shared-source.`,
    );
    expect(errorsOf(refused)).toContain('FORCE_DESTROY');
    expect((await flow.runs()).length).toBe(before);
    expect(await flow.lockKeys()).toEqual([]);
    expect(await flow.stateSerials()).toEqual(serials);
  });

  it('destroys the consumer (nothing requires it), keeping its history', async () => {
    const plan = await flow.orchestrate('consumer', { VERSION: 'v2', DESTROY: 'true' });
    expectOk(plan);
    expect(plan.outputs.run_type).toBe('DESTROY');
    expect(tasksOf(plan)).toEqual(['DESTROY_SELF_HOSTED user']);
    expect(plan.summary).toContain('<strong>Destroy</strong>');
    expect(plan.summary).toContain('Destroy plan of user');
    expectOk(await flow.apply(plan));
    expect(await resourceCount(CONSUMER, 'user')).toBe(0);
    const last = await history(CONSUMER, 'last.json');
    expect(last.destroyed).toMatchObject({ runId: runIdOf(plan.outputs.run_id ?? '') });
    expect(await history(CONSUMER, 'versions/v1.json')).toMatchObject({ version: 'v1' });
    expect(
      await flow.moto.listKeys(flow.iacBucket, 'workspaces/shop/dev/consumers/app/' + CONSUMER),
    ).toEqual([]);

    // Destroyed already: nothing to do, no run.
    const again = await flow.orchestrate('consumer', { VERSION: 'v3', DESTROY: 'true' });
    expectOk(again);
    expect(again.outputs.run_id).toBe('');
    expect(again.log).toContain('was already destroyed in shop/dev by run');
  });

  it('destroys the producer once nothing requires it: state emptied, Connection Interface removed', async () => {
    // The consumer's destroy removed it from the index: no refusal now.
    const plan = await flow.orchestrate('producer', { VERSION: 'v2', DESTROY: 'true' });
    expectOk(plan);
    // The state is written between review and apply (same resources, a new serial): the destroy
    // is planned again and applied because it destroys exactly what was reviewed.
    const key = (await flow.moto.listKeys(flow.tfstateBucket)).find(
      (k) => k.includes(`/${PRODUCER}/source/`) && k.endsWith('.tfstate'),
    ) as string;
    const state = JSON.parse(await flow.moto.getObjectText(flow.tfstateBucket, key)) as {
      serial: number;
    };
    await flow.moto.putObject(
      flow.tfstateBucket,
      key,
      JSON.stringify({ ...state, serial: state.serial + 1 }),
    );
    const applied = await flow.apply(plan);
    expectOk(applied);
    expect(errorsOf(applied)).toContain(
      'Planned the destroy of source again (the state was written 1 time(s) (serial 1 → 2)): it destroys the same 1 resource(s) as the reviewed plan, so it is applied.',
    );
    expect(applied.summary).toContain('its state changed since the destroy was reviewed');
    expect(await resourceCount(PRODUCER, 'source')).toBe(0);
    expect(await connectionInterface('shared-source')).toBeUndefined();
    expect(await flow.lockKeys()).toEqual([]);
  });

  it('with FORCE_DESTROY, destroys what another application requires and names it', async () => {
    flow.writeApp('producer', PRODUCER, root('source', 'p2', 'shared-source'));
    await deploy('producer', 'v3');
    await deploy('consumer', 'v4');
    const plan = await flow.orchestrate('producer', {
      VERSION: 'v4',
      DESTROY: 'true',
      FORCE_DESTROY: 'true',
    });
    expectOk(plan);
    expect(errorsOf(plan)).toMatch(
      /FORCE_DESTROY is on: destroying although source generates .*shop\/dev\/app:consumer/,
    );
    expect(plan.summary).toContain('FORCE_DESTROY: destroyed although still required by');
    expectOk(await flow.apply(plan));
    expect(await resourceCount(PRODUCER, 'source')).toBe(0);
  });
});

describe('SKIP_DEPLOY', () => {
  const APP = '01JSTEADY00000000000000000';

  it('ends the run SKIPPED when nothing changed, and reports unchanged plugins when it is off', async () => {
    flow.writeApp('steady', APP, root('calm', 'same', 'steady-calm'));
    await deploy('steady', 'v1');

    const skipped = await flow.orchestrate('steady', { VERSION: 'v2', SKIP_DEPLOY: 'true' });
    expectOk(skipped);
    expect([
      skipped.outputs.run_id,
      skipped.outputs.apply_tasks,
      skipped.outputs.run_status,
    ]).toEqual(['', '[]', 'SKIPPED']);
    expect(skipped.summary).toContain('ended <strong>SKIPPED</strong>: Nothing changed since run');
    expect(skipped.summary).toMatch(/with Terraform \d+\.\d+\.\d+/);
    const skippedRun = (await flow.runs()).find((r) => r.status === 'SKIPPED');
    expect(skippedRun?.tasks).toEqual([]);
    expect(await flow.lockKeys()).toEqual([]);

    // Off: the run is opened, and the summary says the plugin is unchanged.
    const unchanged = await flow.orchestrate('steady', { VERSION: 'v3' });
    expectOk(unchanged);
    expect(unchanged.outputs.run_id).not.toBe('');
    expect(unchanged.summary).toMatch(
      /Every plugin is unchanged since run <code>\w+<\/code> \(version <code>v1<\/code>\): <code>calm<\/code>/,
    );
    expectOk(await flow.cancel(unchanged.outputs.run_id ?? ''));

    // A changed input is a change: not skipped.
    const changed = await flow.orchestrate('steady', {
      VERSION: 'v4',
      SKIP_DEPLOY: 'true',
      DYNAMIC_INPUTS: '--label different',
    });
    expectOk(changed);
    expect(changed.outputs.run_status).toBe('RUNNING');
    expect(changed.summary).not.toContain('unchanged since');
    expectOk(await flow.cancel(changed.outputs.run_id ?? ''));
  });
});

describe('re-running the failed job (same RUN_ID and TASK_LIST)', () => {
  const flagDir = (): string => join(flow.checkout, 'flags');
  const command = (flag: string): Record<string, string> => ({
    DYNAMIC_INPUTS: `--command "test -f ${join(flagDir(), flag)}"`,
  });

  it('resumes a failed run: SUCCEEDED tasks are skipped, the failed one runs again', async () => {
    mkdirSync(flagDir(), { recursive: true });
    const plan = await flow.orchestrate('halfway', { VERSION: 'v1', ...command('one') });
    expectOk(plan);
    const failed = await flow.apply(plan);
    expect(failed.exitCode).toBe(1);
    const firstAttempt = await runOf(plan);
    expect(firstAttempt.status).toMatch(/ERROR/);
    // The workflow's cancel job runs (the approval job failed): nothing left to cancel.
    expectOk(await flow.cancel(plan.outputs.run_id ?? ''));

    writeFileSync(join(flagDir(), 'one'), '');
    const rerun = await flow.apply(plan);
    expectOk(rerun);
    expect(rerun.log).toContain(
      'This job runs its tasks again (a re-run of the failed job): resuming it.',
    );
    expect(rerun.summary).toContain('<strong>Resumed</strong>');
    const run = await runOf(plan);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.attempts).toEqual([expect.objectContaining({ status: firstAttempt.status })]);
    // The first plugin's tasks were not run again.
    const firstTasks = (r: RunRecordView) =>
      r.tasks.filter((t) => t.pluginAppliedAlias === 'first');
    expect(firstTasks(run)).toEqual(firstTasks(firstAttempt));
    expect(await flow.lockKeys()).toEqual([]);

    // Re-running it once more finds nothing to do.
    const done = await flow.apply(plan);
    expectOk(done);
    expect(done.log).toContain('already SUCCEEDED');
  });

  it('does not resume a cancelled run, and says to start a new one', async () => {
    const plan = await flow.orchestrate('halfway', { VERSION: 'v2', ...command('one') });
    expectOk(plan);
    expectOk(await flow.cancel(plan.outputs.run_id ?? ''));
    const rerun = await flow.apply(plan);
    expect(rerun.exitCode).toBe(1);
    expect(errorsOf(rerun)).toMatch(
      /ended ABORTED[\s\S]*A cancelled run is never resumed[\s\S]*Re-run all jobs/,
    );
    expect((await runOf(plan)).status).toBe('ABORTED');
    expect(await flow.lockKeys()).toEqual([]);
  });

  it('does not resume a failed run once another run of the application started', async () => {
    // A fresh application, so the failing command runs (a provisioner runs only on create).
    flow.writeApp(
      'late',
      '01JLATE0000000000000000000',
      root('first', 'late', 'late-first') +
        `    - name: acme/step@1.0.0
      alias: second
      type: infra
      inputs:
        upstream: { stk-type: required-connection, selected: late-first, type: diamond-conn }
`,
    );
    const plan = await flow.orchestrate('late', { VERSION: 'v3', ...command('two') });
    expectOk(plan);
    expect((await flow.apply(plan)).exitCode).toBe(1);
    const later = await flow.orchestrate('late', { VERSION: 'v4', ...command('two') });
    expectOk(later);
    expectOk(await flow.cancel(later.outputs.run_id ?? ''));
    writeFileSync(join(flagDir(), 'two'), '');
    const rerun = await flow.apply(plan);
    expect(rerun.exitCode).toBe(1);
    expect(errorsOf(rerun)).toContain(
      `cannot be resumed: 1 other run(s) of shop/dev/app:late started since (${runIdOf(later.outputs.run_id ?? '')})`,
    );
    expect(await flow.lockKeys()).toEqual([]);
    expect(existsSync(join(flagDir(), 'two'))).toBe(true);
    rmSync(flagDir(), { recursive: true, force: true });
  });
});

describe('ROLLBACK and DESTROY in unified mode', () => {
  const APP = '01JUN1F1ED0000000000000000';
  const unified = { FEATURES_UNIFIED_DEPLOY: 'true' };

  it('rolls back across an added and a removed module, then destroys everything', async () => {
    flow.writeApp('one', APP, root('base', 'u1', 'one-base') + consumer('old', 'one-base', 'o'));
    await deploy('one', 'v1', unified);
    flow.writeApp(
      'one',
      APP,
      root('base', 'u2', 'one-base') + middle('fresh', 'one-base', 'one-fresh'),
    );
    await deploy('one', 'v2', unified);
    expect(outputFile('fresh').id).toBe('b(a:u2-dev)');

    const plan = await flow.orchestrate('one', { VERSION: 'v3', ROLLBACK_TO: 'v1', ...unified });
    expectOk(plan);
    expect(tasksOf(plan)).toEqual(['UNIFIED_DEPLOY null', 'UNIFIED_DESTROY null']);
    expect(plan.log).toContain('Using the module old that run');
    expectOk(await flow.apply(plan));
    expect(outputFile('old').value).toBe('a:u1-dev/o');
    expect(await connectionInterface('one-fresh')).toBeUndefined();
    expect(await connectionInterface('one-base')).toMatchObject({ label: 'u1' });

    const destroy = await flow.orchestrate('one', { VERSION: 'v4', DESTROY: 'true', ...unified });
    expectOk(destroy);
    expect(tasksOf(destroy)).toEqual(['UNIFIED_DESTROY null']);
    expect(destroy.summary).toContain('Destroy plan: 0 to add, 0 to change, <strong>2 to destroy');
    expectOk(await flow.apply(destroy));
    const key = (await flow.moto.listKeys(flow.tfstateBucket)).find(
      (k) => k.includes(APP) && k.endsWith('.tfstate'),
    );
    const state = JSON.parse(await flow.moto.getObjectText(flow.tfstateBucket, key ?? '')) as {
      resources: unknown[];
    };
    expect(state.resources).toEqual([]);
    expect(await connectionInterface('one-base')).toBeUndefined();
    expect((await history(APP, 'last.json')).destroyed).toBeDefined();
  });
});

describe('removing a plugin from stk.yaml', () => {
  const APP = '01JREM0VE00000000000000000';

  it('is refused while a plugin that stays still requires its Connection Interface', async () => {
    flow.writeApp(
      'shrink',
      APP,
      root('maker', 'm', 'shrink-maker') + consumer('taker', 'shrink-maker', 't'),
    );
    await deploy('shrink', 'v1');
    flow.writeApp('shrink', APP, consumer('taker', 'shrink-maker', 't'));
    const refused = await flow.orchestrate('shrink', { VERSION: 'v2' });
    expect([refused.exitCode, refused.outputs.run_id ?? '']).toEqual([1, '']);
    expect(errorsOf(refused)).toContain(
      `This run would destroy what others still use: maker generates Connection Interface(s) that 1 plugin input(s) still require`,
    );
    expect(errorsOf(refused)).toContain(
      `Still required by shop/dev/app:shrink (${APP}): plugin taker, input upstream, requires shrink-maker.`,
    );
    expect(await flow.lockKeys()).toEqual([]);
    expect(await resourceCount(APP, 'maker')).toBe(1);
  });
});
