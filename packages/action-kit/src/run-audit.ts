import type { RunAudit } from '@deploy-engine/core';
import { workflowRunUrl } from './workflow-run';

/** Cut: these come from the environment, and a record must stay small. */
const cut = (value: string | undefined): string | undefined =>
  value ? value.slice(0, 256) : undefined;

/**
 * Who starts a run and from which commit, recorded with it (see RunAudit). Under GitHub Actions,
 * the runner's GITHUB_* variables, which a workflow cannot override; elsewhere what the
 * environment says (GITHUB_ACTOR or USER), marked unverified. The REPOSITORY_NAME input is kept
 * apart, as given: it is user input, not proof.
 */
export function runAudit(repositoryName: string, env: NodeJS.ProcessEnv = process.env): RunAudit {
  const fields: Record<string, string | undefined> =
    env.GITHUB_ACTIONS === 'true'
      ? {
          actor: cut(env.GITHUB_ACTOR),
          triggeringActor: cut(env.GITHUB_TRIGGERING_ACTOR),
          repository: cut(env.GITHUB_REPOSITORY),
          commit: cut(env.GITHUB_SHA),
          ref: cut(env.GITHUB_REF),
          eventName: cut(env.GITHUB_EVENT_NAME),
          workflowRunUrl: workflowRunUrl(env),
        }
      : { actor: cut(env.GITHUB_ACTOR ?? env.USER ?? env.USERNAME) };
  const audit: RunAudit = {
    source: env.GITHUB_ACTIONS === 'true' ? 'github' : 'unverified',
  };
  for (const [name, value] of Object.entries(fields))
    if (value) (audit as Record<string, string>)[name] = value;
  if (repositoryName) audit.repositoryNameInput = repositoryName.slice(0, 256);
  return audit;
}
