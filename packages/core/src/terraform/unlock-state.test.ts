import { MemoryLogger } from '../logging';
import { RunStore } from '../runs';
import { MemoryObjectStore } from '../store';
import { parseStateLockInfo } from './terraform-output';
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
  return { runs, tfstate, run };
}

describe('unlockState', () => {
  it('refuses while a run of ours deploys the application, then releases exactly that lock', async () => {
    const { runs, tfstate, run } = await setup();
    await expect(unlockState(runs, tfstate, { run, statePath, lockId: 'lock-1' })).rejects.toThrow(
      /is deploying this application right now/,
    );
    const closed = await runs.finishRun(run.runId, 'USER_ERROR');
    await expect(
      unlockState(runs, tfstate, { run: closed, statePath, lockId: 'lock-2' }),
    ).rejects.toThrow(/is now lock-1, not lock-2/);
    const released = await unlockState(runs, tfstate, { run: closed, statePath, lockId: 'lock-1' });
    expect(released.lock.Who).toBe('runner@host');
    expect(await tfstate.list('')).toEqual([]);
    await expect(
      unlockState(runs, tfstate, { run: closed, statePath, lockId: 'lock-1' }),
    ).rejects.toThrow(/no lock .* any more/);
  });

  it.each([
    ['another bucket', `other/shop/dev/app/${target.appId}/topic/terraform.tfstate`],
    ['another application', 'tf/shop/dev/app/01JOTHER00000000000000000A/topic/terraform.tfstate'],
    ['a climbing path', `tf/shop/dev/app/${target.appId}/../../x/terraform.tfstate`],
    ['not a state', `tf/shop/dev/app/${target.appId}/topic/secrets.json`],
  ])('refuses a state of %s', async (_what, path) => {
    const { runs, tfstate, run } = await setup();
    const closed = await runs.finishRun(run.runId, 'USER_ERROR');
    await expect(
      unlockState(runs, tfstate, { run: closed, statePath: path, lockId: 'lock-1' }),
    ).rejects.toThrow(/is not a Terraform state of run/);
  });
});

describe('parseStateLockInfo', () => {
  it("reads Terraform's Lock Info block", () => {
    const output = [
      'Error: Error acquiring the state lock',
      '',
      'Error message: operation error S3: PutObject, https response error StatusCode: 412',
      'Lock Info:',
      '  ID:        5fe03bd5-4dc8-9d4e-5ebe-48a860809938',
      '  Path:      tf/shop/dev/app/x/topic/terraform.tfstate',
      '  Operation: OperationTypeApply',
      '  Who:       root@vm',
      '  Version:   1.11.4',
      '  Created:   2026-11-23 17:55:08.669349081 +0000 UTC',
      '  Info:      ',
    ].join('\n');
    expect(parseStateLockInfo(output)).toEqual({
      id: '5fe03bd5-4dc8-9d4e-5ebe-48a860809938',
      path: 'tf/shop/dev/app/x/topic/terraform.tfstate',
      operation: 'OperationTypeApply',
      who: 'root@vm',
      created: '2026-11-23 17:55:08.669349081 +0000 UTC',
    });
    expect(parseStateLockInfo('Error: something else')).toBeUndefined();
  });
});
