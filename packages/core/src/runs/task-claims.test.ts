import { ConfigurationError } from '../errors';
import { MemoryLogger } from '../logging';
import { MemoryObjectStore } from '../store';
import type { DeploymentTarget } from '../target';
import type { CreateRunInput } from './run-open';
import type { RunWorker } from './run-record';
import { RunStore } from './run-store';
import { TaskClaimLostError } from './task-claims';

const target: DeploymentTarget = {
  workspace: 'shop',
  environment: 'prod',
  appKind: 'app',
  appId: 'APP1',
  appName: 'orders',
};

const input: CreateRunInput = {
  type: 'DEPLOY',
  target,
  version: 'v1',
  workflowRunUrl: 'https://github.com/acme/orders/actions/runs/1',
  tfstate: { bucket: 'tf', region: 'us-east-1' },
  manifestDigest: 'abc',
  tasks: [
    { taskType: 'IAC_SELF_HOSTED', pluginAppliedAlias: 'db' },
    { taskType: 'IAC_SELF_HOSTED', pluginAppliedAlias: 'queue' },
    { taskType: 'IAC_SELF_HOSTED', pluginAppliedAlias: 'topic' },
  ],
};

function worker(id: string): RunWorker {
  return { id, description: `job ${id}`, joinedAt: '2026-11-22T10:00:00.000Z', host: 'runner' };
}

