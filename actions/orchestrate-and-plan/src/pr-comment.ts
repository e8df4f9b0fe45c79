/**
 * One pull-request comment per deployment target, kept up to date: the comment carries a hidden
 * marker naming the target, so the next plan for the same target edits it instead of adding one
 * more. Uses the workflow's token through @actions/github.
 */
import * as core from '@actions/core';
import { context, getOctokit } from '@actions/github';
import { actionsLogger, maskRegistered, workflowRunUrl } from '@deploy-engine/action-kit';
import type { DeploymentTarget } from '@deploy-engine/core';
import { renderPullRequestComment, type OrchestrateSummary } from './summary';

/** GitHub refuses comments over 65,536 characters. */
export const PR_COMMENT_LIMIT = 65536;

export interface PullRequestCommentOptions {
  token: string;
  /** Identifies the comment among others on the PR (e.g. workspace/environment/app id). */
  key: string;
  body: string;
}

export type PullRequestCommentResult =
  { action: 'created' | 'updated'; url: string } | { action: 'skipped'; reason: string };

export function commentMarker(key: string): string {
  return `<!-- deploy-engine-actions plan ${key.replace(/--/g, '-')} -->`;
}

export async function upsertPullRequestComment(
  options: PullRequestCommentOptions,
): Promise<PullRequestCommentResult> {
  const number = context.payload.pull_request?.number;
  if (number === undefined) {
    return {
      action: 'skipped',
      reason: `the workflow runs for ${context.eventName || 'an event'}, not a pull request`,
    };
  }
  const octokit = getOctokit(options.token);
  const { owner, repo } = context.repo;
  const marker = commentMarker(options.key);
  const body = `${marker}\n${options.body}`.slice(0, PR_COMMENT_LIMIT);
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: number,
    per_page: 100,
  });
  const existing = comments.find((c) => c.body?.startsWith(marker));
  if (existing) {
    const updated = await octokit.rest.issues.updateComment({
      owner,
      repo,
      comment_id: existing.id,
      body,
    });
    return { action: 'updated', url: updated.data.html_url };
  }
  const created = await octokit.rest.issues.createComment({
    owner,
    repo,
    issue_number: number,
    body,
  });
  return { action: 'created', url: created.data.html_url };
}

/** Posts or updates the plan comment; a failure here is a warning, the plan stands. */
export async function commentOnPullRequest(
  token: string,
  summary: OrchestrateSummary,
): Promise<void> {
  await commentForTarget(
    token,
    summary.manifest.target,
    renderPullRequestComment(summary, workflowRunUrl()),
  );
}

/**
 * Posts or updates the one comment of `target` on the pull request (a plan's or a preview's, the
 * last one standing), masked; a failure here is a warning, the plan stands.
 */
export async function commentForTarget(
  token: string,
  target: Pick<DeploymentTarget, 'workspace' | 'environment' | 'appKind' | 'appId'>,
  body: string,
): Promise<void> {
  try {
    const result = await upsertPullRequestComment({
      token,
      key: `${target.workspace}/${target.environment}/${target.appKind}/${target.appId}`,
      // The runner masks the log, not what we send to GitHub ourselves.
      body: maskRegistered(body),
    });
    actionsLogger.info(
      result.action === 'skipped'
        ? `PR_COMMENT: no comment, since ${result.reason}.`
        : `PR_COMMENT: ${result.action} ${result.url}`,
    );
  } catch (error) {
    core.warning(
      `PR_COMMENT: the plan comment could not be written (${(error as Error).message}). Give the job \`permissions: pull-requests: write\`, or set PR_COMMENT to false.`,
    );
  }
}
