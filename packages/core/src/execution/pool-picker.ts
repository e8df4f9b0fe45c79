/**
 * What a worker of a pool (runtime-tasks with WORKERS > 1) may claim next, read from the run as
 * the bucket has it: a task is ready when every task it waits for SUCCEEDED, whichever worker ran
 * it; the longest remaining chain goes first (ties: the run's order), as schedule/ does for one
 * job. Pure: the caller claims (conditionally) and learns from the next read what others did.
 */
import type { RunRecord } from '../runs';
import { remainingChain, type TaskNode } from '../schedule';
import type { TaskStatus } from '../tasks';

/** Where the pool stands, as one read of the run shows it. */
export interface PoolView {
  /** Not started, every wait SUCCEEDED: claimable now, best first. */
  ready: string[];
  /**
   * RUNNING under another worker with every wait SUCCEEDED: claimable only if that worker went
   * silent for longer than the lease (claimTask decides), best first.
   */
  heldElsewhere: string[];
  /** Every task of the graph SUCCEEDED. */
  allSucceeded: boolean;
  /** A task ended FAILED, INTERNAL_ERROR or ABORTED: nothing new may start. */
  failed?: { runTaskId: string; status: TaskStatus };
}

export class PoolPicker {
  private readonly priority: Map<string, number>;
  private readonly order: Map<string, number>;

  constructor(private readonly graph: readonly TaskNode[]) {
    this.priority = remainingChain(graph);
    this.order = new Map(graph.map((n, i) => [n.id, i]));
  }

  /**
   * @param mine the tasks this worker runs now (never offered again)
   * @param workerId this worker's id (its own RUNNING tasks are not held elsewhere)
   */
  view(run: RunRecord, mine: ReadonlySet<string>, workerId: string): PoolView {
    const byId = new Map(run.tasks.map((t) => [t.runTaskId, t]));
    const status = (id: string): TaskStatus | undefined => byId.get(id)?.status;
    const ready: string[] = [];
    const heldElsewhere: string[] = [];
    let failed: PoolView['failed'];
    let succeeded = 0;
    for (const node of this.graph) {
      const task = byId.get(node.id);
      const now = task?.status;
      if (now === 'SUCCEEDED') succeeded += 1;
      if (now === 'FAILED' || now === 'INTERNAL_ERROR' || now === 'ABORTED')
        failed ??= { runTaskId: node.id, status: now };
      if (mine.has(node.id) || !node.after.every((id) => status(id) === 'SUCCEEDED')) continue;
      if (now === 'PENDING' || now === 'READY_TO_RUN') ready.push(node.id);
      else if (now === 'RUNNING' && task?.worker !== workerId) heldElsewhere.push(node.id);
    }
    const best = (a: string, b: string): number =>
      (this.priority.get(b) ?? 0) - (this.priority.get(a) ?? 0) ||
      (this.order.get(a) ?? 0) - (this.order.get(b) ?? 0);
    return {
      ready: ready.sort(best),
      heldElsewhere: heldElsewhere.sort(best),
      allSucceeded: succeeded === this.graph.length,
      ...(failed ? { failed } : {}),
    };
  }
}
