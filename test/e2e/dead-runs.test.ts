/**
 * Dead runs are recognised, not waited for, through the built bundles: a run whose workflow run
 * ended without closing it (an approval rejected, a cancel job without credentials) is closed
 * ABORTED by the next orchestrate-and-plan, which asks the (fake, loopback) GitHub API with the
 * job's token; a live or unanswerable holder keeps the lock; the superseded run is never applied;
 * outside GitHub Actions a lease decides and GitHub is never called.
 */
import {
  HARNESS_GITHUB_TOKEN,
  startFakeGitHubApi,
  type FakeGitHubApi,
} from '../harness/github-api';
import { runIdOf } from '../harness/deploy-flow';
import { e2eFixture } from '../harness/e2e-fixture';
import { errorsOf, expectOk } from '../harness/expect-step';
import type { ActionResult } from '../harness/runner';

let api: FakeGitHubApi;
const flow = e2eFixture({ name: 'dead', env: () => ({ GITHUB_API_URL: api.url }) });

beforeAll(async () => {
  api = await startFakeGitHubApi();
});

afterAll(async () => {
  await api?.close();
});

interface RunView {
  runId: string;
  status: string;
  error?: { message: string };
  workflowRun?: unknown;
  supersededBy?: { runId: string; reason: string };
  executor?: { id: string };
}

async function recordOf(runId: string): Promise<RunView> {
  return JSON.parse(
    await flow.moto.getObjectText(flow.iacBucket, `runs/${runId}/record.json`),
  ) as RunView;
}

async function lockOf(
  appId: string,
): Promise<{ runId: string; acquiredAt: string; workflowRun?: unknown }> {
  return JSON.parse(
    await flow.moto.getObjectText(flow.iacBucket, `locks/shop/dev/app/${appId}.json`),
  ) as { runId: string; acquiredAt: string };
}

function writeApp(workdir: string, appId: string): void {
  flow.writeApp(
    workdir,
    appId,
    `    - name: acme/node-a@1.0.0
      alias: root
      type: infra
      inputs: { label: ${workdir} }
`,
  );
}

/** orchestrate-and-plan as attempt 1 of workflow run `ghRunId` (env GITHUB_RUN_ID). */
function plan(
  workdir: string,
  ghRunId: string,
  env: { [name: string]: string } = {},
  inputs: { [name: string]: string } = {},
): Promise<ActionResult> {
  return flow.orchestrate(workdir, inputs, { env: { GITHUB_RUN_ID: ghRunId, ...env } });
}

const refusal = (result: ActionResult): string => `${errorsOf(result)}\n${result.log}`;

