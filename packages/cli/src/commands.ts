/**
 * Every command of `deploy-engine`, in the order `deploy-engine --help` lists them. A new command
 * is a module exporting a defineCommand(...) and one entry here.
 */
import type { CliCommand } from './command';
import { appsCommand } from './app-commands';
import { cancelCommand } from './cancel-command';
import { logsCommand, pruneCommand } from './log-commands';
import { pluginsCommand } from './plugin-commands';
import { listCommand, statusCommand, unlockStateCommand } from './run-commands';
import { historyCommand, unlockCommand } from './target-commands';
import { valuesCommand } from './values-commands';
import { typesCommand, workspaceCommand } from './workspace-commands';

export const COMMANDS: readonly CliCommand[] = [
  statusCommand,
  listCommand,
  historyCommand,
  cancelCommand,
  unlockCommand,
  unlockStateCommand,
  logsCommand,
  pruneCommand,
  valuesCommand,
  typesCommand,
  workspaceCommand,
  appsCommand,
  pluginsCommand,
];
