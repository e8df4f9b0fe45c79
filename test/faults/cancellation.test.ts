/**
 * The runner cancelling jobs (SIGINT, then SIGTERM 7.5 s later, as GitHub does) at each phase of
 * the flow, two workflows racing for the same application, and cancel-run racing runtime-tasks.
 * After every case: no run left RUNNING once the post step or cancel-run ran, no lock held, no
 * state serial gone back, and the next deployment succeeds.
 */
import { runIdOf, serialsWentBack, terraformProcesses, waitFor } from '../harness/deploy-flow';
import { e2eFixture } from '../harness/e2e-fixture';

jest.setTimeout(240000);

const flow = e2eFixture({ name: 'cancel' });
let version = 0;
const nextVersion = () => `v${++version}`;

beforeAll(async () => {
  const plan = await flow.orchestrate('pause', {
    VERSION: nextVersion(),
    DYNAMIC_INPUTS: '--seconds 0',
  });
  expect((await flow.apply(plan)).exitCode).toBe(0);
});

async function expectHealthy(before: Record<string, number>): Promise<void> {
  expect((await flow.runs()).filter((r) => r.status === 'RUNNING')).toEqual([]);
  expect(await flow.lockKeys()).toEqual([]);
  expect(await flow.terraformLocks()).toEqual([]);
  expect(serialsWentBack(before, await flow.stateSerials())).toEqual([]);
}

async function expectNextDeploySucceeds(): Promise<void> {
  const before = await flow.stateSerials();
  const plan = await flow.orchestrate('pause', {
    VERSION: nextVersion(),
    DYNAMIC_INPUTS: '--seconds 0',
  });
  expect([plan.exitCode, plan.log]).toEqual([0, expect.any(String)]);
  const deployed = await flow.apply(plan);
  expect([deployed.exitCode, deployed.log]).toEqual([0, expect.stringContaining('SUCCEEDED')]);
  await expectHealthy(before);
}

// From the first task's render to the middle of the second plugin's sleeping apply.
it.each([300, 1200, 2500, 4500])(
  'runtime-tasks cancelled %i ms in: Terraform stops cleanly, the post step leaves nothing open',
  async (delay) => {
    const before = await flow.stateSerials();
    const plan = await flow.orchestrate('pause', {
      VERSION: nextVersion(),
      DYNAMIC_INPUTS: `--seconds ${delay / 100}`,
    });
    expect([plan.exitCode, plan.log]).toEqual([0, expect.any(String)]);
    const started = Date.now();
    const cancelled = await flow.apply(plan, { cancelAfterMs: delay });
    expect(Date.now() - started).toBeLessThan(delay + 15000);
    // What the workflow runs next: the step's post step, then the cancel job with the run_id.
    const post = await flow.postApply(plan, cancelled);
    expect(post.exitCode).toBe(0);
    const cancel = await flow.cancel(plan.outputs.run_id ?? '');
    expect([cancel.exitCode, cancel.log]).toEqual([0, expect.any(String)]);
    await waitFor(
      () =>
        terraformProcesses(runIdOf(plan.outputs.run_id ?? ''), 'apply').length === 0
          ? true
          : undefined,
      30000,
      'Terraform to end',
    );
    // A Terraform the runner killed before it finished stopping (the runner kills the step 10 s
    // after SIGINT) leaves its state lock: the next run names it and the command that releases it.
    if ((await flow.terraformLocks()).length > 0) {
      expect(
        await flow.releaseLeftoverLock('pause', {
          VERSION: nextVersion(),
          DYNAMIC_INPUTS: '--seconds 0',
        }),
      ).toEqual([]);
    }
    await expectHealthy(before);
    await expectNextDeploySucceeds();
  },
);

it.each([200, 1500])(
  'orchestrate-and-plan cancelled %i ms in: its post step closes the run it opened',
  async (delay) => {
    const before = await flow.stateSerials();
    const cancelled = await flow.orchestrate(
      'pause',
      { VERSION: nextVersion() },
      { cancelAfterMs: delay },
    );
    // What the workflow runs next: the step's post step, then the cancel job with its run_id.
    const post = await flow.postOrchestrate('pause', cancelled);
    expect(post.exitCode).toBe(0);
    const cancel = await flow.cancel(cancelled.outputs.run_id ?? '');
    expect([cancel.exitCode, cancel.log]).toEqual([0, expect.any(String)]);
    await expectHealthy(before);
    await expectNextDeploySucceeds();
  },
);

it('two workflows racing for the same application: exactly one opens a run, the other names it', async () => {
  const [one, two] = await Promise.all([
    flow.orchestrate('pause', { VERSION: nextVersion() }),
    flow.orchestrate('pause', { VERSION: nextVersion() }),
  ]);
  const winners = [one, two].filter((r) => r.exitCode === 0);
  const losers = [one, two].filter((r) => r.exitCode !== 0);
  expect([winners.length, losers.length]).toEqual([1, 1]);
  const winner = winners[0]!;
  const winnerId = runIdOf(winner.outputs.run_id ?? '');
  expect(winnerId).not.toBe('');
  expect(losers[0]!.log).toContain(winnerId);
  expect(losers[0]!.outputs.run_id ?? '').toBe('');
  const deployed = await flow.apply(winner);
  expect([deployed.exitCode, deployed.log]).toEqual([0, expect.stringContaining('SUCCEEDED')]);
  await expectNextDeploySucceeds();
});

it('cancel-run racing runtime-tasks: the run is aborted, Terraform interrupted within seconds, nothing left open', async () => {
  const before = await flow.stateSerials();
  const plan = await flow.orchestrate('pause', {
    VERSION: nextVersion(),
    DYNAMIC_INPUTS: '--seconds 40',
  });
  expect([plan.exitCode, plan.log]).toEqual([0, expect.any(String)]);
  const runId = runIdOf(plan.outputs.run_id ?? '');
  const started = Date.now();
  const applying = flow.apply(plan);
  await waitFor(
    () => (terraformProcesses(runId, 'apply', 'pauser').length > 0 ? true : undefined),
    60000,
    'the pauser apply',
  );
  const cancel = await flow.cancel(plan.outputs.run_id ?? '');
  expect([cancel.exitCode, cancel.log]).toEqual([0, expect.stringContaining('ABORTED')]);
  const applied = await applying;
  expect(Date.now() - started).toBeLessThan(35000);
  expect(applied.exitCode).toBe(1);
  expect(applied.log).toContain('by another job (cancel-run)');
  await expectHealthy(before);
  await expectNextDeploySucceeds();
});
