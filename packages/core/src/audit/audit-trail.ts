/**
 * Who started a run, from which commit, and who approved it: kept in the run record and, with
 * what the run deployed, in the deployment history (both read it; neither owns it).
 */

/**
 * The audit trail of a run. Under GitHub Actions (`source: 'github'`) every field is what the
 * runner set (GITHUB_ACTOR, GITHUB_SHA...), which a workflow cannot override; elsewhere
 * (`source: 'unverified'`) it is what the caller's environment said, and proves nothing.
 */
export interface RunAudit {
  source?: 'github' | 'unverified';
  /** GITHUB_ACTOR: whose action started the workflow run (outside GitHub: GITHUB_ACTOR or USER). */
  actor?: string;
  /** GITHUB_TRIGGERING_ACTOR: who started this attempt (a re-run can be someone else). */
  triggeringActor?: string;
  /** GITHUB_REPOSITORY. */
  repository?: string;
  /** The REPOSITORY_NAME input exactly as given: user input, not proof of anything. */
  repositoryNameInput?: string;
  /** GITHUB_SHA: the commit the workflow ran on. */
  commit?: string;
  /** GITHUB_REF, e.g. refs/heads/main. */
  ref?: string;
  /** GITHUB_EVENT_NAME, e.g. push, workflow_dispatch. */
  eventName?: string;
  /** The workflow run (and attempt) that opened the run. */
  workflowRunUrl?: string;
  /** Who approved the environment, as runtime-tasks read it from GitHub, or why it is not known. */
  approval?: RunApproval;
}

/** The environment reviews of the workflow run, read by runtime-tasks after the approval. */
export interface RunApproval {
  /**
   * When runtime-tasks read them (GitHub's review history gives no time per review; they were
   * all given before this).
   */
  readAt: string;
  /** The reviews GitHub lists for the workflow run, in its order. */
  reviews?: EnvironmentReview[];
  /** Why the reviews are not known (no permission, not found, unreachable, not under GitHub Actions). */
  unavailable?: string;
}

/** One environment review of a workflow run (GET /repos/{owner}/{repo}/actions/runs/{id}/approvals). */
export interface EnvironmentReview {
  state: 'approved' | 'rejected';
  login: string;
  environments: string[];
  comment?: string;
}
