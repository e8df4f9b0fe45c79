/**
 * runtime-tasks' post step, run as the runner runs it after a main step that was killed before it
 * could close its run: the run ends ABORTED and nothing stays locked.
 */
import type { RunStore } from '@deploy-engine/core';
import { formatRunRef } from '@deploy-engine/core';
import { e2eFixture } from '../harness/e2e-fixture';
import { runAction } from '../harness/runner';

const flow = e2eFixture({ name: 'post', checkout: false, buckets: ['iac'] });
let runs: RunStore;

beforeAll(() => {
  runs = flow.runStore();
});

async function killedMidTask() {
  const run = await runs.createRun({
    type: 'DEPLOY',
    target: {
      workspace: 'shop',
      environment: 'dev',
      appKind: 'app',
      appId: 'POST',
      appName: 'post',
    },
    version: 'v1',
    workflowRunUrl: 'https://github.com/acme/orders/actions/runs/5',
    tfstate: { bucket: 'tf', region: 'us-east-1' },
    manifestDigest: 'd',
    tasks: [{ taskType: 'DEPLOY_SELF_HOSTED', pluginAppliedAlias: 'topic' }],
  });
  await runs.startTask(run.runId, run.tasks[0]?.runTaskId as string);
  return { run, ref: formatRunRef({ runId: run.runId, bucket: 'post-iac', region: 'us-east-1' }) };
}

function post(ref: string, state: Record<string, string>) {
  return runAction('runtime-tasks', {
    script: 'post',
    state,
    env: flow.stepEnv(),
    with: { RUN_ID: ref, TASK_LIST: '[]' },
  });
}

it('closes a run the killed main step left RUNNING, and releases its lock', async () => {
  const { run, ref } = await killedMidTask();
  const result = await post(ref, { run_ref: ref });
  expect([result.exitCode, result.log]).toEqual([
    0,
    expect.stringContaining(`did not finish run ${run.runId}: it is now ABORTED (1 task(s))`),
  ]);
  expect((await runs.getRun(run.runId))?.status).toBe('ABORTED');
  expect(await flow.moto.listKeys('post-iac', 'locks/')).toEqual([]);
});

it('does nothing when the main step closed its run', async () => {
  const { run, ref } = await killedMidTask();
  const result = await post(ref, { run_ref: ref, run_closed: 'true' });
  expect(result.exitCode).toBe(0);
  expect((await runs.getRun(run.runId))?.status).toBe('RUNNING');
  await runs.finishRun(run.runId, 'ABORTED');
});
