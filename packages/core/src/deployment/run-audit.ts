/**
 * The audit trail of a run at its two moments: runtime-tasks adds who approved it (read from
 * GitHub by the action) to the run record once it holds the run, and the deployment history keeps
 * the run's audit with what it deployed. Neither may fail a deployment.
 */
import type { Logger } from '../logging';
import type { RunRecord, RunStore } from '../runs';
import type { RunApproval, RunAudit } from '../audit';

/** The run with its approval recorded; on a failure to write, the run as it was, and a warning. */
export async function recordApproval(
  deps: { runs: RunStore; logger: Logger },
  run: RunRecord,
  approval: RunApproval | undefined,
): Promise<RunRecord> {
  if (!approval) return run;
  deps.logger.info(describeApproval(approval));
  try {
    return await deps.runs.recordApproval(run.runId, approval);
  } catch (error) {
    deps.logger.warning(
      `Who approved run ${run.runId} could not be recorded (${(error as Error).message}); the deployment goes on.`,
    );
    return run;
  }
}

/** One line for the job log: who approved, or why it is not known. */
export function describeApproval(approval: RunApproval): string {
  if (approval.unavailable) return `Approval not recorded: ${approval.unavailable}`;
  const reviews = approval.reviews ?? [];
  if (reviews.length === 0)
    return 'Approval: GitHub lists no environment review for this workflow run (no environment with required reviewers).';
  return `Approval: ${reviews
    .map(
      (r) =>
        `${r.state} by ${r.login} (environment ${r.environments.join(', ') || '?'})${r.comment ? `: "${r.comment}"` : ''}`,
    )
    .join('; ')}.`;
}

/** What the history keeps of a run's audit (all of it, when there is one). */
export function historyAudit(run: RunRecord): { audit?: RunAudit } {
  return run.audit ? { audit: run.audit } : {};
}
