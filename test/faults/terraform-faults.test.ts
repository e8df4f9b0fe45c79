/**
 * Terraform dying under the engine, through the built bundles with real Terraform and moto_server:
 * SIGKILLed in the middle of an apply, and stuck saving its state while S3 hangs until the job is
 * cancelled. The state lock such a Terraform leaves behind is reported by the next run with the
 * command that releases exactly that lock; after it, the next deployment succeeds and no state
 * serial ever went back.
 */
import { runIdOf, serialsWentBack, terraformProcesses, waitFor } from '../harness/deploy-flow';
import { e2eFixture } from '../harness/e2e-fixture';
import { startS3Proxy, type S3Proxy } from '../harness/s3-proxy';
import type { ActionResult } from '../harness/runner';

jest.setTimeout(180000);

let proxy: S3Proxy;
const flow = e2eFixture({
  name: 'tffaults',
  env: () => ({
    AWS_ENDPOINT_URL_S3: proxy.endpoint,
    DEPLOY_ENGINE_S3_TIMEOUT_MS: '2000',
  }),
});

beforeAll(async () => {
  proxy = await startS3Proxy(flow.moto.endpoint);
  const plan = await flow.orchestrate('pause', { DYNAMIC_INPUTS: '--seconds 0' });
  const deployed = await flow.apply(plan);
  expect([deployed.exitCode, deployed.log]).toEqual([0, expect.stringContaining('SUCCEEDED')]);
});

afterEach(() => proxy.clear());

afterAll(async () => {
  await proxy?.stop();
});

const sleeper = (seconds: number) => `--seconds ${seconds}`;
const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** Orchestrates a version that must fail on the leftover lock, runs the unlock command it prints. */
async function unlockThroughTheMessage(version: string): Promise<void> {
  expect(
    await flow.releaseLeftoverLock('pause', { VERSION: version, DYNAMIC_INPUTS: '--seconds 0' }),
  ).toEqual([]);
}

async function expectNextDeploySucceeds(
  version: string,
  before: Record<string, number>,
): Promise<void> {
  expect((await flow.runs()).filter((r) => r.status === 'RUNNING')).toEqual([]);
  expect(await flow.lockKeys()).toEqual([]);
  const plan = await flow.orchestrate('pause', {
    VERSION: version,
    DYNAMIC_INPUTS: '--seconds 0',
  });
  expect([plan.exitCode, plan.log]).toEqual([0, expect.any(String)]);
  const deployed = await flow.apply(plan);
  expect([deployed.exitCode, deployed.log]).toEqual([0, expect.stringContaining('SUCCEEDED')]);
  expect(serialsWentBack(before, await flow.stateSerials())).toEqual([]);
}

it('Terraform SIGKILLed mid-apply: the run closes, the next run names the leftover lock and the command that releases it', async () => {
  const before = await flow.stateSerials();
  const plan = await flow.orchestrate('pause', { VERSION: 'v2', DYNAMIC_INPUTS: sleeper(20) });
  expect([plan.exitCode, plan.log]).toEqual([0, expect.any(String)]);
  const runId = runIdOf(plan.outputs.run_id ?? '');
  const applying = flow.apply(plan);
  const [pid] = await waitFor(
    () => {
      const pids = terraformProcesses(runId, 'apply', 'pauser');
      return pids.length > 0 ? pids : undefined;
    },
    60000,
    'terraform apply of the pauser',
  );
  await new Promise((done) => setTimeout(done, 1500)); // inside the local-exec sleep
  process.kill(pid as number, 'SIGKILL');
  const killed: ActionResult = await applying;
  expect(killed.exitCode).toBe(1);
  expect(killed.log).toMatch(/terraform apply .*(killed|signal|SIGKILL)/i);
  expect((await flow.runs()).filter((r) => r.status === 'RUNNING')).toEqual([]);
  expect(await flow.lockKeys()).toEqual([]);
  expect(await flow.terraformLocks()).toHaveLength(1);

  await unlockThroughTheMessage('v3');
  await expectNextDeploySucceeds('v4', before);
});

it('S3 hanging while Terraform saves its state, until the job is cancelled: post step closes the run, nothing goes back', async () => {
  const before = await flow.stateSerials();
  const plan = await flow.orchestrate('pause', { VERSION: 'v5', DYNAMIC_INPUTS: sleeper(1) });
  expect([plan.exitCode, plan.log]).toEqual([0, expect.any(String)]);
  proxy.inject({
    fault: 'hang',
    match: (r) =>
      r.method === 'PUT' &&
      r.userAgent.includes('Terraform') &&
      r.path.includes('/pauser/terraform.tfstate'),
  });
  const runId = runIdOf(plan.outputs.run_id ?? '');
  // The job is cancelled a second after Terraform's state write hangs, not at a fixed 12 s: that
  // mostly waited for nothing, and on a loaded machine came before the write (nothing hung yet).
  let cancelledAt = 0;
  const hanging = waitFor(
    () => (proxy.faulted.length > 0 ? true : undefined),
    60000,
    "Terraform's state write to hang",
  )
    .catch(() => undefined)
    .then(() => sleep(1000))
    .then(() => (cancelledAt = Date.now()));
  const cancelled = await flow.apply(plan, { cancelWhen: hanging });
  expect(proxy.faulted.length).toBeGreaterThan(0);
  // The runner ends a cancelled step within 10 s (SIGINT, SIGTERM, SIGKILL): bounded time.
  expect(Date.now() - cancelledAt).toBeLessThan(28000);
  expect(cancelled.exitCode === 0).toBe(false);
  // The runner killed the step before Terraform could save: Terraform, asked to stop, is still
  // trying. The post step closes the run meanwhile; once S3 answers again, Terraform saves its
  // state and ends.
  const post = await flow.postApply(plan, cancelled);
  expect([post.exitCode, post.log]).toEqual([0, expect.stringContaining('is now ABORTED')]);
  expect(await flow.lockKeys()).toEqual([]);
  proxy.clear();
  await waitFor(
    () => (terraformProcesses(runId, 'apply').length === 0 ? true : undefined),
    90000,
    'the interrupted Terraform to save its state and end',
  );
  expect(serialsWentBack(before, await flow.stateSerials())).toEqual([]);
  if ((await flow.terraformLocks()).length > 0) await unlockThroughTheMessage('v6');
  await expectNextDeploySucceeds('v7', before);
});
