/** Command-line arguments of `deploy-engine`: a command, positionals and --flags. */
import type { CancelCommand } from './cancel-command';

/** One application or shared infra of a workspace and environment, and the IaC bucket. */
interface TargetArgs {
  bucket: string;
  region: string;
  workspace: string;
  environment: string;
  appKind: 'app' | 'infra';
  appId: string;
}

export type Command =
  | { name: 'status'; runRef: string; watch: boolean; intervalMs: number }
  | {
      name: 'list';
      bucket: string;
      region: string;
      workspace?: string;
      environment?: string;
      limit: number;
    }
  | ({ name: 'unlock'; yes: boolean } & TargetArgs)
  | ({ name: 'history' } & TargetArgs)
  | { name: 'unlock-state'; runRef: string; statePath: string; lockId: string }
  | {
      name: 'values';
      action: 'set' | 'list' | 'show' | 'delete';
      bucket: string;
      region: string;
      workspace: string;
      environment?: string;
      key?: string;
      /** set: the value; undefined means read it from stdin (keeps secrets off the command line). */
      value?: string;
      secret: boolean;
      json: boolean;
      by: string;
    }
  | {
      name: 'types';
      action: 'put' | 'list' | 'delete';
      bucket: string;
      region: string;
      workspace: string;
      /** put: the YAML file; delete: the type name. */
      argument?: string;
    }
  | {
      name: 'workspace';
      bucket: string;
      region: string;
      workspace: string;
      environment: string;
      mermaid: boolean;
    }
  | {
      name: 'apps';
      action: 'show' | 'takeover';
      bucket: string;
      region: string;
      workspace: string;
      appKind: 'app' | 'infra';
      appId: string;
      /** takeover: the repository (owner/name) that deploys it from now on. */
      repository?: string;
      workflow?: string;
      by: string;
    }
  | CancelCommand
  | { name: 'help' };

export const USAGE = `deploy-engine: follow and repair deployment runs (credentials: the usual AWS_* variables)

  status <RUN_ID> [--watch] [--interval <seconds>]   the run and its tasks; --watch follows it until it ends
  list --bucket <iac-bucket> [--region R] [--workspace W] [--environment E] [--limit N]
                                                     recent runs, newest first
  history --bucket <iac-bucket> --workspace W --environment E --app-id ID [--app-kind app|infra] [--region R]
                                                     what is deployed, and the versions ROLLBACK_TO can go back to
  cancel <RUN_ID> [--yes] [--by NAME]                close a run ABORTED and release its lock (asks to type the
                                                     run id; --yes when stdin is not a terminal)
  unlock --bucket <iac-bucket> --workspace W --environment E --app-id ID [--app-kind app|infra] [--region R] --yes
                                                     remove a target's lock by hand (prefer cancel-run)
  values set <KEY> [<VALUE>] --bucket <iac-bucket> --workspace W [--environment E] [--secret] [--json] [--by NAME]
                                                     set a shared value ({{ var.KEY }}); no VALUE: read it from stdin
  values list|show <KEY>|delete <KEY> --bucket <iac-bucket> --workspace W [--environment E]
                                                     list (with --environment: what its templates see), show with history, delete
  types put <file.yaml>|list|delete <NAME> --bucket <iac-bucket> --workspace W
                                                     the workspace's Connection Interface Types
  workspace --bucket <iac-bucket> --workspace W --environment E [--mermaid]
                                                     Connection Interfaces with producer and consumers; --mermaid: the graph
  apps show <APP_ID> --bucket <iac-bucket> --workspace W [--app-kind app|infra]
                                                     which repository the application id is deployed from, with its history
  apps takeover <APP_ID> --repository <owner/name> --bucket <iac-bucket> --workspace W
                [--app-kind app|infra] [--workflow <.github/workflows/x.yml>] [--by NAME]
                                                     let another repository deploy it (runs from the old one are refused)
  unlock-state <RUN_ID> --state <bucket/key> --lock-id <ID>
                                                     release a Terraform state lock a killed job left behind
                                                     (the deployment's error message prints this command)
`;

const BOOLEAN_FLAGS = ['--watch', '--yes', '--secret', '--json', '--mermaid'];

