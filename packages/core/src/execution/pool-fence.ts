/**
 * What a worker of a pool knows about the others, read every quarter lease (one LIST and one GET
 * per worker): which of them are gone (their RUNNING tasks may be re-claimed, so a claim is tried
 * only then), and whether this worker's own heartbeat still gets through. A worker whose own
 * heartbeat is older than half the lease (or that could not read the workers for that long) stops
 * its own tasks: another worker may take them over once the lease has passed, and by then no
 * Terraform of this worker may still hold their state (see pool-leftover-lock.ts).
 */
import { CancelledError } from '../errors';
import type { Logger } from '../logging';
import type { RunStore, RunWorkerState } from '../runs';

export class PoolFence {
  private checkedAt = 0;
  private lastSeenAlive = Date.now();
  private gone = new Set<string>();
  private readonly controller = new AbortController();

  constructor(
    private readonly runs: RunStore,
    private readonly runId: string,
    private readonly workerId: string,
    private readonly leaseMs: number,
    private readonly logger: Logger,
  ) {}

  /** Aborted when this worker must stop its own tasks (its heartbeat does not get through). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Whether a quarter lease passed since the last look (the caller then calls `look`). */
  get due(): boolean {
    return Date.now() - this.checkedAt >= this.leaseMs / 4;
  }

  /** Workers that left or went silent for longer than the lease, as of the last look. */
  isGone(workerId: string | undefined): boolean {
    return workerId !== undefined && this.gone.has(workerId);
  }

  /** Reads the workers; fences this one off when its heartbeat is stale (see the header). */
  async look(): Promise<RunWorkerState[]> {
    this.checkedAt = Date.now();
    let workers: RunWorkerState[] = [];
    try {
      workers = await this.runs.workersOf(this.runId);
      const now = Date.now();
      this.gone = new Set(
        workers
          .filter((w) => w.leftAt !== undefined || now - Date.parse(w.at) > this.leaseMs)
          .map((w) => w.worker.id),
      );
      const own = workers.find((w) => w.worker.id === this.workerId);
      if (own) this.lastSeenAlive = Math.max(this.lastSeenAlive, Date.parse(own.at));
    } catch {
      // Not read: counts as a heartbeat not seen.
    }
    const silentMs = Date.now() - this.lastSeenAlive;
    if (silentMs > this.leaseMs / 2 && !this.controller.signal.aborted) {
      const reason = new CancelledError(
        `This worker's heartbeat has not been seen in the IaC bucket for ${Math.round(silentMs / 1000)} s (half the lease of ${Math.round(this.leaseMs / 1000)} s): its tasks are stopped so that another worker can take them over safely once the lease has passed.`,
      );
      this.logger.error(reason.message);
      this.controller.abort(reason);
    }
    return workers;
  }
}
