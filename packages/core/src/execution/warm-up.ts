/**
 * What a step that will execute tasks can start at once, while it reads its inputs and the bucket:
 * the guard's HCL parser (its WebAssembly) and the first render worker. Both are needed by the
 * first task (its render and its `terraform init`) and take 0.1-0.3 s to start; started here they
 * overlap with the S3 requests that open or claim the run. Neither keeps the process alive, and a
 * failure shows where the thing is used, not here.
 */
import { preloadHclParser } from '../guardrails';
import { prestartRenderWorker } from '../templates';

/** Starts the HCL parser and the first render worker now (see above). */
export function warmUpTaskExecution(): void {
  preloadHclParser();
  prestartRenderWorker();
}
