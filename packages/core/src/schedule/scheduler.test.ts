import { Scheduler } from './scheduler';
import { taskGraph, type GraphTask, type WaitsOf } from './task-graph';

/**
 * The waits of the graphs below, shaped like the classic mode's (the real ones are each handler's,
 * tested in task-handlers/table.test.ts): DEPLOY after its IAC, IAC after its producers' DEPLOY,
 * DESTROY after every DEPLOY.
 */
const waits: WaitsOf = (task, graph) => {
  const alias = task.pluginAppliedAlias ?? '';
  if (task.taskType === 'DEPLOY') return [graph.find('IAC', alias) ?? ''];
  if (task.taskType === 'IAC')
    return graph.dependsOn(alias).map((producer) => graph.find('DEPLOY', producer) ?? '');
  return graph.tasks.filter((t) => t.taskType === 'DEPLOY').map((t) => t.runTaskId);
};

/** The classic task list of plugins (alias -> producers), removed ones destroyed last. */
function classic(plugins: Record<string, string[]>, removed: Record<string, string[]> = {}) {
  const tasks: GraphTask[] = [];
  for (const alias of Object.keys(plugins)) {
    tasks.push({
      runTaskId: `IAC ${alias}`,
      taskType: 'IAC',
      pluginAppliedAlias: alias,
    });
    tasks.push({
      runTaskId: `DEPLOY ${alias}`,
      taskType: 'DEPLOY',
      pluginAppliedAlias: alias,
    });
  }
  for (const alias of Object.keys(removed))
    tasks.push({
      runTaskId: `DESTROY ${alias}`,
      taskType: 'DESTROY',
      pluginAppliedAlias: alias,
    });
  const dependsOn = new Map(Object.entries({ ...plugins, ...removed }));
  return { tasks, nodes: taskGraph(tasks, dependsOn, waits) };
}

/**
 * Runs the schedule, finishing running tasks in the order `pick` chooses; returns the start order
 * and, per task, the clock tick at which it started and finished.
 */
function simulate(scheduler: Scheduler, pick: (running: string[]) => string) {
  const started: string[] = [];
  const running: string[] = [];
  const startedAt = new Map<string, number>();
  const finishedAt = new Map<string, number>();
  let clock = 0;
  let maxRunning = 0;
  for (let guard = 0; guard < 10000; guard++) {
    for (const id of scheduler.next()) {
      started.push(id);
      running.push(id);
      startedAt.set(id, ++clock);
    }
    maxRunning = Math.max(maxRunning, running.length);
    if (running.length === 0) break;
    const id = pick(running);
    running.splice(running.indexOf(id), 1);
    finishedAt.set(id, ++clock);
    scheduler.finished(id, 'succeeded');
  }
  return { started, maxRunning, startedAt, finishedAt };
}

function seeded(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

describe('Scheduler', () => {
  const diamond = () => classic({ a: [], b: ['a'], c: ['a'], d: ['b', 'c'] }, { gone: [] });

  it('with parallelism 1 is the list order, task by task', () => {
    const { tasks, nodes } = diamond();
    const { started, maxRunning } = simulate(new Scheduler(nodes, 1), (r) => r[0] as string);
    expect(started).toEqual(tasks.map((t) => t.runTaskId));
    expect(maxRunning).toBe(1);
  });

  it('respects every dependency under random completion orders, never above the limit', () => {
    const plugins: Record<string, string[]> = { root: [] };
    for (let i = 0; i < 12; i++) plugins[`p${i}`] = i < 4 ? ['root'] : [`p${i % 4}`];
    const { nodes } = classic(plugins, { x: [], y: ['x'] });
    for (let seed = 1; seed <= 50; seed++) {
      const random = seeded(seed);
      for (const parallelism of [2, 4]) {
        const { started, maxRunning, startedAt, finishedAt } = simulate(
          new Scheduler(nodes, parallelism),
          (running) => running[Math.floor(random() * running.length)] as string,
        );
        expect(started).toHaveLength(nodes.length);
        expect(maxRunning).toBeLessThanOrEqual(parallelism);
        // A task started only after everything it waits for had finished.
        for (const node of nodes)
          for (const before of node.after)
            expect(finishedAt.get(before) as number).toBeLessThan(startedAt.get(node.id) as number);
      }
    }
  });

  it('starts the longest remaining chain first', () => {
    // s is first in the list, but l1 heads the longer chain (l1 -> l2 -> l3).
    const { nodes } = classic({ s: [], l1: [], l2: ['l1'], l3: ['l2'] });
    const scheduler = new Scheduler(nodes, 2);
    expect(scheduler.next()).toEqual(['IAC l1', 'IAC s']);
    scheduler.finished('IAC l1', 'succeeded');
    expect(scheduler.next()).toEqual(['DEPLOY l1']);
  });

  it('after a failure starts nothing new, lets running tasks end, and reports what never started', () => {
    const { nodes } = diamond();
    const scheduler = new Scheduler(nodes, 4);
    expect(scheduler.next()).toEqual(['IAC a']);
    scheduler.finished('IAC a', 'succeeded');
    expect(scheduler.next()).toEqual(['DEPLOY a']);
    scheduler.finished('DEPLOY a', 'succeeded');
    expect(scheduler.next().sort()).toEqual(['IAC b', 'IAC c']);
    scheduler.finished('IAC b', 'failed');
    expect(scheduler.next()).toEqual([]);
    expect(scheduler.idle).toBe(false); // IAC c still runs
    scheduler.finished('IAC c', 'succeeded');
    expect(scheduler.idle).toBe(true);
    expect(scheduler.notStarted.sort()).toEqual([
      'DEPLOY b',
      'DEPLOY c',
      'DEPLOY d',
      'DESTROY gone',
      'IAC d',
    ]);
  });

  it('skips tasks that already succeeded (a resumed run) and counts them as done', () => {
    const { nodes } = diamond();
    const scheduler = new Scheduler(nodes, 2, ['IAC a', 'DEPLOY a']);
    expect(scheduler.next().sort()).toEqual(['IAC b', 'IAC c']);
  });
});
