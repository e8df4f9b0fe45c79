import { MemoryLogger } from '../logging';
import { MemoryObjectStore, PreconditionFailedError, type ObjectStore } from '../store';
import type { DeploymentTarget } from '../target';
import { parseRunRef, formatRunRef } from './run-ref';
import { RunBlockedError } from './run-locks';
import type { CreateRunInput } from './run-open';
import { RunStore } from './run-store';
import type { RunTask } from './run-record';
import { InvalidTransitionError } from './transitions';

/** `memory` with its JSON writes replaced (a store failing or answering as a test needs). */
function withPutJson(memory: MemoryObjectStore, putJson: ObjectStore['putJson']): ObjectStore {
  return {
    bucket: memory.bucket,
    getJson: (k) => memory.getJson(k),
    list: (p) => memory.list(p),
    delete: (k, c) => memory.delete(k, c),
    getBytes: (k) => memory.getBytes(k),
    putBytes: (k, b, t) => memory.putBytes(k, b, t),
    putJson,
  };
}

const target: DeploymentTarget = {
  workspace: 'shop',
  environment: 'prod',
  appKind: 'app',
  appId: 'APP1',
  appName: 'orders',
};

function input(overrides: Partial<CreateRunInput> = {}): CreateRunInput {
  return {
    type: 'DEPLOY',
    target,
    version: 'v1',
    workflowRunUrl: 'https://github.com/acme/orders/actions/runs/1',
    tfstate: { bucket: 'tf', region: 'us-east-1' },
    manifestDigest: 'abc',
    tasks: [
      { taskType: 'IAC_SELF_HOSTED', pluginAppliedAlias: 'topic' },
      { taskType: 'DEPLOY_SELF_HOSTED', pluginAppliedAlias: 'topic' },
    ],
    ...overrides,
  };
}

function fixture(now = () => new Date('2026-11-22T10:00:00Z')) {
  const store = new MemoryObjectStore('iac');
  const logger = new MemoryLogger();
  return {
    store,
    logger,
    runs: new RunStore(store, logger, { now, leaseMs: 60 * 60 * 1000, region: 'sa-east-1' }),
  };
}

describe('RunStore.resumeRun (a re-run of the failed job)', () => {
  async function failedRun(runs: RunStore) {
    const run = await runs.createRun(input());
    const [iac, deploy] = run.tasks.map((t) => t.runTaskId) as [string, string];
    await runs.startTask(run.runId, iac);
    await runs.finishTask(run.runId, iac, 'SUCCEEDED');
    await runs.startTask(run.runId, deploy);
    await runs.finishTask(run.runId, deploy, 'FAILED', { kind: 'USER_ERROR', message: 'boom' });
    await runs.finishRun(run.runId, 'USER_ERROR', { kind: 'USER_ERROR', message: 'boom' });
    return run;
  }

  it('opens a failed run again: lock taken, unfinished tasks PENDING, the attempt kept', async () => {
    const { runs, store } = fixture();
    const run = await failedRun(runs);
    expect(await store.list('locks/')).toEqual([]);
    const resumed = await runs.resumeRun(run.runId);
    expect(resumed.status).toBe('RUNNING');
    expect(resumed.finishedAt).toBeUndefined();
    expect(resumed.tasks.map((t) => t.status)).toEqual(['SUCCEEDED', 'PENDING']);
    expect(resumed.tasks[1]?.error).toBeUndefined();
    expect(resumed.attempts).toEqual([
      expect.objectContaining({
        status: 'USER_ERROR',
        error: { kind: 'USER_ERROR', message: 'boom' },
        tasks: [expect.objectContaining({ status: 'FAILED' })],
      }),
    ]);
    expect(await store.list('locks/')).toHaveLength(1);
    // A second run is refused while the resumed one runs.
    await expect(runs.createRun(input())).rejects.toBeInstanceOf(RunBlockedError);
  });

  it('refuses a cancelled run and says a new run is needed', async () => {
    const { runs } = fixture();
    const run = await runs.createRun(input());
    await runs.cancelRun(run.runId);
    await expect(runs.resumeRun(run.runId)).rejects.toThrow(
      /ended ABORTED.*only a run that failed can be resumed[\s\S]*never resumed[\s\S]*Re-run all jobs/,
    );
  });

  it('refuses when another run of the target started since, naming it, and holds no lock', async () => {
    const { runs, store } = fixture();
    const run = await failedRun(runs);
    const later = await runs.createRun(input());
    await runs.finishRun(later.runId, 'ABORTED');
    await expect(runs.resumeRun(run.runId)).rejects.toThrow(
      new RegExp(`cannot be resumed: 1 other run\\(s\\).*${later.runId}`),
    );
    expect(await store.list('locks/')).toEqual([]);
    expect((await runs.getRun(run.runId))?.status).toBe('USER_ERROR');
  });

  it('a blocked run leaves no marker behind, so it does not prevent a resume', async () => {
    const { runs } = fixture();
    const run = await failedRun(runs);
    const other = await runs.createRun(input({ target: { ...target, appId: 'OTHER' } }));
    expect(other.status).toBe('RUNNING');
    const holder = await runs.createRun(input());
    await expect(runs.createRun(input())).rejects.toBeInstanceOf(RunBlockedError);
    await runs.finishRun(holder.runId, 'ABORTED');
    // The holder did run since: refused. The blocked attempt alone would not have been.
    await expect(runs.resumeRun(run.runId)).rejects.toThrow(/1 other run/);
  });
});

