/**
 * The wrapper every action's entry point calls: it turns errors into a failed step that says whose
 * fault it is, annotates configuration problems with their file and line, and aborts the work when
 * the job is cancelled.
 */
import * as core from '@actions/core';
import {
  abortOnSignals,
  CancelledError,
  ConfigurationError,
  ExternalError,
  formatProblem,
} from '@deploy-engine/core';
import { NotImplementedError } from './not-implemented';

export interface ActionContext {
  /** Aborted when the runner cancels the job (SIGINT/SIGTERM). */
  signal: AbortSignal;
}

/** Runs `main` and reports its failure on the step. Never throws. */
export async function runAction(
  name: string,
  main: (context: ActionContext) => Promise<void>,
): Promise<void> {
  const cancel = abortOnSignals();
  try {
    await main({ signal: cancel.signal });
  } catch (error) {
    reportFailure(name, error);
  } finally {
    cancel.dispose();
  }
}

/** Sets the step failed with a message that tells the user what kind of failure it was. */
export function reportFailure(name: string, error: unknown): void {
  if (error instanceof ConfigurationError) {
    for (const problem of error.problems) {
      if (problem.location) {
        core.error(formatProblem(problem), {
          file: problem.location.file,
          ...(problem.location.line !== undefined ? { startLine: problem.location.line } : {}),
        });
      }
    }
    core.setFailed(`${name}: configuration error. ${error.message}`);
  } else if (error instanceof ExternalError) {
    const retry = error.retryable ? ' Re-running the job may succeed.' : '';
    core.setFailed(`${name}: ${error.message}${retry}`);
  } else if (error instanceof NotImplementedError) {
    core.setFailed(`${name}: not implemented yet. ${error.message}`);
  } else if (error instanceof CancelledError) {
    core.setFailed(`${name}: cancelled. ${error.message}`);
  } else {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    core.setFailed(
      `${name}: internal error (a bug in deploy-engine-actions; please report it with this log). ${detail}`,
    );
  }
}
