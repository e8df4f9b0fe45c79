/**
 * Task claims and transitions against a real S3 server (moto_server on 127.0.0.1) and the real S3
 * store, each worker with a RunStore of its own (as separate runners have): exactly one worker
 * wins each task, a write whose answer was lost is recognised, a task is re-claimed once its
 * worker is silent for longer than the lease, and the worker that lost it cannot record a result.
 */
import {
  createS3Client,
  InvalidTransitionError,
  MemoryLogger,
  RunStore,
  S3ObjectStore,
  TaskClaimLostError,
  type DeploymentTarget,
  type ObjectStore,
  type RunWorker,
} from '@deploy-engine/core';
import { startMoto, type MotoServer } from '../harness/moto';

let moto: MotoServer;

beforeAll(async () => {
  moto = await startMoto();
  await moto.createBucket('claims-iac');
});

afterAll(async () => {
  await moto?.stop();
});

function objectStore(): S3ObjectStore {
  const client = createS3Client({
    region: 'us-east-1',
    credentials: { mode: 'keys', accessKeyId: 'test', secretAccessKey: 'test' },
    requestTimeoutMs: 5000,
    connectionTimeoutMs: 1000,
    env: { AWS_ENDPOINT_URL_S3: moto.endpoint },
  });
  return new S3ObjectStore(client, 'claims-iac', { retries: 1, baseDelayMs: 10 });
}

/**
 * A store that loses the answer of every successful conditional write of a task object: the write
 * is made, then sent again, as a client retrying after a timeout does; the retry's refusal (412)
 * is what the caller gets.
 */
function losingAnswers(inner: ObjectStore): ObjectStore & { lost: number } {
  const store = {
    lost: 0,
    bucket: inner.bucket,
    getJson: inner.getJson.bind(inner),
    getBytes: inner.getBytes.bind(inner),
    putBytes: inner.putBytes.bind(inner),
    delete: inner.delete.bind(inner),
    list: inner.list.bind(inner),
    ...(inner.listTagged ? { listTagged: inner.listTagged.bind(inner) } : {}),
    putJson: async (
      key: string,
      value: unknown,
      condition?: Parameters<ObjectStore['putJson']>[2],
    ) => {
      const etag = await inner.putJson(key, value, condition);
      if (!condition || !key.includes('/tasks/')) return etag;
      store.lost++;
      return inner.putJson(key, value, condition);
    },
  };
  return store;
}

let apps = 0;
const target = (): DeploymentTarget => {
  apps++;
  return {
    workspace: 'shop',
    environment: 'prod',
    appKind: 'app',
    appId: `claims-${apps}`,
    appName: `claims-${apps}`,
  };
};

function worker(id: string): RunWorker {
  return { id, description: `job ${id}`, joinedAt: new Date().toISOString(), host: 'runner' };
}

async function openRun(runs: RunStore, tasks: number) {
  const run = await runs.createRun({
    type: 'DEPLOY',
    target: target(),
    version: 'v1',
    workflowRunUrl: 'https://github.com/acme/orders/actions/runs/7',
    tfstate: { bucket: 'tf', region: 'us-east-1' },
    manifestDigest: 'd',
    tasks: Array.from({ length: tasks }, (_, i) => ({
      taskType: 'IAC_SELF_HOSTED' as const,
      pluginAppliedAlias: `p${i}`,
    })),
  });
  return { run, ids: run.tasks.map((t) => t.runTaskId) };
}

