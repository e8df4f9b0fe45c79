import { MemoryLogger } from '../logging';
import { MemoryObjectStore } from '../store';
import { keys } from '../bucket-layout';
import type { CreateRunInput } from './run-open';
import { RunStore } from './run-store';
import type { StoredTask } from './task-objects';

const input: CreateRunInput = {
  type: 'DEPLOY',
  target: { workspace: 'shop', environment: 'prod', appKind: 'app', appId: 'A', appName: 'a' },
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

function fixture() {
  const store = new MemoryObjectStore('iac');
  return { store, runs: new RunStore(store, new MemoryLogger()) };
}

async function taskObject(store: MemoryObjectStore, runId: string, runTaskId: string) {
  return (await store.getJson<StoredTask>(keys.task(runId, runTaskId)))?.value;
}

describe('task objects', () => {
  it('the close marks every unfinished task ABORTED (started or not), keeps finished ones, and folds them into the record', async () => {
    const { store, runs } = fixture();
    const run = await runs.createRun(input);
    const [a, b, c] = run.tasks.map((t) => t.runTaskId) as [string, string, string];
    await runs.startTask(run.runId, a);
    await runs.finishTask(run.runId, a, 'SUCCEEDED');
    await runs.startTask(run.runId, b);
    // A step elsewhere read the run while it was RUNNING, and still has that copy.
    const elsewhere = new RunStore(store, new MemoryLogger());
    expect((await elsewhere.getRun(run.runId))?.status).toBe('RUNNING');
    const closed = await runs.finishRun(run.runId, 'RUNTIME_ERROR', {
      kind: 'RUNTIME_ERROR',
      message: 'boom',
    });
    expect(closed.tasks.map((t) => t.status)).toEqual(['SUCCEEDED', 'ABORTED', 'ABORTED']);
    const stored = await store.getJson<{ tasks: { status: string }[] }>(keys.run(run.runId));
    expect(stored?.value.tasks.map((t) => t.status)).toEqual(['SUCCEEDED', 'ABORTED', 'ABORTED']);
    expect(await taskObject(store, run.runId, a)).toEqual(
      expect.objectContaining({ status: 'SUCCEEDED' }),
    );
    for (const id of [b, c])
      expect(await taskObject(store, run.runId, id)).toEqual(
        expect.objectContaining({ status: 'ABORTED', runEnded: 'RUNTIME_ERROR' }),
      );
    // It can neither start nor finish a task: the marks refuse its conditional writes.
    await expect(elsewhere.startTask(run.runId, c)).rejects.toThrow(
      /cannot start: run .* is RUNTIME_ERROR/,
    );
    await expect(elsewhere.finishTask(run.runId, b, 'SUCCEEDED')).rejects.toThrow(
      /cannot go from ABORTED to SUCCEEDED/,
    );
    expect(await elsewhere.claimTask(run.runId, c, 'W1')).toEqual({
      claimed: false,
      why: 'run-finished',
    });
  });

  it('a resumed run ignores the objects of the earlier attempt and overwrites them', async () => {
    const { store, runs } = fixture();
    const run = await runs.createRun(input);
    const [a, b] = run.tasks.map((t) => t.runTaskId) as [string, string];
    await runs.startTask(run.runId, a);
    await runs.finishTask(run.runId, a, 'SUCCEEDED');
    await runs.startTask(run.runId, b);
    await runs.finishTask(run.runId, b, 'FAILED', { kind: 'USER_ERROR', message: 'boom' });
    await runs.finishRun(run.runId, 'USER_ERROR', { kind: 'USER_ERROR', message: 'boom' });
    // Another process resumes it: the FAILED object of attempt 0 no longer counts.
    const other = new RunStore(store, new MemoryLogger());
    const resumed = await other.resumeRun(run.runId);
    expect(resumed.tasks.map((t) => t.status)).toEqual(['SUCCEEDED', 'PENDING', 'PENDING']);
    expect((await other.getRun(run.runId))?.tasks[1]).toEqual(
      expect.not.objectContaining({ error: expect.anything() }),
    );
    await other.startTask(run.runId, b);
    expect(await taskObject(store, run.runId, b)).toEqual(
      expect.objectContaining({ status: 'RUNNING', runAttempt: 1, attempt: 1 }),
    );
    await other.finishTask(run.runId, b, 'SUCCEEDED');
    expect((await runs.getRun(run.runId))?.tasks.map((t) => t.status)).toEqual([
      'SUCCEEDED',
      'SUCCEEDED',
      'PENDING',
    ]);
  });
});