describe('under GitHub Actions', () => {
  const appId = '01JDEADGH00000000000000000';

  it('keeps the lock while the holder lives or GitHub cannot say, supersedes it once its workflow run ended, and never applies it', async () => {
    writeApp('deadgh', appId);
    const first = await plan('deadgh', '1001');
    expectOk(first);
    const old = runIdOf(first.outputs.run_id ?? '');
    const opened = {
      repository: 'acme/orders',
      runId: '1001',
      attempt: 1,
      apiUrl: api.url,
      url: 'https://github.com/acme/orders/actions/runs/1001',
    };
    expect((await recordOf(old)).workflowRun).toEqual(opened);
    expect(await lockOf(appId)).toMatchObject({ runId: old, workflowRun: opened });

    // Waiting for the environment approval: alive, the lock is kept.
    api.setWorkflowRun('acme/orders', '1001', { status: 'waiting', conclusion: null });
    const waiting = await plan('deadgh', '1002');
    expect(waiting.exitCode).toBe(1);
    expect(refusal(waiting)).toContain(
      `It keeps the lock: its workflow run https://github.com/acme/orders/actions/runs/1001 is still waiting (for an environment approval or a wait timer).`,
    );
    expect(api.requests.at(-1)).toEqual({
      method: 'GET',
      path: '/repos/acme/orders/actions/runs/1001/attempts/1',
      token: HARNESS_GITHUB_TOKEN,
    });
    expect(waiting.log).not.toContain(HARNESS_GITHUB_TOKEN);

    // No permission (a workflow whose permissions lack actions: read), then GitHub unreachable.
    api.fail(403);
    const forbidden = await plan('deadgh', '1003');
    expect(forbidden.exitCode).toBe(1);
    expect(refusal(forbidden)).toMatch(
      /could not be checked: the job token may not read workflow runs \(403 Forbidden\)\. Give the job `permissions: actions: read`.*deploy-engine cancel/,
    );
    api.fail('drop');
    const unreachable = await plan('deadgh', '1004');
    expect(unreachable.exitCode).toBe(1);
    expect(refusal(unreachable)).toContain(
      `could not be checked: GitHub's API at ${api.url} could not be reached`,
    );
    api.fail(undefined);
    // A step on another GitHub (GITHUB_API_URL): the token is not sent to the holder's API.
    const asked = api.requests.length;
    const elsewhere = await plan('deadgh', '1004', { GITHUB_API_URL: 'http://127.0.0.1:9' });
    expect(elsewhere.exitCode).toBe(1);
    expect(refusal(elsewhere)).toContain(`it was opened on another GitHub (${api.url})`);
    expect(api.requests.length).toBe(asked);
    expect((await recordOf(old)).status).toBe('RUNNING');
    expect((await lockOf(appId)).runId).toBe(old);

    // The approval was rejected: the workflow run completed, the run was never closed.
    api.setWorkflowRun('acme/orders', '1001', { status: 'completed', conclusion: 'failure' });
    const next = await plan('deadgh', '1005');
    expectOk(next);
    const newer = runIdOf(next.outputs.run_id ?? '');
    expect(next.log).toContain(
      `Run ${old} held the lock of shop/dev/app:deadgh, but its workflow run ended without closing it (https://github.com/acme/orders/actions/runs/1001: completed, conclusion failure)`,
    );
    const superseded = await recordOf(old);
    expect(superseded).toMatchObject({
      status: 'ABORTED',
      supersededBy: { runId: newer },
      error: {
        message: expect.stringContaining(
          'its workflow run ended without closing it (https://github.com/acme/orders/actions/runs/1001: completed, conclusion failure)',
        ),
      },
    });
    expect((await lockOf(appId)).runId).toBe(newer);

    // The old run's approved job arriving late (a re-run of it) is refused, naming the new run.
    const late = await flow.apply(first, {
      env: { GITHUB_RUN_ID: '1001', GITHUB_RUN_ATTEMPT: '2' },
    });
    expect(late.exitCode).toBe(1);
    expect(refusal(late)).toContain(`Run ${old} was superseded by run ${newer}`);
    expect(await recordOf(old)).toEqual(superseded);
    expect(await flow.stateSerials()).toEqual({});

    // The new run deploys, its step beating while it executes.
    const applied = await flow.apply(next, { env: { GITHUB_RUN_ID: '1005' } });
    expectOk(applied);
    const done = await recordOf(newer);
    expect(done.status).toBe('SUCCEEDED');
    const beat = JSON.parse(
      await flow.moto.getObjectText(flow.iacBucket, `runs/${newer}/heartbeat.json`),
    ) as { executorId: string };
    expect(beat.executorId).toBe(done.executor?.id);
  });
});

describe('outside GitHub Actions', () => {
  it('keeps the lock for the lease the opener set, then takes it over, never calling GitHub', async () => {
    writeApp('deadci', '01JDEADCI00000000000000000');
    const outside = { GITHUB_ACTIONS: 'false' };
    const asked = api.requests.length;
    // A lease long enough for the refused attempt below to come within it, even on a busy machine.
    const lease = 20;
    const first = await plan('deadci', '2001', outside, { RUN_LEASE_SECONDS: String(lease) });
    expectOk(first);
    const old = runIdOf(first.outputs.run_id ?? '');
    expect((await recordOf(old)).workflowRun).toBeUndefined();
    const lock = await lockOf('01JDEADCI00000000000000000');
    const blocked = await plan('deadci', '2002', outside);
    expect(blocked.exitCode).toBe(1);
    expect(refusal(blocked)).toMatch(
      new RegExp(`its lease of ${lease} s keeps the lock until .*deploy-engine cancel ${old}`),
    );
    const left = Date.parse(lock.acquiredAt) + lease * 1000 + 500 - Date.now();
    await new Promise((done) => setTimeout(done, Math.max(0, left)));
    const next = await plan('deadci', '2003', outside);
    expectOk(next);
    expect(await recordOf(old)).toMatchObject({
      status: 'ABORTED',
      supersededBy: { runId: runIdOf(next.outputs.run_id ?? '') },
      error: { message: expect.stringContaining('its lease ended without it being closed') },
    });
    expect(api.requests.length).toBe(asked);
  });
});