export function parseArgs(argv: readonly string[]): Command {
  const [name, ...rest] = argv;
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg.startsWith('--')) {
      const next = rest[i + 1];
      if (next !== undefined && !next.startsWith('--') && !BOOLEAN_FLAGS.includes(arg)) {
        flags.set(arg.slice(2), next);
        i++;
      } else flags.set(arg.slice(2), true);
    } else positionals.push(arg);
  }
  const text = (flag: string, required: boolean): string | undefined => {
    const value = flags.get(flag);
    if (value === true || (required && value === undefined))
      throw new Error(`${name} needs --${flag} <value>.\n\n${USAGE}`);
    return value;
  };
  const region = text('region', false) ?? process.env.AWS_REGION ?? 'us-east-1';
  /** The IaC bucket and the workspace a workspace command works on. */
  const workspaceArgs = () => ({
    bucket: text('bucket', true) as string,
    region,
    workspace: text('workspace', true) as string,
  });
  switch (name) {
    case 'status': {
      const runRef = positionals[0];
      if (!runRef) throw new Error(`status needs a RUN_ID.\n\n${USAGE}`);
      const interval = Number(text('interval', false) ?? '5');
      if (!(interval > 0)) throw new Error('--interval must be a positive number of seconds.');
      return { name, runRef, watch: flags.get('watch') === true, intervalMs: interval * 1000 };
    }
    case 'list': {
      const limit = Number(text('limit', false) ?? '20');
      return {
        name,
        bucket: text('bucket', true) as string,
        region,
        ...(text('workspace', false) ? { workspace: text('workspace', false) } : {}),
        ...(text('environment', false) ? { environment: text('environment', false) } : {}),
        limit: Number.isInteger(limit) && limit > 0 ? limit : 20,
      };
    }
    case 'history':
    case 'unlock': {
      const appKind = appKindOf(text('app-kind', false));
      const target = {
        ...workspaceArgs(),
        environment: text('environment', true) as string,
        appKind,
        appId: text('app-id', true) as string,
      };
      return name === 'history'
        ? { name, ...target }
        : { name, ...target, yes: flags.get('yes') === true };
    }
    case 'cancel': {
      const runRef = positionals[0];
      if (!runRef) throw new Error(`cancel needs a RUN_ID.\n\n${USAGE}`);
      return { name, runRef, yes: flags.get('yes') === true, by: actor(text('by', false)) };
    }
    case 'unlock-state': {
      const runRef = positionals[0];
      if (!runRef) throw new Error(`unlock-state needs a RUN_ID.\n\n${USAGE}`);
      return {
        name,
        runRef,
        statePath: text('state', true) as string,
        lockId: text('lock-id', true) as string,
      };
    }
    case 'apps': {
      const action = positionals[0];
      if (action !== 'show' && action !== 'takeover')
        throw new Error(`apps needs show or takeover.\n\n${USAGE}`);
      const appId = positionals[1];
      if (!appId) throw new Error(`apps ${action} needs an APP_ID.\n\n${USAGE}`);
      const workflow = text('workflow', false);
      return {
        name,
        action,
        ...workspaceArgs(),
        appKind: appKindOf(text('app-kind', false)),
        appId,
        ...(action === 'takeover' ? { repository: text('repository', true) as string } : {}),
        ...(workflow ? { workflow } : {}),
        by: actor(text('by', false)),
      };
    }
    case 'values': {
      const action = positionals[0];
      if (action !== 'set' && action !== 'list' && action !== 'show' && action !== 'delete')
        throw new Error(`values needs set, list, show or delete.\n\n${USAGE}`);
      const key = positionals[1];
      if (action !== 'list' && !key) throw new Error(`values ${action} needs a KEY.\n\n${USAGE}`);
      const environment = text('environment', false);
      return {
        name,
        action,
        ...workspaceArgs(),
        ...(environment ? { environment } : {}),
        ...(key ? { key } : {}),
        ...(positionals[2] !== undefined ? { value: positionals[2] } : {}),
        secret: flags.get('secret') === true,
        json: flags.get('json') === true,
        by: actor(text('by', false)),
      };
    }
    case 'types': {
      const action = positionals[0];
      if (action !== 'put' && action !== 'list' && action !== 'delete')
        throw new Error(`types needs put, list or delete.\n\n${USAGE}`);
      if (action !== 'list' && !positionals[1])
        throw new Error(
          `types ${action} needs ${action === 'put' ? 'a file' : 'a type name'}.\n\n${USAGE}`,
        );
      return {
        name,
        action,
        ...workspaceArgs(),
        ...(positionals[1] ? { argument: positionals[1] } : {}),
      };
    }
    case 'workspace':
      return {
        name,
        ...workspaceArgs(),
        environment: text('environment', true) as string,
        mermaid: flags.get('mermaid') === true,
      };
    case undefined:
    case 'help':
    case '--help':
      return { name: 'help' };
    default:
      throw new Error(`Unknown command '${name}'.\n\n${USAGE}`);
  }
}

function appKindOf(kind = 'app'): 'app' | 'infra' {
  if (kind !== 'app' && kind !== 'infra') throw new Error('--app-kind must be app or infra.');
  return kind;
}

/** Who runs the command, for the records it writes: --by, else the environment's user. */
function actor(by: string | undefined): string {
  return (
    by ??
    process.env.DEPLOY_ENGINE_ACTOR ??
    process.env.GITHUB_ACTOR ??
    process.env.USER ??
    'unknown'
  );
}
