/**
 * What run state costs in requests and bytes: a task transition writes O(1) bytes whatever the
 * number of tasks, and reading a running run is a bounded number of requests (issue 22).
 */
import { MemoryLogger } from '../logging';
import { MemoryObjectStore, type ObjectStore } from '../store';
import type { DeploymentTarget } from '../target';
import { RunStore } from './run-store';

interface Request {
  op: 'get' | 'put' | 'list' | 'listFolders' | 'delete';
  key: string;
  bytes: number;
}

/** `memory` with every request recorded (a PUT with the bytes it wrote). */
function counting(memory: MemoryObjectStore) {
  const requests: Request[] = [];
  const store: ObjectStore = {
    bucket: memory.bucket,
    getJson: (key) => {
      requests.push({ op: 'get', key, bytes: 0 });
      return memory.getJson(key);
    },
    putJson: (key, value, condition) => {
      requests.push({ op: 'put', key, bytes: Buffer.byteLength(JSON.stringify(value)) });
      return memory.putJson(key, value, condition);
    },
    getBytes: (key) => memory.getBytes(key),
    putBytes: (key, body, type) => memory.putBytes(key, body, type),
    delete: (key, condition) => {
      requests.push({ op: 'delete', key, bytes: 0 });
      return memory.delete(key, condition);
    },
    list: (prefix) => {
      requests.push({ op: 'list', key: prefix, bytes: 0 });
      return memory.list(prefix);
    },
    listTagged: (prefix) => {
      requests.push({ op: 'list', key: prefix, bytes: 0 });
      return memory.listTagged(prefix);
    },
    listFolders: (prefix) => {
      requests.push({ op: 'listFolders', key: prefix, bytes: 0 });
      return memory.listFolders(prefix);
    },
  };
  return { store, requests };
}

const target = (appId: string): DeploymentTarget => ({
  workspace: 'shop',
  environment: 'prod',
  appKind: 'app',
  appId,
  appName: appId,
});

async function runOf(tasks: number, appId = 'APP') {
  const memory = new MemoryObjectStore('iac');
  const { store, requests } = counting(memory);
  const runs = new RunStore(store, new MemoryLogger());
  const run = await runs.createRun({
    type: 'DEPLOY',
    target: target(appId),
    version: 'v1',
    workflowRunUrl: 'https://github.com/acme/orders/actions/runs/1',
    tfstate: { bucket: 'tf', region: 'us-east-1' },
    manifestDigest: 'd'.repeat(64),
    tasks: Array.from({ length: tasks }, (_, i) => ({
      taskType: 'IAC_SELF_HOSTED' as const,
      pluginAppliedAlias: `plugin-${String(i).padStart(3, '0')}`,
    })),
  });
  const ids = run.tasks.map((t) => t.runTaskId);
  await runs.claimRun(run.runId, { id: 'E', description: 'job', claimedAt: 'now' }, ids);
  requests.length = 0;
  return { memory, store, runs, run, ids, requests };
}

/** The requests made by `action`, and the bytes its PUTs wrote. */
async function measure(requests: Request[], action: () => Promise<unknown>) {
  const from = requests.length;
  await action();
  const made = requests.slice(from);
  return {
    made: made.map((r) => `${r.op} ${r.key.replace(/runs\/\w+\//, 'runs/<run>/')}`),
    bytes: made.reduce((sum, r) => sum + r.bytes, 0),
  };
}

