/**
 * A failed run a pool executed, resumed (a re-run of the failed jobs of a matrix): by a pool's
 * workers (reopened and joined in one write; a racing worker joins), or by a single step; either
 * way the earlier attempt's pool is dropped, so liveness is judged by whoever executes now.
 */
import { MemoryLogger } from '../logging';
import { MemoryObjectStore } from '../store';
import type { DeploymentTarget } from '../target';
import { RunClaimedError } from './executor-claim';
import type { CreateRunInput } from './run-open';
import type { RunWorker } from './run-record';
import { RunStore } from './run-store';

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

const worker = (id: string): RunWorker => ({
  id,
  description: `job ${id}`,
  joinedAt: '2026-11-22T10:00:00.000Z',
});

function fixture() {
  let clock = new Date('2026-11-22T10:00:00Z').getTime();
  const runs = new RunStore(new MemoryObjectStore('iac'), new MemoryLogger(), {
    now: () => new Date(clock),
    heartbeat: { intervalMs: 60_000, silenceMs: 60_000 },
  });
  return { runs, advance: (ms: number) => (clock += ms) };
}

/** A run of a pool of two: db succeeded (W1), queue failed (W2), topic left RUNNING (W1). */
async function failedPoolRun(runs: RunStore) {
  const run = await runs.createRun(input);
  const ids = run.tasks.map((t) => t.runTaskId) as [string, string, string];
  for (const id of ['W1', 'W2']) await runs.joinRun(run.runId, worker(id), 2, ids);
  const [db, queue, topic] = ids;
  await runs.claimTask(run.runId, db, 'W1');
  await runs.finishTask(run.runId, db, 'SUCCEEDED', undefined, { workerId: 'W1' });
  await runs.claimTask(run.runId, queue, 'W2');
  const error = { kind: 'USER_ERROR' as const, message: 'boom' };
  await runs.finishTask(run.runId, queue, 'FAILED', error, { workerId: 'W2' });
  await runs.claimTask(run.runId, topic, 'W1');
  await runs.finishRun(run.runId, 'USER_ERROR', error);
  return { run, ids };
}

describe('resuming a failed run a pool executed', () => {
  it('workers of the re-run reopen it once, racing, drop the old pool and claim the unfinished tasks afresh', async () => {
    const { runs, advance } = fixture();
    const { run, ids } = await failedPoolRun(runs);
    advance(600_000);
    const [a, b] = await Promise.all([
      runs.resumeRunAsWorker(run.runId, worker('W3'), 2, ids),
      runs.resumeRunAsWorker(run.runId, worker('W4'), 2, ids),
    ]);
    for (const joined of [a, b]) expect(joined.status).toBe('RUNNING');
    const now = await runs.getRun(run.runId);
    expect(now?.attempts).toHaveLength(1);
    expect(now?.pool).toEqual({ size: 2, since: '2026-11-22T10:10:00.000Z' });
    expect(now?.executor).toBeUndefined();
    expect(now?.tasks.map((t) => t.status)).toEqual(['SUCCEEDED', 'READY_TO_RUN', 'READY_TO_RUN']);
    const workers = await runs.workersOf(run.runId);
    expect(workers.map((w) => w.worker.id).sort()).toEqual(['W1', 'W2', 'W3', 'W4']);
    // topic was RUNNING under W1 in the earlier attempt: a plain claim now, not a take-over.
    expect(await runs.claimTask(run.runId, ids[2], 'W3')).toEqual({ claimed: true });
    expect(await runs.claimTask(run.runId, ids[0], 'W4')).toEqual({
      claimed: false,
      why: 'finished',
    });
    const topic = (await runs.getRun(run.runId))?.tasks[2];
    expect(topic).toEqual(expect.objectContaining({ status: 'RUNNING', worker: 'W3', attempt: 1 }));
  });

  it('a re-run with another WORKERS is a new pool of that size', async () => {
    const { runs } = fixture();
    const { run, ids } = await failedPoolRun(runs);
    const resumed = await runs.resumeRunAsWorker(run.runId, worker('W5'), 3, ids);
    expect(resumed.pool?.size).toBe(3);
    await expect(runs.joinRun(run.runId, worker('W6'), 2, ids)).rejects.toThrow(
      /pool of 3 workers .* says WORKERS 2/,
    );
  });

  it('a single step resumes it alone: the old pool is gone, and a worker is then refused', async () => {
    const { runs } = fixture();
    const { run, ids } = await failedPoolRun(runs);
    const executor = { id: 'E', description: 'the job', claimedAt: 'now' };
    const resumed = await runs.resumeRun(run.runId, executor, ids);
    expect(resumed.pool).toBeUndefined();
    expect(resumed.executor?.id).toBe('E');
    await expect(runs.resumeRunAsWorker(run.runId, worker('W3'), 2, ids)).rejects.toBeInstanceOf(
      RunClaimedError,
    );
    await expect(runs.joinRun(run.runId, worker('W3'), 2, ids)).rejects.toThrow(
      /executed by a single step \(the job/,
    );
  });

  it('a cancelled pool run is not resumed by a worker', async () => {
    const { runs } = fixture();
    const run = await runs.createRun(input);
    const ids = run.tasks.map((t) => t.runTaskId);
    await runs.joinRun(run.runId, worker('W1'), 2, ids);
    await runs.finishRun(run.runId, 'ABORTED');
    await expect(runs.resumeRunAsWorker(run.runId, worker('W3'), 2, ids)).rejects.toThrow(
      /ended ABORTED.*only a run that failed can be resumed/,
    );
  });
});
