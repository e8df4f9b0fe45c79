/**
 * cancel-run through its built bundle, as GitHub runs it, against a real S3 (moto_server): it
 * never leaves a run blocking the next deployment, and always says what it found.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunStore } from '@deploy-engine/core';
import { formatRunRef, type RunRecord } from '@deploy-engine/core';
import { e2eFixture } from '../harness/e2e-fixture';
import { runAction, type ActionResult } from '../harness/runner';

const flow = e2eFixture({ name: 'cancel', checkout: false, buckets: ['iac'] });
let runs: RunStore;

beforeAll(() => {
  runs = flow.runStore();
});

async function openRun(appId: string): Promise<RunRecord> {
  return runs.createRun({
    type: 'DEPLOY',
    target: { workspace: 'shop', environment: 'prod', appKind: 'app', appId, appName: appId },
    version: 'v1',
    workflowRunUrl: 'https://github.com/acme/orders/actions/runs/9',
    tfstate: { bucket: 'tf', region: 'us-east-1' },
    manifestDigest: 'd',
    tasks: [
      { taskType: 'IAC_SELF_HOSTED', pluginAppliedAlias: 'topic' },
      { taskType: 'DEPLOY_SELF_HOSTED', pluginAppliedAlias: 'topic' },
    ],
  });
}

function cancel(runId: string, extra: Record<string, string> = {}): Promise<ActionResult> {
  return runAction('cancel-run', {
    env: flow.stepEnv(),
    with: { RUN_ID: runId, ...extra },
  });
}

function runData(result: ActionResult): {
  outcome: string;
  run: RunRecord | null;
  aborted: unknown[];
} {
  return JSON.parse(readFileSync(result.outputs.run_data as string, 'utf8')) as never;
}

describe('cancel-run bundle', () => {
  it('aborts a running run, releases its lock, and reports what it aborted', async () => {
    const run = await openRun('running');
    await runs.startTask(run.runId, run.tasks[0]?.runTaskId as string);
    const result = await cancel(
      formatRunRef({ runId: run.runId, bucket: 'cancel-iac', region: 'us-east-1' }),
    );
    expect([result.exitCode, result.log]).toEqual([
      0,
      expect.stringContaining(
        `Run ${run.runId} was cancelled: 2 unfinished task(s) marked ABORTED`,
      ),
    ]);
    const data = runData(result);
    expect(data.outcome).toBe('cancelled');
    expect(data.run?.status).toBe('ABORTED');
    expect(data.run?.tasks.map((t) => t.status)).toEqual(['ABORTED', 'ABORTED']);
    expect(result.summary).toContain('Cancel run');
    expect(await flow.moto.listKeys('cancel-iac', 'locks/')).toEqual([]);
    // Nothing blocks the next deployment.
    await expect(openRun('running')).resolves.toMatchObject({ status: 'RUNNING' });
  });

  it('is idempotent: a second cancel says the run already finished', async () => {
    const run = await openRun('twice');
    const ref = `${run.runId}@cancel-iac`;
    const [first, second] = await Promise.all([cancel(ref), cancel(ref)]);
    expect([first.exitCode, second.exitCode]).toEqual([0, 0]);
    expect([runData(first).outcome, runData(second).outcome].sort()).toEqual([
      'already-finished',
      'cancelled',
    ]);
    const third = await cancel(ref);
    expect(third.log).toContain('had already finished as ABORTED');
  });

  it('succeeds for a finished run without changing it', async () => {
    const run = await openRun('done');
    // A run only succeeds once every task of it did.
    for (const task of run.tasks) {
      await runs.startTask(run.runId, task.runTaskId);
      await runs.finishTask(run.runId, task.runTaskId, 'SUCCEEDED');
    }
    await runs.finishRun(run.runId, 'SUCCEEDED');
    const result = await cancel(`${run.runId}@cancel-iac`);
    expect(result.exitCode).toBe(0);
    expect(runData(result)).toMatchObject({
      outcome: 'already-finished',
      run: { status: 'SUCCEEDED' },
    });
  });

  it('succeeds for an unknown run, saying so', async () => {
    const result = await cancel('01J9V6MWFTWQ392331QBCS46KQ@cancel-iac');
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain('does not exist in cancel-iac: nothing to cancel');
    expect(runData(result).outcome).toBe('not-found');
  });

  it('succeeds with nothing to cancel for an empty RUN_ID, still writing run_data', async () => {
    const result = await cancel('');
    expect(result.exitCode).toBe(0);
    expect(runData(result)).toMatchObject({ outcome: 'nothing-to-cancel', run: null });
  });

  describe('on a runner without any AWS credentials (the documented cancel job on ubuntu-latest)', () => {
    /** No keys, no profile, no instance role: what a GitHub-hosted runner has for your account. */
    const bare = () => ({
      AWS_ENDPOINT_URL_S3: flow.moto.endpoint,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      HOME: mkdtempSync(join(tmpdir(), 'bare-home-')),
    });

    it('succeeds, saying in one warning what it could not do, why the next run starts, and which inputs to give', async () => {
      const run = await openRun('stranded');
      const result = await runAction('cancel-run', {
        env: bare(),
        with: { RUN_ID: `${run.runId}@cancel-iac`, CLIENT_ID: 'id', CLIENT_KEY: 'key-0123' },
      });
      expect(result.exitCode).toBe(0);
      const about = result.annotations.filter((a) => a.message.includes(run.runId));
      expect(about.map((a) => a.level)).toEqual(['warning']);
      const message = about[0]?.message ?? '';
      expect(message).toContain(`Could not close run ${run.runId} in the IaC bucket cancel-iac`);
      expect(message).toContain('this runner has no AWS credentials');
      expect(message).toMatch(/next orchestrate-and-plan finds the run's workflow run ended/);
      expect(message).toMatch(/AWS_ROLE_ARN .*AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
      expect(message).not.toContain('AWS_IAM_ROLE');
      expect(result.annotations.filter((a) => a.level === 'error')).toEqual([]);
      expect(runData(result)).toMatchObject({ outcome: 'not-closed-no-credentials', run: null });
      expect(result.summary).toContain('Could not close run');
      // Untouched: dead-run detection closes it once its workflow run has ended.
      expect((await runs.getRun(run.runId))?.status).toBe('RUNNING');
    });

    it('still fails when credentials were given and cannot be obtained (a green job would hide that)', async () => {
      const run = await openRun('role-given');
      const result = await runAction('cancel-run', {
        env: bare(),
        with: {
          RUN_ID: `${run.runId}@cancel-iac`,
          AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/deployer',
        },
      });
      expect(result.exitCode).toBe(1);
      expect(result.annotations.find((a) => a.level === 'error')?.message).toMatch(
        /AWS credentials could not be obtained by assuming arn:aws:iam::123456789012:role\/deployer/,
      );
    });
  });

  it('refuses a RUN_ID that is not one, naming the input', async () => {
    const result = await cancel('my-run');
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.message).toMatch(
      /configuration error\. RUN_ID 'my-run' is not a run id of this engine/,
    );
  });
});