it('two workers claiming every task at once: exactly one wins each, and both see the same holder', async () => {
  const opener = new RunStore(objectStore(), new MemoryLogger());
  const { run, ids } = await openRun(opener, 12);
  const workers = ['W1', 'W2'].map((id) => ({
    id,
    runs: new RunStore(objectStore(), new MemoryLogger()),
  }));
  for (const w of workers) await w.runs.joinRun(run.runId, worker(w.id), 2, ids);
  const claims = await Promise.all(
    ids.flatMap((taskId) =>
      workers.map(async (w) => ({
        taskId,
        by: w.id,
        claim: await w.runs.claimTask(run.runId, taskId, w.id),
      })),
    ),
  );
  const merged = await opener.getRun(run.runId);
  for (const taskId of ids) {
    const mine = claims.filter((c) => c.taskId === taskId);
    const won = mine.filter((c) => c.claim.claimed);
    expect(won).toHaveLength(1);
    expect(mine.find((c) => !c.claim.claimed)?.claim).toEqual(
      expect.objectContaining({
        claimed: false,
        why: 'held',
        holder: expect.objectContaining({ id: won[0]?.by }),
      }),
    );
    expect(merged?.tasks.find((t) => t.runTaskId === taskId)).toEqual(
      expect.objectContaining({ status: 'RUNNING', worker: won[0]?.by, attempt: 1 }),
    );
  }
  // Each worker finishes what it won; the run then succeeds with every task's state folded in.
  await Promise.all(
    claims
      .filter((c) => c.claim.claimed)
      .map((c) => {
        const runs = workers.find((w) => w.id === c.by)?.runs as RunStore;
        return runs.finishTask(run.runId, c.taskId, 'SUCCEEDED', undefined, { workerId: c.by });
      }),
  );
  const closed = await opener.finishRun(run.runId, 'SUCCEEDED');
  expect(closed.tasks.every((t) => t.status === 'SUCCEEDED')).toBe(true);
  for (const task of closed.tasks)
    expect(task.worker).toBe(
      claims.find((c) => c.taskId === task.runTaskId && c.claim.claimed)?.by,
    );
});

it('recognises its own writes whose answers were lost: claims, starts and finishes go through once', async () => {
  const lossy = losingAnswers(objectStore());
  const opener = new RunStore(objectStore(), new MemoryLogger());
  const { run, ids } = await openRun(opener, 3);
  const runs = new RunStore(lossy, new MemoryLogger());
  await runs.joinRun(run.runId, worker('W1'), 2, ids);
  const [a, b] = ids as [string, string];
  expect(await runs.claimTask(run.runId, a, 'W1')).toEqual({ claimed: true });
  await runs.finishTask(run.runId, a, 'SUCCEEDED', undefined, { workerId: 'W1' });
  expect(await runs.claimTask(run.runId, b, 'W1')).toEqual({ claimed: true });
  await runs.finishTask(
    run.runId,
    b,
    'FAILED',
    { kind: 'USER_ERROR', message: 'boom' },
    { workerId: 'W1' },
  );
  expect(lossy.lost).toBe(4);
  const seen = await opener.getRun(run.runId);
  expect(seen?.tasks.map((t) => [t.status, t.attempt])).toEqual([
    ['SUCCEEDED', 1],
    ['FAILED', 1],
    ['READY_TO_RUN', undefined],
  ]);
  // A single step's start and finish too.
  const single = await openRun(opener, 1);
  await opener.claimRun(
    single.run.runId,
    { id: 'E', description: 'job', claimedAt: 'now' },
    single.ids,
  );
  const step = new RunStore(lossy, new MemoryLogger());
  await step.startTask(single.run.runId, single.ids[0] as string);
  await step.finishTask(single.run.runId, single.ids[0] as string, 'SUCCEEDED');
  expect(lossy.lost).toBe(6);
  expect((await opener.getRun(single.run.runId))?.tasks[0]?.status).toBe('SUCCEEDED');
});

