import type { RunRecord, RunTask } from '../runs';
import type { TaskNode } from '../schedule';
import { parseLockTime } from './pool-leftover-lock';
import { PoolPicker } from './pool-picker';

// a -> b -> c (a chain), a -> d (a leaf)
const graph: TaskNode[] = [
  { id: 'a', after: [] },
  { id: 'd', after: ['a'] },
  { id: 'b', after: ['a'] },
  { id: 'c', after: ['b'] },
];

function run(states: Record<string, Partial<RunTask>>): RunRecord {
  return {
    runId: 'r',
    status: 'RUNNING',
    tasks: graph.map((n) => ({
      runTaskId: n.id,
      taskType: 'DEPLOY_SELF_HOSTED',
      pluginAppliedAlias: n.id,
      status: 'READY_TO_RUN',
      ...states[n.id],
    })),
  } as unknown as RunRecord;
}

describe('PoolPicker', () => {
  const picker = new PoolPicker(graph);

  it('offers only tasks whose waits SUCCEEDED, wherever they ran, the longest chain first', () => {
    expect(picker.view(run({}), new Set(), 'me').ready).toEqual(['a']);
    const view = picker.view(run({ a: { status: 'SUCCEEDED', worker: 'other' } }), new Set(), 'me');
    expect(view.ready).toEqual(['b', 'd']);
    expect(view.allSucceeded).toBe(false);
  });

  it("never offers its own running tasks; another worker's RUNNING task is only held elsewhere", () => {
    const states = {
      a: { status: 'SUCCEEDED' as const },
      b: { status: 'RUNNING' as const, worker: 'other' },
      d: { status: 'RUNNING' as const, worker: 'me' },
    };
    const view = picker.view(run(states), new Set(['d']), 'me');
    expect(view.ready).toEqual([]);
    expect(view.heldElsewhere).toEqual(['b']);
  });

  it('says when every task SUCCEEDED, and when one failed anywhere', () => {
    const done = Object.fromEntries(graph.map((n) => [n.id, { status: 'SUCCEEDED' as const }]));
    expect(picker.view(run(done), new Set(), 'me').allSucceeded).toBe(true);
    const failed = picker.view(
      run({ a: { status: 'SUCCEEDED' }, d: { status: 'FAILED' } }),
      new Set(),
      'me',
    );
    expect(failed.failed).toEqual({ runTaskId: 'd', status: 'FAILED' });
  });
});

describe('parseLockTime', () => {
  it("reads Terraform's RFC 3339 time with nanoseconds, and nothing else", () => {
    expect(parseLockTime('2026-12-04T13:50:00.123456789Z')).toBe(
      Date.parse('2026-12-04T13:50:00.123Z'),
    );
    expect(parseLockTime('not a time')).toBeUndefined();
    expect(parseLockTime(undefined)).toBeUndefined();
  });
});
