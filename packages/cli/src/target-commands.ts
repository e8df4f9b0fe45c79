/**
 * The CLI's commands on one target (an application or shared infra of a workspace and
 * environment): what is deployed (`history`) and removing its lock by hand (`unlock`).
 */
import { cliCommand, DeploymentHistory } from '@deploy-engine/core';
import { defineCommand, EXIT } from './command';
import { formatHistory, json } from './format';
import { appKindOf, WORKSPACE_OPTIONS, type Args } from './options';
import { iacBucket, runStore } from './run-commands';

const TARGET_OPTIONS = {
  ...WORKSPACE_OPTIONS,
  environment: 'value',
  'app-id': 'value',
  'app-kind': 'value',
} as const;

const TARGET_SYNOPSIS =
  '--bucket <iac-bucket> --workspace W --environment E --app-id ID [--app-kind app|infra] [--region R]';

function target(args: Args) {
  args.noMorePositionals(0);
  return {
    ...args.workspaceScope(),
    environment: args.text('environment', true),
    appKind: appKindOf(args.text('app-kind')),
    appId: args.text('app-id', true),
  };
}

export const historyCommand = defineCommand({
  name: 'history',
  summary: `history ${TARGET_SYNOPSIS} [--json]
      what is deployed, and the versions ROLLBACK_TO can go back to`,
  help: `deploy-engine history ${TARGET_SYNOPSIS} [--json]

What is deployed on the target (version, run, mode, Terraform version) and the versions
ROLLBACK_TO can go back to, newest first.

  --json   print {"deployed": <deployment record> | null, "versions": [{"version", "runId", "finishedAt"}, ...]}`,
  options: { ...TARGET_OPTIONS, json: 'boolean' },
  parse: (args) => ({ name: 'history' as const, ...target(args), json: args.flag('json') }),
  run: async (command, io) => {
    const history = new DeploymentHistory(iacBucket(command.bucket, command.region));
    const scope = { ...command, appName: command.appId };
    const [deployed, versions] = [await history.getLast(scope), await history.listDeployed(scope)];
    io.out(
      command.json
        ? json({ deployed: deployed ?? null, versions })
        : formatHistory(deployed, versions),
    );
    return EXIT.OK;
  },
});

export const unlockCommand = defineCommand({
  name: 'unlock',
  summary: `unlock ${TARGET_SYNOPSIS} --yes
      remove a target's lock by hand (prefer cancel-run)`,
  help: `deploy-engine unlock ${TARGET_SYNOPSIS} [--yes]

Shows who holds the target's lock; with --yes removes it. Prefer \`deploy-engine cancel <RUN_ID>\`
(or cancel-run), which also closes the run: a run whose lock was removed is never applied.

Exit code: 0 removed (or no lock held); 4 not removed because --yes is missing.`,
  options: { ...TARGET_OPTIONS, yes: 'boolean' },
  parse: (args) => ({ name: 'unlock' as const, ...target(args), yes: args.flag('yes') }),
  run: async (command, io) => {
    const runs = runStore(command.bucket, command.region);
    const scope = {
      workspace: command.workspace,
      environment: command.environment,
      appKind: command.appKind,
      appId: command.appId,
      appName: command.appId,
    };
    const current = await runs.getLock(scope);
    if (!current) {
      io.out('No lock is held for that target.');
      return EXIT.OK;
    }
    io.out(
      `Lock held by run ${current.lock.runId} since ${current.lock.acquiredAt} (${current.holder?.status ?? 'run record missing'}), started by ${current.lock.workflowRunUrl}.`,
    );
    if (!command.yes) {
      io.err(
        `Not removed: add --yes to remove it. Prefer \`${cliCommand('cancel', '<RUN_ID>')}\` (or cancel-run), which also closes the run: a run whose lock was removed is never applied.`,
      );
      return EXIT.REFUSED;
    }
    await runs.forceUnlock(scope);
    io.out('Lock removed.');
    return EXIT.OK;
  },
});
