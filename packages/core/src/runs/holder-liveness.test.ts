import { claimRunForTasks } from '../deployment/run-claim';
import { MemoryLogger } from '../logging';
import { MemoryObjectStore } from '../store';
import type { DeploymentTarget } from '../target';
import type { WorkflowRunAnswer, WorkflowRunLiveness } from './holder-liveness';
import { keys } from '../bucket-layout';
import { RunBlockedError } from './run-locks';
import type { CreateRunInput } from './run-open';
import { RunStore } from './run-store';
import type { RunLock, RunRecord, WorkflowRunRef } from './run-record';
import { LockLostError, SupersededRunError } from './superseded';

const target: DeploymentTarget = {
  workspace: 'shop',
  environment: 'prod',
  appKind: 'app',
  appId: 'APP1',
  appName: 'orders',
};

function workflowRun(runId: string, attempt = 1): WorkflowRunRef {
  return {
    repository: 'acme/orders',
    runId,
    attempt,
    apiUrl: 'https://api.github.com',
    url: `https://github.com/acme/orders/actions/runs/${runId}`,
  };
}

function input(ghRun?: WorkflowRunRef): CreateRunInput {
  return {
    type: 'DEPLOY',
    target,
    version: 'v1',
    workflowRunUrl: ghRun?.url ?? 'unknown (not started by a GitHub workflow)',
    tfstate: { bucket: 'tf', region: 'us-east-1' },
    manifestDigest: 'abc',
    tasks: [{ taskType: 'DEPLOY_SELF_HOSTED', pluginAppliedAlias: 'topic' }],
    ...(ghRun ? { workflowRun: ghRun } : {}),
  };
}

/** What GitHub says per workflow run id#attempt; every question is recorded. */
function github(answers: Record<string, WorkflowRunAnswer>) {
  const asked: string[] = [];
  const liveness: WorkflowRunLiveness = {
    check: async (run) => {
      const key = `${run.runId}#${run.attempt}`;
      asked.push(key);
      return answers[key] ?? { state: 'running', status: 'in_progress' };
    },
  };
  return { liveness, asked };
}

function fixture() {
  let clock = new Date('2026-11-22T10:00:00Z');
  const store = new MemoryObjectStore('iac');
  const logger = new MemoryLogger();
  const runs = new RunStore(store, logger, { now: () => clock, region: 'sa-east-1' });
  return {
    store,
    logger,
    runs,
    at: (iso: string) => (clock = new Date(iso)),
    lock: async () => (await store.getJson<RunLock>(keys.lock(target)))?.value,
  };
}

const REJECTED: WorkflowRunAnswer = { state: 'completed', conclusion: 'failure' };

