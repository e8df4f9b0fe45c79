import { MemoryObjectStore } from '../store';
import { ulid } from 'ulid';
import { keys } from '../bucket-layout';
import { executePrune, planPrune } from './prune';
import type { RunRecord, RunStatus } from './run-record';

const NOW = new Date('2026-06-01T00:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;
const target = {
  workspace: 'shop',
  environment: 'prod',
  appKind: 'app' as const,
  appId: 'A1',
  appName: 'orders',
};

/** A run created `days` ago with a record, an artifact, a plan file and a task log. */
async function run(store: MemoryObjectStore, days: number, status: RunStatus): Promise<string> {
  const at = new Date(NOW.getTime() - days * DAY);
  const runId = ulid(at.getTime());
  const record: Partial<RunRecord> = {
    runId,
    status,
    target,
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
    ...(status === 'RUNNING' ? {} : { finishedAt: at.toISOString() }),
    tasks: [],
  };
  await store.putJson(keys.run(runId), record);
  await store.putJson(keys.artifact(runId, 'iac/topic'), { files: [] });
  await store.putBytes(keys.file(runId, 'plans/deploy.tfplan'), Buffer.from('plan'), 'x');
  await store.putBytes(keys.taskLog(runId, 'T1'), Buffer.from('log'), 'text/plain');
  return runId;
}

async function fixture() {
  const store = new MemoryObjectStore();
  const old = await run(store, 200, 'SUCCEEDED');
  const oldFailed = await run(store, 150, 'RUNTIME_ERROR');
  const running = await run(store, 300, 'RUNNING');
  const young = await run(store, 10, 'SUCCEEDED');
  const deployedLive = await run(store, 400, 'SUCCEEDED');
  const carried = await run(store, 500, 'SUCCEEDED');
  const versionTag = await run(store, 450, 'SUCCEEDED');
  const locked = await run(store, 350, 'ABORTED');
  // What is live: its own IaC, and a plugin's IaC carried over from an older run.
  await store.putJson(keys.lastDeployment(target), {
    runId: deployedLive,
    iac: {
      topic: { key: keys.artifact(deployedLive, 'iac/topic'), digest: 'd' },
      queue: { key: keys.artifact(carried, 'iac/queue'), digest: 'd' },
    },
  });
  // A version ROLLBACK_TO can return to, nested deep in its manifest.
  await store.putJson(keys.versionDeployment(target, 'v0'), {
    runId: 'not-a-run',
    manifest: { rollback: { iac: { a: { key: keys.artifact(versionTag, 'iac/a') } } } },
  });
  await store.putJson(keys.lock(target), { runId: locked });
  await store.putJson(keys.targetRun(target, old), { runId: old });
  return { store, old, oldFailed, running, young, deployedLive, carried, versionTag, locked };
}

it('selects finished runs older than the age, keeping RUNNING runs and every run the history or a lock names', async () => {
  const f = await fixture();
  const plan = await planPrune(f.store, { olderThanDays: 90, now: NOW });
  expect(plan.delete.map((c) => c.runId).sort()).toEqual([f.old, f.oldFailed].sort());
  expect(plan.delete.find((c) => c.runId === f.old)).toMatchObject({
    status: 'SUCCEEDED',
    objects: 4,
  });
  const kept = Object.fromEntries(plan.kept.map((k) => [k.runId, k.reason]));
  expect(kept).toEqual({
    [f.running]: 'RUNNING',
    [f.deployedLive]: expect.stringContaining('history/shop/prod/app/A1/last.json'),
    [f.carried]: expect.stringContaining('last.json'),
    [f.versionTag]: expect.stringContaining('versions/v0.json'),
    [f.locked]: expect.stringContaining('a lock names it'),
  });
  expect(plan.kept.map((k) => k.runId)).not.toContain(f.young);
});

it('deletes only the runs/<ulid>/ objects of the selected runs; history, locks and the others stay', async () => {
  const f = await fixture();
  const before = await f.store.list('');
  const plan = await planPrune(f.store, { olderThanDays: 90, now: NOW });
  const result = await executePrune(f.store, plan);
  expect(result).toEqual({ deleted: plan.delete.map((c) => c.runId), skipped: [] });
  const after = await f.store.list('');
  const gone = before.filter((k) => !after.includes(k));
  expect(gone.sort()).toEqual(
    [f.old, f.oldFailed].flatMap((id) => before.filter((k) => k.startsWith(`runs/${id}/`))).sort(),
  );
  expect(after.filter((k) => !k.startsWith('runs/'))).toEqual(
    before.filter((k) => !k.startsWith('runs/')),
  );
});

it('leaves a run alone that was resumed between the check and the deletion', async () => {
  const f = await fixture();
  const plan = await planPrune(f.store, { olderThanDays: 90, now: NOW });
  const stored = await f.store.getJson<RunRecord>(keys.run(f.oldFailed));
  await f.store.putJson(keys.run(f.oldFailed), { ...stored?.value, status: 'RUNNING' });
  const result = await executePrune(f.store, plan);
  expect(result.skipped).toEqual([{ runId: f.oldFailed, reason: 'it is RUNNING again (resumed)' }]);
  expect(await f.store.list(`runs/${f.oldFailed}/`)).toHaveLength(4);
});

it('deletes the objects a stopped prune left without a record, and changes nothing in a dry plan', async () => {
  const f = await fixture();
  await f.store.delete(keys.run(f.old));
  const before = await f.store.list('');
  const plan = await planPrune(f.store, { olderThanDays: 90, now: NOW });
  expect(await f.store.list('')).toEqual(before);
  expect(plan.delete.find((c) => c.runId === f.old)).toEqual({
    runId: f.old,
    endedAt: expect.any(String),
    objects: 3,
  });
  await executePrune(f.store, plan);
  expect(await f.store.list(`runs/${f.old}/`)).toEqual([]);
});
