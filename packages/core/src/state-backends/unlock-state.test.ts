import { MemoryLogger } from '../logging';
import { RunStore } from '../runs';
import { MemoryObjectStore } from '../store';
import { S3StateBackend } from './s3-state-backend';
import { unlockState } from './unlock-state';

const target = {
  workspace: 'shop',
  environment: 'dev',
  appKind: 'app' as const,
  appId: '01JAPP0000000000000000000A',
  appName: 'orders',
};
const statePath = `tf/shop/dev/app/${target.appId}/topic/terraform.tfstate`;

async function setup() {
  const runs = new RunStore(new MemoryObjectStore('iac'), new MemoryLogger());
  const tfstate = new MemoryObjectStore('tf');
  const backend = new S3StateBackend(tfstate, 'us-east-1');
  const run = await runs.createRun({
    type: 'DEPLOY',
    target,
    version: 'v1',
    workflowRunUrl: 'https://github.com/acme/orders/actions/runs/1',
    tfstate: { bucket: 'tf', region: 'us-east-1' },
    manifestDigest: 'd',
    tasks: [{ taskType: 'DEPLOY_SELF_HOSTED', pluginAppliedAlias: 'topic' }],
  });
  await tfstate.putJson(`shop/dev/app/${target.appId}/topic/terraform.tfstate.tflock`, {
    ID: 'lock-1',
    Operation: 'OperationTypeApply',
    Who: 'runner@host',
  });
  return { runs, tfstate, backend, run };
}

describe('unlockState', () => {
  it('refuses while a run of ours deploys the application, then releases exactly that lock', async () => {
    const { runs, tfstate, backend, run } = await setup();
    await expect(unlockState(runs, backend, { run, statePath, lockId: 'lock-1' })).rejects.toThrow(
      /is deploying this application right now/,
    );
    const closed = await runs.finishRun(run.runId, 'USER_ERROR');
    await expect(
      unlockState(runs, backend, { run: closed, statePath, lockId: 'lock-2' }),
    ).rejects.toThrow(/is now lock-1, not lock-2/);
    const released = await unlockState(runs, backend, { run: closed, statePath, lockId: 'lock-1' });
    expect(released).toMatchObject({
      who: 'runner@host',
      location: `s3://tf/shop/dev/app/${target.appId}/topic/terraform.tfstate.tflock`,
    });
    expect(await tfstate.list('')).toEqual([]);
    await expect(
      unlockState(runs, backend, { run: closed, statePath, lockId: 'lock-1' }),
    ).rejects.toThrow(/no lock .* in S3 bucket tf \(us-east-1\) any more/);
  });

  it.each([
    ['another bucket', `other/shop/dev/app/${target.appId}/topic/terraform.tfstate`],
    ['another application', 'tf/shop/dev/app/01JOTHER00000000000000000A/topic/terraform.tfstate'],
    ['a climbing path', `tf/shop/dev/app/${target.appId}/../../x/terraform.tfstate`],
    ['not a state', `tf/shop/dev/app/${target.appId}/topic/secrets.json`],
  ])('refuses a state of %s', async (_what, path) => {
    const { runs, backend, run } = await setup();
    const closed = await runs.finishRun(run.runId, 'USER_ERROR');
    await expect(
      unlockState(runs, backend, { run: closed, statePath: path, lockId: 'lock-1' }),
    ).rejects.toThrow(/is not a Terraform state of run/);
  });
});
