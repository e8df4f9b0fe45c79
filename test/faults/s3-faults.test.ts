/**
 * S3 failing under the engine, through the built bundles with real Terraform: refusing
 * connections, freezing in the middle of orchestrate-and-plan, losing the answer to a run-record
 * write. After each: no run left RUNNING once the post step or cancel-run ran, no lock held, no
 * state serial gone back, and the next deployment succeeds. Requests time out after 1.5 s here
 * (DEPLOY_ENGINE_S3_TIMEOUT_MS) so each case ends in seconds.
 */
import { serialsWentBack } from '../harness/deploy-flow';
import { e2eFixture } from '../harness/e2e-fixture';
import { startS3Proxy, type S3Proxy } from '../harness/s3-proxy';

jest.setTimeout(120000);

let proxy: S3Proxy;
const flow = e2eFixture({
  name: 's3faults',
  env: () => ({
    AWS_ENDPOINT_URL_S3: endpoint,
    DEPLOY_ENGINE_S3_TIMEOUT_MS: '1500',
  }),
});
let endpoint = '';

beforeAll(async () => {
  proxy = await startS3Proxy(flow.moto.endpoint);
  endpoint = proxy.endpoint;
});

afterEach(() => {
  proxy.clear();
  endpoint = proxy.endpoint;
});

afterAll(async () => {
  await proxy?.stop();
});

async function expectHealthyAfter(workdir: string, version: string): Promise<void> {
  expect((await flow.runs()).filter((r) => r.status === 'RUNNING')).toEqual([]);
  expect(await flow.lockKeys()).toEqual([]);
  const before = await flow.stateSerials();
  const plan = await flow.orchestrate(workdir, { VERSION: version });
  expect([plan.exitCode, plan.log]).toEqual([0, expect.any(String)]);
  const deployed = await flow.apply(plan);
  expect([deployed.exitCode, deployed.log]).toEqual([0, expect.stringContaining('SUCCEEDED')]);
  expect(serialsWentBack(before, await flow.stateSerials())).toEqual([]);
}

it('S3 refusing connections: orchestrate fails fast, naming the endpoint, and writes nothing', async () => {
  endpoint = 'http://127.0.0.1:9'; // discard port: nothing listens
  const started = Date.now();
  const plan = await flow.orchestrate('diamond');
  expect(plan.exitCode).toBe(1);
  expect(Date.now() - started).toBeLessThan(30000);
  const error = plan.annotations.find((a) => a.level === 'error')?.message ?? '';
  expect(error).toMatch(/Could not .* in the S3 bucket s3faults-iac after \d attempts/);
  expect(error).toContain('http://127.0.0.1:9 is reachable');
  expect(await flow.moto.listKeys('s3faults-iac')).toEqual([]);
  endpoint = proxy.endpoint;
  await expectHealthyAfter('diamond', 'v1');
});

it('S3 freezing in the middle of orchestrate: the step fails in bounded time, its post step closes the run', async () => {
  // Frozen from the first artifact written after the run was opened (record and lock exist).
  proxy.inject({
    fault: 'hang',
    match: (r) => r.method === 'PUT' && /\/runs\/[^/]+\/artifacts\//.test(r.path),
    freezeAfter: true,
  });
  const started = Date.now();
  const plan = await flow.orchestrate('diamond', {
    VERSION: 'v2',
    DYNAMIC_INPUTS: '--label frozen',
  });
  expect(plan.exitCode).toBe(1);
  expect(Date.now() - started).toBeLessThan(60000);
  expect(plan.outputs.run_id ?? '').toBe('');
  const stuck = (await flow.runs()).filter((r) => r.status === 'RUNNING');
  expect(stuck).toHaveLength(1);
  expect(await flow.lockKeys()).toHaveLength(1);

  proxy.clear();
  const post = await flow.postOrchestrate('diamond', plan);
  expect([post.exitCode, post.log]).toEqual([0, expect.stringContaining('is now ABORTED')]);
  await expectHealthyAfter('diamond', 'v2');
});

it('a run-record write whose answer is lost: the retry recognises its own write and the deploy goes on', async () => {
  const plan = await flow.orchestrate('diamond', { VERSION: 'v3' });
  expect([plan.exitCode, plan.log]).toEqual([0, expect.any(String)]);
  proxy.inject({
    fault: 'lose-answer',
    match: (r) => r.method === 'PUT' && /\/runs\/[^/]+\/record\.json/.test(r.path),
    times: 2,
  });
  const deployed = await flow.apply(plan);
  expect(proxy.faulted).toHaveLength(2);
  expect([deployed.exitCode, deployed.log]).toEqual([0, expect.stringContaining('SUCCEEDED')]);
  await expectHealthyAfter('diamond', 'v4');
});
