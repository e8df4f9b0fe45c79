/**
 * The CLI's application commands: which repository an application id of a workspace is deployed
 * from, and moving it to another repository (a takeover, recorded with who and when).
 */
import { AppBindingStore, type AppBinding } from '@deploy-engine/core';
import { defineCommand, EXIT } from './command';
import { UsageError } from './usage-error';
import { json } from './format';
import { actor, appKindOf, WORKSPACE_OPTIONS } from './options';
import { iacBucket } from './run-commands';

export const appsCommand = defineCommand({
  name: 'apps',
  summary: `apps show <APP_ID> | takeover <APP_ID> --repository <owner/name> --bucket <iac-bucket> --workspace W
      which repository deploys an application id; let another repository deploy it`,
  help: `deploy-engine apps show <APP_ID> --bucket <iac-bucket> --workspace W [--app-kind app|infra] [--region R] [--json]
deploy-engine apps takeover <APP_ID> --repository <owner/name> --bucket <iac-bucket> --workspace W
              [--app-kind app|infra] [--workflow <.github/workflows/x.yml>] [--by NAME] [--region R]

  show       the repository (and workflow) the application id is deployed from, with its history
  takeover   let another repository deploy it from now on (runs from the old one are refused)
  --json     (show) print {"binding": {"workspace", "appKind", "appId", "appName", "repository",
             "workflow", "history": [{"at", "how", "from", "repository", "by"}, ...]}}

Exit code: 3 when show finds the application id not bound yet.`,
  options: {
    ...WORKSPACE_OPTIONS,
    'app-kind': 'value',
    repository: 'value',
    workflow: 'value',
    by: 'value',
    json: 'boolean',
  },
  parse: (args) => {
    const action = args.positional(0, 'show or takeover');
    if (action !== 'show' && action !== 'takeover')
      throw new UsageError(`apps needs show or takeover, not '${action}'.`);
    const appId = args.positionals[1];
    if (appId === undefined) throw new UsageError(`apps ${action} needs an APP_ID.`);
    args.noMorePositionals(2);
    const workflow = args.text('workflow');
    return {
      name: 'apps' as const,
      action,
      ...args.workspaceScope(),
      appKind: appKindOf(args.text('app-kind')),
      appId,
      /** takeover: the repository (owner/name) that deploys it from now on. */
      ...(action === 'takeover' ? { repository: args.text('repository', true) } : {}),
      ...(workflow ? { workflow } : {}),
      by: actor(args.text('by')),
      json: args.flag('json'),
    };
  },
  run: async (command, io) => {
    const bindings = new AppBindingStore(iacBucket(command.bucket, command.region));
    const scope = { workspace: command.workspace, appKind: command.appKind, appId: command.appId };
    if (command.action === 'show') {
      const stored = await bindings.get(scope.workspace, scope.appKind, scope.appId);
      if (!stored) {
        io.err(
          `${command.appKind} ${command.appId} is not bound in workspace ${command.workspace}: its next run binds it to the repository it comes from.`,
        );
        return EXIT.NOT_FOUND;
      }
      io.out(command.json ? json({ binding: stored.value }) : formatBinding(stored.value));
      return EXIT.OK;
    }
    const { before, after } = await bindings.takeover(
      scope,
      {
        repository: command.repository ?? '',
        ...(command.workflow ? { workflow: command.workflow } : {}),
      },
      { by: command.by },
    );
    io.out(
      before
        ? `${command.appKind} ${command.appId} in workspace ${command.workspace} moved from repository ${before.repository} to ${after.repository} (by ${command.by}). Runs from ${before.repository} are refused from now on.`
        : `${command.appKind} ${command.appId} in workspace ${command.workspace} was not bound; it is now bound to ${after.repository} (by ${command.by}).`,
    );
    return EXIT.OK;
  },
});

export function formatBinding(binding: AppBinding): string {
  return [
    `${binding.appKind}:${binding.appName} (${binding.appId}) in workspace ${binding.workspace}`,
    `  deployed from repository ${binding.repository}${binding.workflow ? `, workflow ${binding.workflow}` : ''}`,
    '  history:',
    ...binding.history.map(
      (h, i) =>
        `    ${i + 1}. ${h.at} ${h.how}${h.from ? ` from ${h.from}` : ''} to ${h.repository} by ${h.by}`,
    ),
  ].join('\n');
}
