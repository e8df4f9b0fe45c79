/** The URL of the workflow run this step belongs to, recorded with every run it opens. */
export function workflowRunUrl(env: NodeJS.ProcessEnv = process.env): string {
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const repository = env.GITHUB_REPOSITORY;
  const runId = env.GITHUB_RUN_ID;
  if (!repository || !runId) return 'unknown (not started by a GitHub workflow)';
  const attempt =
    env.GITHUB_RUN_ATTEMPT && env.GITHUB_RUN_ATTEMPT !== '1'
      ? `/attempts/${env.GITHUB_RUN_ATTEMPT}`
      : '';
  return `${server}/${repository}/actions/runs/${runId}${attempt}`;
}

/**
 * This step as a person finds it: the workflow run, the job and its attempt (written into a run's
 * executor claim, so a second step on the same run is told which job holds it).
 */
export function stepDescription(env: NodeJS.ProcessEnv = process.env): string {
  const job = env.GITHUB_JOB ? `job ${env.GITHUB_JOB}` : 'a job';
  return `${job} of workflow run ${workflowRunUrl(env)}`;
}