it('re-claims the task of a worker silent for longer than the lease (one of two re-claimers wins); the old holder cannot record', async () => {
  let clock = Date.now();
  const now = () => new Date(clock);
  const store = (): RunStore =>
    new RunStore(objectStore(), new MemoryLogger(), { now, heartbeat: { silenceMs: 60_000 } });
  const [w1, w2, w3] = [store(), store(), store()];
  const { run, ids } = await openRun(w1, 2);
  for (const [w, id] of [
    [w1, 'W1'],
    [w2, 'W2'],
    [w3, 'W3'],
  ] as const)
    await w.joinRun(run.runId, worker(id), 3, ids);
  const [a] = ids as [string];
  expect(await w1.claimTask(run.runId, a, 'W1', { leaseMs: 5_000 })).toEqual({ claimed: true });
  clock += 3_000;
  expect(await w2.claimTask(run.runId, a, 'W2', { leaseMs: 5_000 })).toEqual(
    expect.objectContaining({ claimed: false, why: 'held' }),
  );
  clock += 3_000; // W1 silent for 6 s: longer than the lease
  const again = await Promise.all([
    w2.claimTask(run.runId, a, 'W2', { leaseMs: 5_000 }),
    w3.claimTask(run.runId, a, 'W3', { leaseMs: 5_000 }),
  ]);
  const winners = again.filter((c) => c.claimed);
  expect(winners).toEqual([
    { claimed: true, reclaimedFrom: expect.objectContaining({ id: 'W1' }) },
  ]);
  const holder = again[0].claimed ? 'W2' : 'W3';
  const late = await w1
    .finishTask(run.runId, a, 'SUCCEEDED', undefined, { workerId: 'W1' })
    .catch((e: unknown) => e);
  expect(late).toBeInstanceOf(TaskClaimLostError);
  expect((late as Error).message).toContain(`worker ${holder} claimed it again`);
  expect((await w1.getRun(run.runId))?.tasks[0]).toEqual(
    expect.objectContaining({ status: 'RUNNING', worker: holder, attempt: 2 }),
  );
  // Cancelled now: the holder's finish is refused, nothing starts any more.
  await new RunStore(objectStore(), new MemoryLogger()).cancelRun(run.runId);
  const holderRuns = holder === 'W2' ? w2 : w3;
  await expect(
    holderRuns.finishTask(run.runId, a, 'SUCCEEDED', undefined, { workerId: holder }),
  ).rejects.toBeInstanceOf(InvalidTransitionError);
  expect(await w1.claimTask(run.runId, ids[1] as string, 'W1')).toEqual({
    claimed: false,
    why: 'run-finished',
  });
  expect((await w1.getRun(run.runId))?.tasks.map((t) => t.status)).toEqual(['ABORTED', 'ABORTED']);
});

it('refuses to cancel with FORCE_CANCEL false while a worker runs a task', async () => {
  const runs = new RunStore(objectStore(), new MemoryLogger());
  const { run, ids } = await openRun(runs, 2);
  const pool = new RunStore(objectStore(), new MemoryLogger());
  await pool.joinRun(run.runId, worker('W1'), 2, ids);
  await pool.claimTask(run.runId, ids[0] as string, 'W1');
  await expect(runs.cancelRun(run.runId, { force: false })).rejects.toThrow(/still RUNNING/);
  await pool.finishTask(run.runId, ids[0] as string, 'SUCCEEDED', undefined, { workerId: 'W1' });
  expect((await runs.cancelRun(run.runId, { force: false })).outcome).toBe('cancelled');
});

it('lists task objects with the ETags their writes returned, so a reader fetches only what changed', async () => {
  const store = objectStore();
  const etag = await store.putJson('etags/tasks/a.json', { n: 1 }, { ifNoneMatch: '*' });
  expect(await store.listTagged('etags/tasks/')).toEqual([{ key: 'etags/tasks/a.json', etag }]);
  expect((await store.getJson('etags/tasks/a.json'))?.etag).toBe(etag);
  await store.putJson('etags/other/b.json', {});
  expect(await store.listFolders('etags/')).toEqual(['etags/other/', 'etags/tasks/']);
});

it('tasks starting while cancel-run closes the run: none is left RUNNING, and no start after the close goes through', async () => {
  const step = new RunStore(objectStore(), new MemoryLogger());
  const { run, ids } = await openRun(step, 20);
  await step.claimRun(run.runId, { id: 'E', description: 'job', claimedAt: 'now' }, ids);
  const canceller = new RunStore(objectStore(), new MemoryLogger());
  const [starts, cancelled] = await Promise.all([
    Promise.allSettled(ids.map((id) => step.startTask(run.runId, id))),
    canceller.cancelRun(run.runId),
  ]);
  expect(cancelled.outcome).toBe('cancelled');
  for (const s of starts)
    if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(InvalidTransitionError);
  // Every task object the close could reach is finished; the record holds them all ABORTED.
  const objects = await Promise.all(
    ids.map(
      async (id) =>
        JSON.parse(
          await moto.getObjectText('claims-iac', `runs/${run.runId}/tasks/${id}.json`),
        ) as { status: string },
    ),
  );
  expect(objects.map((o) => o.status)).toEqual(ids.map(() => 'ABORTED'));
  expect((await step.getRun(run.runId))?.tasks.map((t) => t.status)).toEqual(
    ids.map(() => 'ABORTED'),
  );
  await expect(step.startTask(run.runId, ids[0] as string)).rejects.toBeInstanceOf(
    InvalidTransitionError,
  );
});
