/**
 * Who approved the environment of this workflow run, read from GitHub's REST API
 * (`GET {GITHUB_API_URL}/repos/{owner}/{repo}/actions/runs/{run_id}/approvals`) with the job's
 * token, for the run's audit trail. Never throws: whatever goes wrong (no permission, not found,
 * unreachable, not under GitHub Actions) becomes the recorded reason, and the deployment goes on.
 * GitHub is never called outside GitHub Actions (GITHUB_ACTIONS != 'true').
 */
import { REPOSITORY_NAME, type EnvironmentReview, type RunApproval } from '@deploy-engine/core';
import { getFromGitHub, githubApiUrl } from './github-request';

export interface ReadApprovalsOptions {
  /** The job's token (the GITHUB_TOKEN input, `${{ github.token }}` by default). */
  token: string;
  env?: NodeJS.ProcessEnv;
  /** Default 10 s: the audit must not hold a deployment up. */
  timeoutMs?: number;
  now?: () => Date;
}

/** More reviews than this are cut to the latest ones; longer comments and names are cut. */
const MAX_REVIEWS = 50;
const MAX_COMMENT = 1000;
const MAX_NAME = 100;
const MAX_BODY = 1024 * 1024;

export async function readApprovals(options: ReadApprovalsOptions): Promise<RunApproval> {
  const env = options.env ?? process.env;
  const readAt = (options.now ?? (() => new Date()))().toISOString();
  const unavailable = (why: string): RunApproval => ({ readAt, unavailable: why });
  if (env.GITHUB_ACTIONS !== 'true')
    return unavailable(
      'not running under GitHub Actions, so there is no environment review to read.',
    );
  const repository = env.GITHUB_REPOSITORY ?? '';
  const runId = env.GITHUB_RUN_ID ?? '';
  if (!REPOSITORY_NAME.test(repository) || !/^\d+$/.test(runId))
    return unavailable(
      'GITHUB_REPOSITORY or GITHUB_RUN_ID is missing, so the workflow run is not known.',
    );
  if (!options.token)
    return unavailable(
      "the GITHUB_TOKEN input is empty (its default is the job's token, `${{ github.token }}`).",
    );
  const api = githubApiUrl(env);
  const answer = await getFromGitHub(
    api,
    `/repos/${repository}/actions/runs/${runId}/approvals`,
    options.token,
    { timeoutMs: options.timeoutMs ?? 10000 },
  );
  if ('unreachable' in answer)
    return unavailable(`GitHub's API (${api}) could not be reached (${answer.unreachable}).`);
  const { response } = answer;
  if (response.status === 401 || response.status === 403 || response.status === 404)
    return unavailable(
      `GitHub answered ${response.status} to the request for the workflow run's environment reviews: the job's token cannot read them. Give the job \`permissions: actions: read\` (with the others it needs) to have the approver recorded.`,
    );
  if (!response.ok) return unavailable(`GitHub answered ${response.status}.`);
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = text.length <= MAX_BODY ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!Array.isArray(body)) return unavailable("GitHub's answer was not a list of reviews.");
  return { readAt, reviews: body.flatMap(review).slice(-MAX_REVIEWS) };
}

/** One review as GitHub lists it, or nothing when it does not have that shape. */
function review(item: unknown): EnvironmentReview[] {
  const r = item as {
    state?: unknown;
    comment?: unknown;
    user?: { login?: unknown };
    environments?: unknown;
  } | null;
  if (!r || (r.state !== 'approved' && r.state !== 'rejected')) return [];
  const login = r.user?.login;
  if (typeof login !== 'string' || login === '') return [];
  const environments = Array.isArray(r.environments)
    ? r.environments.flatMap((e: { name?: unknown } | null) =>
        typeof e?.name === 'string' ? [e.name.slice(0, MAX_NAME)] : [],
      )
    : [];
  return [
    {
      state: r.state,
      login: login.slice(0, MAX_NAME),
      environments,
      ...(typeof r.comment === 'string' && r.comment !== ''
        ? { comment: r.comment.slice(0, MAX_COMMENT) }
        : {}),
    },
  ];
}
