/**
 * One GET of GitHub's REST API with the job's token, as the steps ask it (whether a workflow run
 * attempt ended, who approved an environment): only to the API the runner names (GITHUB_API_URL,
 * set by the runner, not by inputs), never following a redirect (the token goes there and nowhere
 * else), bounded in time. The callers decide what each answer means.
 */

/** The API of the GitHub this job runs on, without a trailing slash. */
export function githubApiUrl(env: NodeJS.ProcessEnv = process.env): string {
  return (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '');
}

/** GitHub's answer, or why there is none (the request failed, timed out, was redirected). */
export type GitHubAnswer = { response: Response } | { unreachable: string };

/** GETs `${apiUrl}${path}` with `token`; `path` must already be built from checked parts. */
export async function getFromGitHub(
  apiUrl: string,
  path: string,
  token: string,
  options: { timeoutMs: number; fetcher?: typeof fetch },
): Promise<GitHubAnswer> {
  try {
    const response = await (options.fetcher ?? fetch)(`${apiUrl}${path}`, {
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${token}`,
        'x-github-api-version': '2022-11-28',
        'user-agent': 'deploy-engine-actions',
      },
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    return { response };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { unreachable: cause?.code ?? cause?.message ?? (error as Error).message };
  }
}
