/**
 * Which tasks may start now: every task it waits for has succeeded, at most `parallelism` run at
 * once, the longest remaining chain first (ties: list order). With parallelism 1 it is the list
 * order, task by task. After a failure nothing new starts; what runs may finish, the rest is left
 * for the caller to abort. Pure logic: the executor tells it what started and ended.
 */
import { remainingChain, type TaskNode } from './task-graph';

export type TaskOutcome = 'succeeded' | 'failed';

export class Scheduler {
  private readonly waiting: TaskNode[];
  private readonly running = new Set<string>();
  private readonly succeeded = new Set<string>();
  private readonly priority: Map<string, number>;
  private readonly order: Map<string, number>;
  private stopped = false;

  /**
   * @param done tasks that already succeeded (a resumed run): they satisfy dependencies and never run
   */
  constructor(
    nodes: readonly TaskNode[],
    private readonly parallelism: number,
    done: Iterable<string> = [],
  ) {
    if (!(parallelism >= 1)) throw new Error(`parallelism must be at least 1, got ${parallelism}`);
    for (const id of done) this.succeeded.add(id);
    this.order = new Map(nodes.map((n, i) => [n.id, i]));
    this.priority = remainingChain(nodes);
    const ids = new Set(nodes.map((n) => n.id));
    // Waits on tasks outside the graph (done by another job, e.g. PLAN) are already satisfied.
    this.waiting = nodes
      .filter((n) => !this.succeeded.has(n.id))
      .map((n) => ({ id: n.id, after: n.after.filter((a) => ids.has(a)) }));
  }

  /** Tasks to start now, best first; marks them running. */
  next(): string[] {
    if (this.stopped) return [];
    const free = this.parallelism - this.running.size;
    if (free <= 0) return [];
    const ready = this.ready();
    if (this.parallelism > 1) {
      ready.sort(
        (a, b) =>
          (this.priority.get(b.id) ?? 0) - (this.priority.get(a.id) ?? 0) ||
          (this.order.get(a.id) ?? 0) - (this.order.get(b.id) ?? 0),
      );
    } else {
      // Task by task in list order: only the first waiting task may start (the list is a valid order).
      ready.splice(0, ready.length, ...ready.filter((n) => n === this.waiting[0]));
    }
    const chosen = ready.slice(0, free).map((n) => n.id);
    for (const id of chosen) {
      this.running.add(id);
      this.waiting.splice(
        this.waiting.findIndex((n) => n.id === id),
        1,
      );
    }
    return chosen;
  }

  finished(id: string, outcome: TaskOutcome): void {
    this.running.delete(id);
    if (outcome === 'succeeded') this.succeeded.add(id);
    else this.stopped = true;
  }

  /** Nothing runs and nothing more can start. */
  get idle(): boolean {
    return this.running.size === 0 && (this.stopped || this.ready().length === 0);
  }

  private ready(): TaskNode[] {
    return this.waiting.filter((n) => n.after.every((a) => this.succeeded.has(a)));
  }

  /** Tasks that never started (to be ABORTED after a failure). */
  get notStarted(): string[] {
    return this.waiting.map((n) => n.id);
  }
}
