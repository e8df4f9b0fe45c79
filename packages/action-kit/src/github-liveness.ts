/**
 * GitHub's answer to "has this workflow run attempt ended?", for a new run that finds its target
 * locked (see core runs/holder-liveness.ts): `GET {GITHUB_API_URL}/repos/{owner}/{repo}/actions/
 * runs/{id}/attempts/{n}` with the job's token. The attempt, not the run: "Re-run all jobs" makes
 * a new attempt of the same run, whose orchestrate-and-plan must see the earlier attempt as ended.
 *
 * Only under GitHub Actions, only to the API the runner names (GITHUB_API_URL, set by the runner,
 * not by inputs): the token is never sent to an address read from the IaC bucket. Every answer
 * that is not a clear "completed" or "still running" is `unknown` with the reason and what to do;
 * the caller then keeps the lock.
 */
import {
  REPOSITORY_NAME,
  type WorkflowRunAnswer,
  type WorkflowRunLiveness,
  type WorkflowRunRef,
} from '@deploy-engine/core';
import { getFromGitHub, githubApiUrl } from './github-request';

/** A request that GitHub does not answer within this long is no answer. */
const TIMEOUT_MS = 15_000;
const PERMISSION_HINT =
  'Give the job `permissions: actions: read` (a workflow that sets `permissions:` gives the token nothing it does not list), and pass GITHUB_TOKEN: ${{ github.token }} (the default).';

/**
 * The liveness check of this step, or undefined outside GitHub Actions (GITHUB_ACTIONS != 'true'):
 * nothing is ever asked of GitHub then.
 */
export function githubLiveness(
  token: string,
  env: NodeJS.ProcessEnv = process.env,
  fetcher: typeof fetch = fetch,
): WorkflowRunLiveness | undefined {
  if (env.GITHUB_ACTIONS !== 'true') return undefined;
  const apiUrl = githubApiUrl(env);
  return { check: (run) => askGitHub(apiUrl, token, run, fetcher) };
}

async function askGitHub(
  apiUrl: string,
  token: string,
  run: WorkflowRunRef,
  fetcher: typeof fetch,
): Promise<WorkflowRunAnswer> {
  const unknown = (reason: string, hint: string, retryable = false): WorkflowRunAnswer => ({
    state: 'unknown',
    reason,
    hint,
    retryable,
  });
  if (token === '') return unknown('GITHUB_TOKEN is empty', PERMISSION_HINT);
  if (run.apiUrl.replace(/\/+$/, '') !== apiUrl)
    return unknown(
      `it was opened on another GitHub (${run.apiUrl}); this job's token is sent only to ${apiUrl}`,
      'Run the workflow on the GitHub that opened it.',
    );
  if (
    !REPOSITORY_NAME.test(run.repository) ||
    !/^\d{1,20}$/.test(run.runId) ||
    !Number.isInteger(run.attempt) ||
    run.attempt < 1
  )
    return unknown(
      'the run record names no valid workflow run',
      'Check who writes the IaC bucket.',
    );
  const [owner, repo] = run.repository.split('/') as [string, string];
  const path = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/actions/runs/${run.runId}/attempts/${run.attempt}`;
  const answer = await getFromGitHub(apiUrl, path, token, { timeoutMs: TIMEOUT_MS, fetcher });
  if ('unreachable' in answer)
    return unknown(
      `GitHub's API at ${apiUrl} could not be reached (${answer.unreachable})`,
      'Run the job again once GitHub answers.',
      true,
    );
  const { response } = answer;
  const status = response.status;
  if (status === 200) {
    const body = (await response.json().catch(() => undefined)) as
      { status?: unknown; conclusion?: unknown } | undefined;
    // Words GitHub uses (queued, in_progress, cancelled...): nothing else reaches a message.
    const word = (value: unknown): string | undefined =>
      typeof value === 'string' && /^[a-z_]{1,30}$/.test(value) ? value : undefined;
    const state = word(body?.status);
    if (!state) return unknown(`GitHub's answer has no status`, 'Run the job again.', true);
    if (state === 'completed')
      return { state: 'completed', conclusion: word(body?.conclusion) ?? null };
    return { state: 'running', status: state };
  }
  if (status === 401)
    return unknown('GitHub refused the job token (401 Bad credentials)', PERMISSION_HINT);
  const limited = response.headers.get('x-ratelimit-remaining') === '0' || status === 429;
  if (limited)
    return unknown(
      `the token's GitHub API rate limit is used up (${status})`,
      'Run the job again in an hour, when the rate limit resets.',
      true,
    );
  if (status === 403)
    return unknown('the job token may not read workflow runs (403 Forbidden)', PERMISSION_HINT);
  if (status === 404)
    return unknown(
      `GitHub shows no attempt ${run.attempt} of workflow run ${run.runId} in ${run.repository} to the job token (404): the token cannot read that repository's workflow runs, or the run was deleted`,
      PERMISSION_HINT,
    );
  return unknown(
    `GitHub's API answered ${status}`,
    'Run the job again once GitHub answers.',
    status >= 500,
  );
}