describe('the cost of run state', () => {
  it('a task transition writes the same bytes with 10 tasks as with 200, one PUT each', async () => {
    const small = await runOf(10);
    const large = await runOf(200);
    const transitions = async (f: typeof small) => {
      const id = f.ids[3] as string;
      return {
        start: await measure(f.requests, () => f.runs.startTask(f.run.runId, id)),
        finish: await measure(f.requests, () => f.runs.finishTask(f.run.runId, id, 'SUCCEEDED')),
      };
    };
    const [a, b] = [await transitions(small), await transitions(large)];
    for (const t of [a, b]) {
      expect(t.start.made).toEqual([expect.stringMatching(/^put runs\/<run>\/tasks\/\w+\.json$/)]);
      expect(t.finish.made).toEqual([expect.stringMatching(/^put runs\/<run>\/tasks\/\w+\.json$/)]);
      expect(t.start.bytes + t.finish.bytes).toBeLessThan(1000);
    }
    expect(b.start.bytes).toBe(a.start.bytes);
    expect(b.finish.bytes).toBe(a.finish.bytes);
    // What every transition wrote before (the whole record), for comparison: it grows with N.
    const recordBytes = async (f: typeof small) =>
      Buffer.byteLength(JSON.stringify(await f.runs.getRecord(f.run.runId)));
    expect(await recordBytes(large)).toBeGreaterThan(10 * (await recordBytes(small)));
  });

  it('a worker of a pool claims and finishes a task with one PUT each (after one read of the record)', async () => {
    const f = await runOf(50);
    const other = new RunStore(f.store, new MemoryLogger());
    const [first, second] = f.ids as [string, string];
    const claim = await measure(f.requests, () => other.claimTask(f.run.runId, first, 'W1'));
    expect(claim.made).toEqual([
      'get runs/<run>/record.json',
      expect.stringMatching(/^put runs\/<run>\/tasks\//),
    ]);
    const next = await measure(f.requests, () => other.claimTask(f.run.runId, second, 'W1'));
    expect(next.made).toEqual([expect.stringMatching(/^put runs\/<run>\/tasks\//)]);
    const finish = await measure(f.requests, () =>
      other.finishTask(f.run.runId, first, 'SUCCEEDED', undefined, { workerId: 'W1' }),
    );
    expect(finish.made).toEqual([expect.stringMatching(/^put runs\/<run>\/tasks\//)]);
  });

  it('reads a running run in 1 GET + 1 LIST + a GET per task object that changed; a finished one in 1 GET', async () => {
    const f = await runOf(200);
    for (const id of f.ids.slice(0, 20)) await f.runs.startTask(f.run.runId, id);
    const reader = new RunStore(f.store, new MemoryLogger());
    const first = await measure(f.requests, () => reader.getRun(f.run.runId));
    expect(first.made.filter((r) => r.startsWith('get runs/<run>/tasks/'))).toHaveLength(20);
    expect(first.made.length).toBe(22);
    const again = await measure(f.requests, () => reader.getRun(f.run.runId));
    expect(again.made).toEqual(['get runs/<run>/record.json', 'list runs/<run>/tasks/']);
    await f.runs.finishTask(f.run.runId, f.ids[0] as string, 'SUCCEEDED');
    const changed = await measure(f.requests, () => reader.getRun(f.run.runId));
    expect(changed.made).toEqual([
      'get runs/<run>/record.json',
      'list runs/<run>/tasks/',
      `get runs/<run>/tasks/${f.ids[0]}.json`,
    ]);
    const run = await reader.getRun(f.run.runId);
    expect(run?.tasks.map((t) => t.status).slice(0, 21)).toEqual([
      'SUCCEEDED',
      ...Array(19).fill('RUNNING'),
      'READY_TO_RUN',
    ]);
    // The watch's read: the record alone.
    expect((await measure(f.requests, () => reader.getRecord(f.run.runId))).made).toEqual([
      'get runs/<run>/record.json',
    ]);
    await f.runs.finishRun(f.run.runId, 'ABORTED');
    const closed = await measure(f.requests, () => reader.getRun(f.run.runId));
    expect(closed.made).toEqual(['get runs/<run>/record.json']);
    expect((await reader.getRun(f.run.runId))?.tasks.slice(0, 2).map((t) => t.status)).toEqual([
      'SUCCEEDED',
      'ABORTED',
    ]);
  });

  it('lists runs through the markers of the workspace or environment asked for, never under runs/', async () => {
    const f = await runOf(3, 'A');
    const other = await f.runs.createRun({
      type: 'DEPLOY',
      target: { ...target('B'), environment: 'dev' },
      version: 'v1',
      workflowRunUrl: 'u',
      tfstate: { bucket: 'tf', region: 'us-east-1' },
      manifestDigest: 'd',
      tasks: [],
    });
    const dev = await measure(f.requests, () =>
      f.runs.listRuns({ workspace: 'shop', environment: 'dev' }),
    );
    expect(dev.made).toEqual(['list history/shop/dev/', `get runs/<run>/record.json`]);
    expect((await f.runs.listRuns({ workspace: 'shop' })).map((r) => r.runId)).toEqual([
      other.runId,
      f.run.runId,
    ]);
    const all = await measure(f.requests, () => f.runs.listRuns({ environment: 'prod' }));
    expect(all.made.filter((r) => r.startsWith('list'))).toEqual(['list history/']);
  });
});