function fixture() {
  let clock = new Date('2026-11-22T10:00:00Z').getTime();
  const store = new MemoryObjectStore('iac');
  const runs = new RunStore(store, new MemoryLogger(), {
    now: () => new Date(clock),
    heartbeat: { intervalMs: 60_000, silenceMs: 60_000 },
  });
  return {
    store,
    runs,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

async function pooledRun(runs: RunStore, workers: string[]) {
  const run = await runs.createRun(input);
  const ids = run.tasks.map((t) => t.runTaskId);
  for (const id of workers) await runs.joinRun(run.runId, worker(id), workers.length, ids);
  return { run, ids };
}

describe('RunStore pool mode', () => {
  it('the first joiner records the pool and marks the tasks ready; joining again changes nothing', async () => {
    const { runs } = fixture();
    const { run, ids } = await pooledRun(runs, ['W1', 'W2']);
    const joined = await runs.joinRun(run.runId, worker('W1'), 2, ids);
    expect(joined.pool).toEqual({ size: 2, since: '2026-11-22T10:00:00.000Z' });
    expect(joined.tasks.map((t) => t.status)).toEqual([
      'READY_TO_RUN',
      'READY_TO_RUN',
      'READY_TO_RUN',
    ]);
    expect((await runs.workersOf(run.runId)).map((w) => w.worker.id).sort()).toEqual(['W1', 'W2']);
  });

  it('refuses a worker of another pool size, a single step on a pooled run, and a closed run', async () => {
    const { runs } = fixture();
    const { run, ids } = await pooledRun(runs, ['W1']);
    await expect(runs.joinRun(run.runId, worker('W3'), 3, ids)).rejects.toThrow(
      /pool of 1 workers .* says WORKERS 3/,
    );
    await expect(
      runs.claimRun(run.runId, { id: 'E', description: 'job', claimedAt: 'now' }),
    ).rejects.toThrow(/pool of 1 workers .* a single step cannot claim it/);
    await runs.finishRun(run.runId, 'ABORTED');
    await expect(runs.joinRun(run.runId, worker('W1'), 1, ids)).rejects.toBeInstanceOf(
      ConfigurationError,
    );
  });

  it('refuses a worker on a run a single step executes', async () => {
    const { runs } = fixture();
    const run = await runs.createRun(input);
    await runs.claimRun(run.runId, { id: 'E', description: 'the job', claimedAt: 'now' });
    await expect(runs.joinRun(run.runId, worker('W1'), 2, [])).rejects.toThrow(
      /executed by a single step \(the job/,
    );
  });

  it('exactly one of two workers claiming every task at once wins each', async () => {
    const { runs } = fixture();
    const { run, ids } = await pooledRun(runs, ['W1', 'W2']);
    const claims = await Promise.all(
      ids.flatMap((id) => [
        runs.claimTask(run.runId, id, 'W1').then((c) => ({ id, by: 'W1', c })),
        runs.claimTask(run.runId, id, 'W2').then((c) => ({ id, by: 'W2', c })),
      ]),
    );
    for (const id of ids) {
      const won = claims.filter((x) => x.id === id && x.c.claimed);
      expect(won).toHaveLength(1);
      const lost = claims.find((x) => x.id === id && !x.c.claimed);
      expect(lost?.c).toEqual(expect.objectContaining({ claimed: false, why: 'held' }));
      const task = (await runs.getRun(run.runId))?.tasks.find((t) => t.runTaskId === id);
      expect(task).toEqual(
        expect.objectContaining({ status: 'RUNNING', worker: won[0]?.by, attempt: 1 }),
      );
    }
  });

  it('a claim of a finished task, or on a closed run, is refused; a repeated claim is the same claim', async () => {
    const { runs } = fixture();
    const { run, ids } = await pooledRun(runs, ['W1', 'W2']);
    const [a, b] = ids as [string, string];
    expect(await runs.claimTask(run.runId, a, 'W1')).toEqual({ claimed: true });
    expect(await runs.claimTask(run.runId, a, 'W1')).toEqual({ claimed: true });
    await runs.finishTask(run.runId, a, 'SUCCEEDED', undefined, { workerId: 'W1' });
    expect(await runs.claimTask(run.runId, a, 'W2')).toEqual({ claimed: false, why: 'finished' });
    await runs.finishRun(run.runId, 'ABORTED');
    expect(await runs.claimTask(run.runId, b, 'W2')).toEqual({
      claimed: false,
      why: 'run-finished',
    });
  });

  it('re-claims the task of a worker silent for longer than the lease; the old holder cannot record its result', async () => {
    const { runs, advance } = fixture();
    const { run, ids } = await pooledRun(runs, ['W1', 'W2']);
    const [a] = ids as [string];
    expect(await runs.claimTask(run.runId, a, 'W1', { leaseMs: 30_000 })).toEqual({
      claimed: true,
    });
    advance(20_000);
    expect(await runs.claimTask(run.runId, a, 'W2', { leaseMs: 30_000 })).toEqual({
      claimed: false,
      why: 'held',
      holder: worker('W1'),
    });
    advance(20_000);
    expect(await runs.claimTask(run.runId, a, 'W2', { leaseMs: 30_000 })).toEqual({
      claimed: true,
      reclaimedFrom: worker('W1'),
    });
    await expect(
      runs.finishTask(run.runId, a, 'SUCCEEDED', undefined, { workerId: 'W1' }),
    ).rejects.toBeInstanceOf(TaskClaimLostError);
    const task = (await runs.getRun(run.runId))?.tasks[0];
    expect(task).toEqual(expect.objectContaining({ status: 'RUNNING', worker: 'W2', attempt: 2 }));
    await runs.finishTask(run.runId, a, 'SUCCEEDED', undefined, { workerId: 'W2' });
    expect((await runs.getRun(run.runId))?.tasks[0]?.status).toBe('SUCCEEDED');
  });

  it('a heartbeat keeps the claim; leaving counts the workers still in', async () => {
    const { runs, advance } = fixture();
    const { run, ids } = await pooledRun(runs, ['W1', 'W2']);
    const [a] = ids as [string];
    await runs.claimTask(run.runId, a, 'W1', { leaseMs: 30_000 });
    advance(25_000);
    await runs.startWorkerHeartbeat(run.runId, 'W1').stop();
    advance(25_000);
    expect(await runs.claimTask(run.runId, a, 'W2', { leaseMs: 30_000 })).toEqual(
      expect.objectContaining({ claimed: false, why: 'held' }),
    );
    expect(await runs.leaveRun(run.runId, 'W2')).toEqual({ remaining: 1 });
    expect(await runs.leaveRun(run.runId, 'W2')).toEqual({ remaining: 1 });
    expect(await runs.leaveRun(run.runId, 'W1')).toEqual({ remaining: 0 });
    const left = await runs.workersOf(run.runId);
    expect(left.every((w) => w.leftAt !== undefined)).toBe(true);
    // A worker that left holds nothing: its RUNNING task is claimed again at once.
    expect(await runs.claimTask(run.runId, a, 'W2', { leaseMs: 30_000 })).toEqual({
      claimed: true,
      reclaimedFrom: worker('W1'),
    });
  });
});

describe('the liveness of a run executed by a pool (a new run finding the lock held)', () => {
  it('outside GitHub, the freshest worker heartbeat decides', async () => {
    const { runs, advance } = fixture();
    const { run } = await pooledRun(runs, ['W1', 'W2']);
    advance(40_000);
    await runs.startWorkerHeartbeat(run.runId, 'W2').stop();
    advance(40_000);
    // W1 is silent for 80 s, W2 for 40 s: the pool lives (silence 60 s).
    await expect(runs.createRun(input)).rejects.toThrow(
      /freshest worker \(job W2 on runner\) sent its last heartbeat at \S+ \(40 s ago\)/,
    );
    advance(30_000);
    const next = await runs.createRun(input);
    const old = await runs.getRun(run.runId);
    expect(old?.status).toBe('ABORTED');
    expect(old?.supersededBy?.runId).toBe(next.runId);
    expect(old?.supersededBy?.reason).toMatch(/none closed it/);
    expect(old?.tasks.every((t) => t.status === 'ABORTED')).toBe(true);
  });

  it('under GitHub, the workflow run of its freshest worker decides', async () => {
    const { runs } = fixture();
    const ghRun = (id: string) => ({
      repository: 'acme/orders',
      runId: id,
      attempt: 1,
      apiUrl: 'https://api.github.com',
      url: `https://github.com/acme/orders/actions/runs/${id}`,
    });
    const run = await runs.createRun({ ...input, workflowRun: ghRun('1') });
    await runs.joinRun(run.runId, { ...worker('W1'), workflowRun: ghRun('2') }, 2, []);
    const asked: string[] = [];
    const liveness = {
      check: async (r: { runId: string }) => {
        asked.push(r.runId);
        return r.runId === '2'
          ? ({ state: 'completed', conclusion: 'cancelled' } as const)
          : ({ state: 'running', status: 'in_progress' } as const);
      },
    };
    await runs.createRun({ ...input, workflowRun: ghRun('3') }, { liveness });
    expect(asked).toEqual(['2']);
    expect((await runs.getRun(run.runId))?.supersededBy?.reason).toMatch(
      /workflow run executing it \(a pool of 2 workers: job W1\) ended/,
    );
  });
});
