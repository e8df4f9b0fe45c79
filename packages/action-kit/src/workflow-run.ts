import {
  ConfigurationError,
  REPOSITORY_NAME,
  type DeployingRepository,
  type WorkflowRunRef,
} from '@deploy-engine/core';
import { githubApiUrl } from './github-request';

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
 * The workflow run attempt this step belongs to, as the runner sets it (GITHUB_REPOSITORY,
 * GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT, GITHUB_API_URL; a workflow cannot override them), recorded in
 * the runs it opens or executes so that a later run can ask GitHub whether it ended. Undefined
 * outside GitHub Actions (GITHUB_ACTIONS != 'true'), whatever else the environment says.
 */
export function workflowRunRef(env: NodeJS.ProcessEnv = process.env): WorkflowRunRef | undefined {
  const repository = env.GITHUB_REPOSITORY ?? '';
  const runId = env.GITHUB_RUN_ID ?? '';
  if (env.GITHUB_ACTIONS !== 'true' || !REPOSITORY_NAME.test(repository) || !/^\d+$/.test(runId))
    return undefined;
  const attempt = Number(env.GITHUB_RUN_ATTEMPT || '1');
  return {
    repository,
    runId,
    attempt: Number.isInteger(attempt) && attempt > 0 ? attempt : 1,
    apiUrl: githubApiUrl(env),
    url: workflowRunUrl(env),
  };
}

/**
 * This step as a person finds it: the workflow run, the job and its attempt (written into a run's
 * executor claim, so a second step on the same run is told which job holds it).
 */
export function stepDescription(env: NodeJS.ProcessEnv = process.env): string {
  const job = env.GITHUB_JOB ? `job ${env.GITHUB_JOB}` : 'a job';
  return `${job} of workflow run ${workflowRunUrl(env)}`;
}

/**
 * The repository this step runs in, as the runner says it (GITHUB_REPOSITORY, which a workflow
 * cannot override); undefined outside GitHub Actions (GITHUB_ACTIONS != 'true'), whatever else the
 * environment says. The one reading of GITHUB_REPOSITORY that decides anything.
 */
export function runnerRepository(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.GITHUB_ACTIONS === 'true' ? env.GITHUB_REPOSITORY || undefined : undefined;
}

/** Outside GitHub Actions without REPOSITORY_NAME: the repository name runs are recorded under. */
export const LOCAL_REPOSITORY = 'local/unknown';

/**
 * Which repository and workflow this step runs for, as the runner says it (GITHUB_REPOSITORY and
 * GITHUB_WORKFLOW_REF, which a workflow cannot override): an application id is bound to it.
 * Outside GitHub Actions, the REPOSITORY_NAME input, else LOCAL_REPOSITORY. Returns a warning when
 * REPOSITORY_NAME says another repository than the runner.
 */
export function deployingRepository(
  repositoryName: string,
  env: NodeJS.ProcessEnv = process.env,
): { from: DeployingRepository; warning?: string } {
  const github = runnerRepository(env);
  if (github) {
    // `owner/name/.github/workflows/deploy.yml@refs/heads/main`: the file, without owner and ref.
    const ref = env.GITHUB_WORKFLOW_REF ?? '';
    const workflow = ref.startsWith(`${github}/`)
      ? ref.slice(github.length + 1).replace(/@.*$/, '')
      : '';
    return {
      from: { repository: github, ...(workflow ? { workflow } : {}), source: 'github' },
      // StackSpot's documented workflow passes github.event.repository.name: the name alone.
      ...(repositoryName && repositoryName !== github && repositoryName !== github.split('/')[1]
        ? {
            warning: `REPOSITORY_NAME is ${repositoryName}, but the runner says this workflow runs in ${github}: the application is bound to ${github}.`,
          }
        : {}),
    };
  }
  if (repositoryName) {
    if (!REPOSITORY_NAME.test(repositoryName))
      throw new ConfigurationError({
        message: `REPOSITORY_NAME '${repositoryName.slice(0, 120)}' is not a repository name.`,
        hint: 'Write it as GitHub does: owner/name.',
      });
    return { from: { repository: repositoryName, source: 'input' } };
  }
  return { from: { repository: LOCAL_REPOSITORY, source: 'default' } };
}
