/**
 * Before a run is opened: an application (or shared infra) id is deployed from one repository of
 * the workspace. A run from another repository is refused before anything of the application is
 * locked, planned or shown, naming both repositories; a person moves the id with the CLI
 * (`apps takeover`). The first run binds it, with a conditional write, so two repositories racing
 * for a new id cannot both win.
 */
import { ConfigurationError, type SourceLocation } from '../errors';
import type { Logger } from '../logging';
import type { RunStore } from '../runs';
import {
  type AppBinding,
  type AppBindingStore,
  type DeployingRepository,
  type DeploymentHistory,
} from '../workspace';
import { describeTarget, type DeploymentTarget } from '../target';
import { cliCommand } from '../commands';

export interface BindingDependencies {
  bindings: AppBindingStore;
  history: DeploymentHistory;
  runs: RunStore;
  logger: Logger;
}

/**
 * Refuses a run of `target` from another repository than the one it is bound to. Returns what
 * binds an unbound id to this repository: call it only once every other check has passed, just
 * before the run is opened, so a refused run writes nothing.
 *
 * An id deployed before bindings existed has none: it is adopted by the repository that deployed
 * it last (from the workflow run URL its run recorded), in whichever environment of the workspace;
 * a run from another repository is refused, a run from that one (or when it is unknown) binds it.
 */
export async function checkRepositoryBinding(
  deps: BindingDependencies,
  target: DeploymentTarget,
  from: DeployingRepository,
  options: { by: string; location?: SourceLocation },
): Promise<() => Promise<void>> {
  const { location } = options;
  const stored = await deps.bindings.get(target.workspace, target.appKind, target.appId);
  if (stored) {
    checkSameRepository(deps, stored.value, target, from, location);
    return async () => undefined;
  }
  // Not bound: deployed before bindings existed (in any environment), or never.
  const lasts = await deps.history.lastInEveryEnvironment(
    target.workspace,
    target.appKind,
    target.appId,
  );
  for (const [environment, last] of lasts) {
    const run = await deps.runs.getRun(last.runId);
    const previous = run ? repositoryOfRunUrl(run.workflowRunUrl) : undefined;
    if (previous && previous !== from.repository) {
      throw refusal(
        target,
        from,
        `was last deployed to ${target.workspace}/${environment} from repository ${previous} (run ${last.runId}, ${last.finishedAt})`,
        location,
        deps.bindings,
      );
    }
  }
  const adopted = lasts.size > 0;
  return async () => {
    const standing = await deps.bindings.bind(target, from, {
      by: options.by,
      how: adopted ? 'adopted' : 'first-run',
    });
    if (standing.repository === from.repository) {
      deps.logger.info(
        `${describeTarget(target)} (${target.appId}) is now bound to repository ${from.repository}${from.source === 'github' ? '' : ` (${from.source === 'input' ? 'REPOSITORY_NAME' : 'default name outside GitHub Actions'})`} in workspace ${target.workspace}: other repositories are refused unless a person moves it (CLI apps takeover).`,
      );
    }
    checkSameRepository(deps, standing, target, from, location);
  };
}

function checkSameRepository(
  deps: BindingDependencies,
  binding: AppBinding,
  target: DeploymentTarget,
  from: DeployingRepository,
  location: SourceLocation | undefined,
): void {
  if (binding.repository !== from.repository) {
    const how = binding.history.at(-1);
    throw refusal(
      target,
      from,
      `is deployed from repository ${binding.repository} (${how?.how === 'takeover' ? `taken over by ${how.by}` : 'bound by its first run'} at ${how?.at ?? binding.updatedAt})`,
      location,
      deps.bindings,
    );
  }
  if (binding.workflow && from.workflow && binding.workflow !== from.workflow) {
    deps.logger.info(
      `${describeTarget(target)} was bound by workflow ${binding.workflow}; this run comes from ${from.workflow} of the same repository (allowed: the binding is by repository).`,
    );
  }
}

function refusal(
  target: DeploymentTarget,
  from: DeployingRepository,
  why: string,
  location: SourceLocation | undefined,
  bindings: AppBindingStore,
): ConfigurationError {
  const id = `${target.appKind === 'infra' ? 'infra-id' : 'app-id'} ${target.appId}`;
  return new ConfigurationError({
    message: `${target.appKind}:${target.appName} (${id}) in workspace ${target.workspace} ${why}; this run comes from repository ${from.repository}. Nothing was locked, planned or changed.`,
    ...(location ? { location } : {}),
    hint: `Use an ${target.appKind === 'infra' ? 'infra-id' : 'app-id'} of your own in stk.yaml. If ${from.repository} is to deploy this ${target.appKind === 'infra' ? 'shared infra' : 'application'} from now on, a person with access to the IaC bucket moves it: ${cliCommand(`apps takeover ${target.appId}${target.appKind === 'infra' ? ' --app-kind infra' : ''} --repository ${from.repository} --bucket ${bindings.bucket} --workspace ${target.workspace}`)}`,
  });
}

/** `owner/name` of a workflow run URL (`https://github.com/owner/name/actions/runs/1`). */
export function repositoryOfRunUrl(url: string): string | undefined {
  return /^https?:\/\/[^/]+\/([^/]+\/[^/]+)\/actions\/runs\//.exec(url)?.[1];
}