describe('RunStore', () => {
  it('records 40 task transitions made at once without losing one or giving up', async () => {
    const { runs } = fixture();
    const tasks = Array.from({ length: 40 }, (_, i) => ({
      taskType: 'DEPLOY_SELF_HOSTED' as const,
      pluginAppliedAlias: `p${i}`,
    }));
    const run = await runs.createRun(input({ tasks }));
    await Promise.all(
      run.tasks.map(async (t) => {
        await runs.startTask(run.runId, t.runTaskId);
        await runs.finishTask(run.runId, t.runTaskId, 'SUCCEEDED');
      }),
    );
    const after = await runs.getRun(run.runId);
    expect(after?.tasks.every((t) => t.status === 'SUCCEEDED')).toBe(true);
  });

  it('updates a run from the record it last wrote: one write per transition, no read', async () => {
    const memory = new MemoryObjectStore('iac');
    const reads: string[] = [];
    const counting: ObjectStore = {
      ...withPutJson(memory, (k, v, c) => memory.putJson(k, v, c)),
      getJson: (k) => {
        reads.push(k);
        return memory.getJson(k);
      },
    };
    const runs = new RunStore(counting, new MemoryLogger());
    const run = await runs.createRun(input());
    reads.length = 0;
    for (const task of run.tasks) {
      await runs.startTask(run.runId, task.runTaskId);
      await runs.finishTask(run.runId, task.runTaskId, 'SUCCEEDED');
    }
    expect(reads.filter((k) => k.startsWith('runs/'))).toEqual([]);
    expect((await runs.getRun(run.runId))?.tasks.map((t) => t.status)).toEqual([
      'SUCCEEDED',
      'SUCCEEDED',
    ]);
  });

  it('a cancel written by another process is seen: the stale copy in memory decides nothing', async () => {
    const { store, logger, runs } = fixture();
    const run = await runs.createRun(input());
    const [iac, deploy] = run.tasks as unknown as [{ runTaskId: string }, { runTaskId: string }];
    await runs.startTask(run.runId, iac.runTaskId);
    const elsewhere = new RunStore(store, logger);
    expect((await elsewhere.cancelRun(run.runId)).outcome).toBe('cancelled');
    // A write from the stale copy is refused by If-Match; decided again on the record as it is.
    await expect(runs.startTask(run.runId, deploy.runTaskId)).rejects.toThrow(
      /cannot start: run .* is ABORTED/,
    );
    // Closing again changes nothing, though the copy in memory still says RUNNING.
    expect((await runs.finishRun(run.runId, 'SUCCEEDED')).status).toBe('ABORTED');
  });

  it('opens a run with PENDING tasks and ULID ids, and takes the lock', async () => {
    const { runs, store } = fixture();
    const run = await runs.createRun(input());
    expect(run.runId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(run.tasks.map((t) => t.status)).toEqual(['PENDING', 'PENDING']);
    expect(new Set(run.tasks.map((t) => t.runTaskId)).size).toBe(2);
    expect(await store.list('locks/')).toEqual(['locks/shop/prod/app/APP1.json']);
    expect(await runs.getRun(run.runId)).toEqual(run);
  });

  it('refuses a second run while one is RUNNING, naming the holder and how to cancel it', async () => {
    const { runs, store } = fixture();
    const first = await runs.createRun(input());
    const error = await runs.createRun(input({ version: 'v2' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunBlockedError);
    expect((error as Error).message).toContain(
      `run ${first.runId} (RUNNING since 2026-11-22T10:00:00.000Z`,
    );
    expect((error as Error).message).toContain('https://github.com/acme/orders/actions/runs/1');
    expect((error as Error).message).toContain(`RUN_ID ${first.runId}@iac:sa-east-1`);
    // The refused run left nothing behind.
    expect((await store.list('runs/')).length).toBe(1);
  });

  it('never lets a lock of a finished run stand in the way', async () => {
    const { runs } = fixture();
    const first = await runs.createRun(input());
    await runs.finishRun(first.runId, 'ABORTED');
    const second = await runs.createRun(input({ version: 'v2' }));
    expect(second.status).toBe('RUNNING');
  });

  it('takes over a lock whose lease ran out (a run opened outside GitHub), and says so', async () => {
    let clock = new Date('2026-11-22T10:00:00Z');
    const { runs, logger } = fixture(() => clock);
    const first = await runs.createRun(input());
    clock = new Date('2026-11-22T10:59:00Z');
    await expect(runs.createRun(input())).rejects.toThrow(
      /its lease of 1 h keeps the lock until 2026-11-22T11:00:00.000Z/,
    );
    clock = new Date('2026-11-22T12:00:00Z');
    const taken = await runs.createRun(input());
    expect(taken.status).toBe('RUNNING');
    expect(await runs.getRun(first.runId)).toMatchObject({
      status: 'ABORTED',
      supersededBy: { runId: taken.runId },
    });
    expect(logger.messages('warning')).toEqual([
      expect.stringMatching(/its lease ended without it being closed.*superseded by this run/),
    ]);
  });

  it('records task transitions and refuses invalid ones', async () => {
    const { runs } = fixture();
    const run = await runs.createRun(input());
    const [iac, deploy] = run.tasks as unknown as [{ runTaskId: string }, { runTaskId: string }];
    await runs.startTask(run.runId, iac.runTaskId);
    await expect(runs.startTask(run.runId, iac.runTaskId)).rejects.toThrow(InvalidTransitionError);
    const after = await runs.finishTask(run.runId, iac.runTaskId, 'SUCCEEDED');
    expect(after.tasks[0]).toMatchObject({
      status: 'SUCCEEDED',
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
    });
    await expect(runs.finishTask(run.runId, deploy.runTaskId, 'SUCCEEDED')).rejects.toThrow(
      /cannot go from PENDING to SUCCEEDED/,
    );
    await runs.finishRun(run.runId, 'USER_ERROR', { kind: 'USER_ERROR', message: 'bad' });
    await expect(runs.startTask(run.runId, deploy.runTaskId)).rejects.toThrow(
      /cannot start: run .* is USER_ERROR/,
    );
  });

  it('finishing aborts unfinished tasks, releases the lock, and is idempotent', async () => {
    const { runs, store } = fixture();
    const run = await runs.createRun(input());
    const closed = await runs.finishRun(run.runId, 'RUNTIME_ERROR', {
      kind: 'RUNTIME_ERROR',
      message: 's3 down',
    });
    expect(closed.tasks.map((t) => t.status)).toEqual(['ABORTED', 'ABORTED']);
    expect(await store.list('locks/')).toEqual([]);
    const again = await runs.finishRun(run.runId, 'SUCCEEDED');
    expect(again.status).toBe('RUNTIME_ERROR');
  });

  it('cancels running runs once, and reports unknown and finished ones', async () => {
    const { runs } = fixture();
    expect((await runs.cancelRun('01J9V6MWFTWQ392331QBCS46KQ')).outcome).toBe('not-found');
    const run = await runs.createRun(input());
    await runs.startTask(run.runId, run.tasks[0]?.runTaskId as string);
    const [a, b] = await Promise.all([runs.cancelRun(run.runId), runs.cancelRun(run.runId)]);
    expect([a.outcome, b.outcome].sort()).toEqual(['already-finished', 'cancelled']);
    const cancelled = a.outcome === 'cancelled' ? a : b;
    expect(cancelled.aborted.map((t) => t.taskType)).toEqual([
      'IAC_SELF_HOSTED',
      'DEPLOY_SELF_HOSTED',
    ]);
    expect((await runs.cancelRun(run.runId)).outcome).toBe('already-finished');
  });

  it('refuses to cancel a run with a RUNNING task when force is off', async () => {
    const { runs } = fixture();
    const run = await runs.createRun(input());
    await runs.startTask(run.runId, run.tasks[0]?.runTaskId as string);
    await expect(runs.cancelRun(run.runId, { force: false })).rejects.toThrow(
      /still RUNNING \(IAC_SELF_HOSTED topic\); FORCE_CANCEL is false/,
    );
  });

  it('leaves no record and no lock when the lock write fails', async () => {
    const memory = new MemoryObjectStore('iac');
    const failing = withPutJson(memory, async (k, v, c) => {
      if (k.startsWith('locks/')) throw new Error('S3 went away');
      return memory.putJson(k, v, c);
    });
    const runs = new RunStore(failing, new MemoryLogger());
    await expect(runs.createRun(input())).rejects.toThrow('S3 went away');
    expect(await memory.list('')).toEqual([]);
  });
});

describe('RunStore.claimRun: the tasks a step executes', () => {
  it('go READY_TO_RUN in the write that claims the run; the others stay PENDING', async () => {
    const { store, runs } = fixture();
    let writes = 0;
    const counting = new RunStore(
      withPutJson(store, (k, v, c) => {
        writes++;
        return store.putJson(k, v, c);
      }),
      new MemoryLogger(),
      { region: 'sa-east-1' },
    );
    const run = await runs.createRun(input());
    const [iac, deploy] = run.tasks as [RunTask, RunTask];
    const executor = { id: 'step', description: 'a step', claimedAt: '2026-11-22T10:00:00Z' };
    const claimed = await counting.claimRun(run.runId, executor, [iac.runTaskId]);
    expect(writes).toBe(1);
    expect(claimed.tasks.map((t) => t.status)).toEqual(['READY_TO_RUN', 'PENDING']);
    await counting.startTask(run.runId, iac.runTaskId);
    // Closed before it started: a READY_TO_RUN task ends ABORTED like a PENDING one.
    const closed = await counting.finishRun(run.runId, 'ABORTED');
    expect(closed.tasks.find((t) => t.runTaskId === deploy.runTaskId)?.status).toBe('ABORTED');
  });
});

describe('writes whose answer was lost', () => {
  /**
   * Each conditional write is applied, then answered as S3 answers the store's retry after a
   * timeout: "precondition failed", since the first attempt changed the object.
   */
  function losingAnswers(memory: MemoryObjectStore): ObjectStore {
    return withPutJson(memory, async (k, v, c) => {
      await memory.putJson(k, v, c);
      if (c) throw new PreconditionFailedError(k);
      return 'etag';
    });
  }

  it('opens, updates and closes a run as if every answer had arrived', async () => {
    const memory = new MemoryObjectStore('iac');
    const runs = new RunStore(losingAnswers(memory), new MemoryLogger());
    const run = await runs.createRun(input());
    const task = run.tasks[0]?.runTaskId as string;
    await runs.startTask(run.runId, task);
    await runs.finishTask(run.runId, task, 'SUCCEEDED');
    const closed = await runs.finishRun(run.runId, 'USER_ERROR');
    expect(closed.status).toBe('USER_ERROR');
    expect(closed.tasks.map((t) => t.status)).toEqual(['SUCCEEDED', 'ABORTED']);
    expect((await memory.list('locks/')).length).toBe(0);
  });
});

describe('run references', () => {
  it('round-trip, with the region only when it is not us-east-1', () => {
    const id = '01J9V6MWFTWQ392331QBCS46KQ';
    expect(formatRunRef({ runId: id, bucket: 'acme-iac', region: 'us-east-1' })).toBe(
      `${id}@acme-iac`,
    );
    expect(formatRunRef({ runId: id, bucket: 'acme-iac', region: 'sa-east-1' })).toBe(
      `${id}@acme-iac:sa-east-1`,
    );
    expect(parseRunRef(`${id}@acme-iac:sa-east-1`)).toEqual({
      runId: id,
      bucket: 'acme-iac',
      region: 'sa-east-1',
    });
    expect(parseRunRef(`${id}@acme-iac`)).toEqual({
      runId: id,
      bucket: 'acme-iac',
      region: 'us-east-1',
    });
  });

  it.each([
    '',
    'r',
    '01J9V6MWFTWQ392331QBCS46KQ',
    'not-a-ulid@bucket',
    '01J9V6MWFTWQ392331QBCS46KQ@Bad_Bucket',
    '01J9V6MWFTWQ392331QBCS46KQ@b-b:mars',
  ])('refuses %j, naming RUN_ID and the expected form', (text) => {
    expect(() => parseRunRef(text)).toThrow(
      /RUN_ID '.*' is not a run id of this engine\. Expected <ULID>@<iac-bucket>\[:<region>\]/,
    );
  });
});
