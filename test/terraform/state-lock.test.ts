/**
 * The state backend's lock inspection and release against the lock file real Terraform leaves in a
 * real S3 (moto_server on 127.0.0.1) when it is killed in the middle of an apply.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MemoryLogger,
  MemoryObjectStore,
  openStateBackend,
  RunStore,
  StateLockedError,
  stateKey,
  TerraformProject,
  unlockState,
} from '@deploy-engine/core';
import { startMoto, type MotoServer } from '../harness/moto';
import { terraform as terraformCli } from '../harness/terraform';

let moto: MotoServer;

beforeAll(async () => {
  moto = await startMoto();
  await moto.createBucket('lock-states');
});

afterAll(async () => {
  await moto?.stop();
});

const target = {
  workspace: 'shop',
  environment: 'dev',
  appKind: 'app' as const,
  appId: '01JLOCKED00000000000000000',
  appName: 'locked',
};

it('reads the lock a killed Terraform left, releases exactly it through the run recorded before kinds, and Terraform goes on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lock-'));
  writeFileSync(
    join(dir, 'main.tf'),
    'resource "terraform_data" "slow" {\n  provisioner "local-exec" {\n    command = "sleep 20"\n  }\n}\n',
  );
  // A run recorded before state backends had a kind: its tfstate is S3's { bucket, region }.
  const runs = new RunStore(new MemoryObjectStore('iac'), new MemoryLogger());
  const opened = await runs.createRun({
    type: 'DEPLOY',
    target,
    version: 'v1',
    workflowRunUrl: 'https://github.com/acme/locked/actions/runs/1',
    tfstate: { bucket: 'lock-states', region: 'us-east-1' },
    manifestDigest: 'd',
    tasks: [{ taskType: 'DEPLOY_SELF_HOSTED', pluginAppliedAlias: 'slow' }],
  });
  const backend = openStateBackend(opened.tfstate, {
    s3In: () => moto.s3,
    s3Endpoint: moto.endpoint,
  });
  const key = stateKey({ ...target, alias: 'slow' });
  const project = new TerraformProject({
    binary: 'terraform',
    dir,
    env: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' },
    logger: new MemoryLogger(),
    label: 'iac/slow',
  });
  await project.init(backend.settings(key));
  expect(await backend.readLock(key)).toBeUndefined();

  // The job is killed while Terraform holds the lock (SIGKILL: it cannot release it).
  const killed = await terraformCli(
    ['apply', '-auto-approve', '-input=false', '-no-color'],
    dir,
    moto.env,
    8000,
  );
  expect(killed.code).not.toBe(0);
  const left = await backend.readLock(key);
  expect(left).toMatchObject({
    operation: 'OperationTypeApply',
    location: `s3://lock-states/${key}.tflock`,
  });

  // The next Terraform names the same lock, at a path the backend maps back to the same key.
  const blocked = await project.plan({ out: 'plan.bin' }).catch((error: unknown) => error);
  expect(blocked).toBeInstanceOf(StateLockedError);
  const { lock } = blocked as StateLockedError;
  expect(lock.id).toBe(left?.id);
  expect(lock.who).toBe(left?.who);
  expect(backend.keyOfLockPath(lock.path)).toBe(key);

  const closed = await runs.finishRun(opened.runId, 'RUNTIME_ERROR');
  await expect(
    unlockState(runs, backend, { run: closed, statePath: lock.path, lockId: 'not-that-one' }),
  ).rejects.toThrow(`is now ${lock.id}, not not-that-one`);
  const released = await unlockState(runs, backend, {
    run: closed,
    statePath: lock.path,
    lockId: lock.id,
  });
  expect(released.id).toBe(lock.id);
  expect(await backend.readLock(key)).toBeUndefined();
  expect(await moto.listKeys('lock-states')).not.toContainEqual(expect.stringMatching(/\.tflock$/));
  await expect(project.plan({ out: 'plan.bin' })).resolves.toMatchObject({ hasChanges: true });
}, 120000);