describe('a new run finding its target locked by a run opened in GitHub Actions', () => {
  it('closes the holder ABORTED when its workflow run attempt ended, records who superseded it, and proceeds', async () => {
    const { runs, logger, lock } = fixture();
    const old = await runs.createRun(input(workflowRun('100')));
    const gh = github({ '100#1': REJECTED });
    const next = await runs.createRun(input(workflowRun('200')), { liveness: gh.liveness });
    expect(gh.asked).toEqual(['100#1']);
    expect(await lock()).toMatchObject({ runId: next.runId, workflowRun: workflowRun('200') });
    const closed = (await runs.getRun(old.runId)) as RunRecord;
    expect(closed).toMatchObject({
      status: 'ABORTED',
      error: {
        kind: 'ABORTED',
        message: `its workflow run ended without closing it (https://github.com/acme/orders/actions/runs/100: completed, conclusion failure); superseded by run ${next.runId}`,
      },
      supersededBy: { runId: next.runId, workflowRunUrl: workflowRun('200').url },
    });
    expect(closed.tasks.map((t) => t.status)).toEqual(['ABORTED']);
    expect(logger.messages('warning')).toEqual([
      expect.stringContaining(`It is now ABORTED, superseded by this run ${next.runId}`),
    ]);
  });

  it('keeps the lock of a holder whose workflow run still waits (an approval), and says so', async () => {
    const { runs, store, lock } = fixture();
    const old = await runs.createRun(input(workflowRun('100')));
    const gh = github({ '100#1': { state: 'running', status: 'waiting' } });
    const error = await runs
      .createRun(input(workflowRun('200')), { liveness: gh.liveness })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunBlockedError);
    expect((error as RunBlockedError).retryable).toBe(true);
    expect((error as Error).message).toContain(
      'It keeps the lock: its workflow run https://github.com/acme/orders/actions/runs/100 is still waiting (for an environment approval or a wait timer).',
    );
    expect((error as Error).message).toContain(`deploy-engine cancel ${old.runId}@iac:sa-east-1`);
    expect((await lock())?.runId).toBe(old.runId);
    expect((await runs.getRun(old.runId))?.status).toBe('RUNNING');
    expect((await store.list('runs/')).length).toBe(1);
  });

  it('keeps the lock when GitHub gives no answer, saying why and what to do', async () => {
    const { runs, lock } = fixture();
    const old = await runs.createRun(input(workflowRun('100')));
    const gh = github({
      '100#1': {
        state: 'unknown',
        reason: 'the job token may not read workflow runs (403 Forbidden)',
        hint: 'Give the job `permissions: actions: read`.',
        retryable: false,
      },
    });
    const error = (await runs
      .createRun(input(workflowRun('200')), { liveness: gh.liveness })
      .catch((e: unknown) => e)) as RunBlockedError;
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(
      'whether its workflow run (https://github.com/acme/orders/actions/runs/100) ended could not be checked: the job token may not read workflow runs (403 Forbidden). Give the job `permissions: actions: read`. Or, if that workflow run is over, cancel it: run the cancel-run action with RUN_ID',
    );
    expect((await lock())?.runId).toBe(old.runId);
  });

  it('never takes over a GitHub holder without a way to ask GitHub (outside GitHub Actions), even after the lease', async () => {
    const { runs, at } = fixture();
    await runs.createRun(input(workflowRun('100')));
    at('2026-12-22T10:00:00Z');
    await expect(runs.createRun(input())).rejects.toThrow(
      /only a step running in GitHub Actions asks GitHub whether that run ended. Run this from GitHub Actions, or, if that workflow run is over, cancel it/,
    );
  });

  it('asks about the attempt of the step executing the holder, not the attempt that opened it', async () => {
    const { runs } = fixture();
    const old = await runs.createRun(input(workflowRun('100')));
    // "Re-run failed jobs": attempt 2 of the same workflow run executes it; attempt 1 is over.
    await runs.claimRun(old.runId, {
      id: 'x',
      description: 'job deploy of attempt 2',
      claimedAt: '2026-11-22T10:00:00Z',
      workflowRun: workflowRun('100', 2),
    });
    const gh = github({ '100#1': REJECTED, '100#2': { state: 'running', status: 'in_progress' } });
    await expect(
      runs.createRun(input(workflowRun('200')), { liveness: gh.liveness }),
    ).rejects.toThrow(
      /the workflow run executing it \(job deploy of attempt 2\) .* is still in_progress/,
    );
    expect(gh.asked).toEqual(['100#2']);
  });

  it('lets exactly one of two new runs racing for a dead holder win; the other is refused naming it', async () => {
    const { store, logger } = fixture();
    const clock = () => new Date('2026-11-22T10:00:00Z');
    const [a, b, c] = [1, 2, 3].map(() => new RunStore(store, logger, { now: clock })) as [
      RunStore,
      RunStore,
      RunStore,
    ];
    const old = await a.createRun(input(workflowRun('100')));
    // Both ask GitHub before either writes: each has read the same lock.
    let arrived = 0;
    let release: () => void = () => undefined;
    const both = new Promise<void>((done) => (release = done));
    const liveness: WorkflowRunLiveness = {
      check: async (run) => {
        if (run.runId !== '100') return { state: 'running', status: 'in_progress' };
        if (++arrived === 2) release();
        await both;
        return REJECTED;
      },
    };
    const results = await Promise.allSettled([
      b.createRun(input(workflowRun('200')), { liveness }),
      c.createRun(input(workflowRun('300')), { liveness }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect([won.length, lost.length]).toEqual([1, 1]);
    const winner = (won[0] as PromiseFulfilledResult<RunRecord>).value;
    expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(RunBlockedError);
    expect(((lost[0] as PromiseRejectedResult).reason as Error).message).toContain(
      `run ${winner.runId}`,
    );
    expect((await store.getJson<RunLock>(keys.lock(target)))?.value.runId).toBe(winner.runId);
    expect((await a.getRun(old.runId))?.supersededBy?.runId).toBe(winner.runId);
    // The loser left nothing behind: the old run and the winner remain.
    // (The old run's objects: its record and the task objects its close marked ABORTED.)
    expect(new Set((await store.list('runs/')).map((k) => k.split('/')[1])).size).toBe(2);
  });
});

describe('a new run finding its target locked by a run opened outside GitHub Actions', () => {
  it('keeps the lock while the executing step beats, takes it once the step is silent too long', async () => {
    const { runs, store, at } = fixture();
    const old = await runs.createRun(input());
    at('2026-11-22T11:00:00Z');
    const claimed = await claimRunForTasks(
      { runs, logger: new MemoryLogger() },
      { runId: old.runId, tasks: old.tasks },
    );
    if ('done' in claimed) throw new Error('not claimed');
    const beat = runs.startHeartbeat(old.runId, claimed.executor.id);
    await beat.stop();
    expect((await store.getJson(keys.heartbeat(old.runId)))?.value).toMatchObject({
      executorId: claimed.executor.id,
      at: '2026-11-22T11:00:00.000Z',
      silenceMs: 300000,
    });
    at('2026-11-22T11:04:00Z');
    await expect(runs.createRun(input())).rejects.toThrow(
      /sent its last heartbeat at 2026-11-22T11:00:00.000Z \(4 min ago\); a step executing a run sends one every 30 s; silent for more than 5 min, it is gone/,
    );
    at('2026-11-22T11:06:00Z');
    const next = await runs.createRun(input());
    expect(await runs.getRun(old.runId)).toMatchObject({
      status: 'ABORTED',
      supersededBy: { runId: next.runId },
      error: { message: expect.stringContaining('and never closed it') },
    });
  });

  it("a new run's own lease never shortens the holder's", async () => {
    const { runs, at } = fixture();
    await runs.createRun(input());
    at('2026-11-22T10:10:00Z');
    await expect(runs.createRun(input(), { leaseMs: 1000 })).rejects.toThrow(
      /its lease of 6 h keeps the lock until 2026-11-22T16:00:00.000Z/,
    );
  });

  it('uses the lease the opener set while no step executes the run', async () => {
    const { runs, at } = fixture();
    await runs.createRun(input(), { leaseMs: 2000 });
    at('2026-11-22T10:00:01Z');
    await expect(runs.createRun(input())).rejects.toThrow(/its lease of 2 s keeps the lock/);
    at('2026-11-22T10:00:03Z');
    await expect(runs.createRun(input())).resolves.toMatchObject({ status: 'RUNNING' });
  });
});

describe('a superseded run', () => {
  it('is never executed or resumed: refused naming the run that superseded it', async () => {
    const { runs } = fixture();
    const old = await runs.createRun(input(workflowRun('100')));
    const next = await runs.createRun(input(workflowRun('200')), {
      liveness: github({ '100#1': REJECTED }).liveness,
    });
    const deps = { runs, logger: new MemoryLogger() };
    const error = await claimRunForTasks(deps, { runId: old.runId, tasks: old.tasks }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SupersededRunError);
    expect((error as Error).message).toContain(
      `Run ${old.runId} was superseded by run ${next.runId} (${next.runId}@iac:sa-east-1, started by https://github.com/acme/orders/actions/runs/200)`,
    );
    await expect(runs.resumeRun(old.runId)).rejects.toBeInstanceOf(SupersededRunError);
  });

  it('is refused while RUNNING when another run holds its lock (the superseding run stopped halfway)', async () => {
    const { runs, store } = fixture();
    const old = await runs.createRun(input());
    const held = await store.getJson<RunLock>(keys.lock(target));
    await store.putJson(
      keys.lock(target),
      { runId: '01NEWER', workflowRunUrl: 'elsewhere', acquiredAt: '2026-11-22T10:00:00Z' },
      { ifMatch: held?.etag as string },
    );
    const error = await claimRunForTasks(
      { runs, logger: new MemoryLogger() },
      { runId: old.runId, tasks: old.tasks },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockLostError);
    expect((error as Error).message).toContain('no longer holds the lock of');
    expect((await runs.getRun(old.runId))?.executor).toBeUndefined();
  });
});
