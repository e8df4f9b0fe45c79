/**
 * The wrapper every action's entry point calls: it turns errors into a failed step that says whose
 * fault it is, annotates problems with their file and line (each once), and aborts the work when
 * the job is cancelled.
 */
import * as core from '@actions/core';
import {
  abortOnSignals,
  CancelledError,
  ConfigurationError,
  ExternalError,
  formatLocation,
  formatProblem,
  type SourceLocation,
} from '@deploy-engine/core';

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
    core.setFailed(`${name}: configuration error. ${reportedOnce(error)}`);
  } else if (error instanceof ExternalError) {
    const retry = error.retryable ? ' Re-running the job may succeed.' : '';
    core.setFailed(`${name}: ${reportedOnce(error)}${retry}`);
  } else if (error instanceof CancelledError) {
    core.setFailed(`${name}: cancelled. ${error.message}`);
  } else {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    core.setFailed(
      `${name}: internal error (a bug in deploy-engine-actions; please report it with this log). ${detail}`,
    );
  }
}

/**
 * Annotates each problem that names a place at its file and line, and returns the failure's
 * message without them: each problem is reported once, not in its annotation and again in the
 * step's failure message.
 */
function reportedOnce(error: ConfigurationError | ExternalError): string {
  const placed = error.problems.filter((p) => p.location !== undefined);
  for (const problem of placed) {
    const location = problem.location as NonNullable<typeof problem.location>;
    core.error(formatProblem(problem), {
      file: location.file,
      ...(location.line !== undefined ? { startLine: location.line } : {}),
    });
  }
  if (placed.length === 0) return error.message;
  const rest = error.problems.filter((p) => p.location === undefined);
  const where = placed.slice(0, 3).map((p) => formatLocation(p.location as SourceLocation));
  const more = placed.length > 3 ? ` and ${placed.length - 3} more` : '';
  const see = `See the annotation${placed.length > 1 ? 's' : ''} at ${where.join(', ')}${more}.`;
  const text = error.summary ? `${error.summary}. ${see}` : see;
  return rest.length === 0
    ? text
    : `${text} Also:\n${rest.map((p) => `  - ${formatProblem(p)}`).join('\n')}`;
}
