/**
 * The CLI's application commands: which repository an application id of a workspace is deployed
 * from, and moving it to another repository (a takeover, recorded with who and when).
 */
import { AppBindingStore, type AppBinding, type ObjectStore } from '@deploy-engine/core';
import type { Command } from './args';

type Out = (line: string) => void;

export async function runApps(
  command: Extract<Command, { name: 'apps' }>,
  store: ObjectStore,
  out: Out,
): Promise<number> {
  const bindings = new AppBindingStore(store);
  const scope = { workspace: command.workspace, appKind: command.appKind, appId: command.appId };
  if (command.action === 'show') {
    const stored = await bindings.get(scope.workspace, scope.appKind, scope.appId);
    if (!stored) {
      out(
        `${command.appKind} ${command.appId} is not bound in workspace ${command.workspace}: its next run binds it to the repository it comes from.`,
      );
      return 1;
    }
    out(formatBinding(stored.value));
    return 0;
  }
  const { before, after } = await bindings.takeover(
    scope,
    {
      repository: command.repository ?? '',
      ...(command.workflow ? { workflow: command.workflow } : {}),
    },
    { by: command.by },
  );
  out(
    before
      ? `${command.appKind} ${command.appId} in workspace ${command.workspace} moved from repository ${before.repository} to ${after.repository} (by ${command.by}). Runs from ${before.repository} are refused from now on.`
      : `${command.appKind} ${command.appId} in workspace ${command.workspace} was not bound; it is now bound to ${after.repository} (by ${command.by}).`,
  );
  return 0;
}

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
