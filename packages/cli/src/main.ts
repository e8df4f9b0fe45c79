/**
 * deploy-engine: the command line for people. Run it with
 * `npx tsx packages/cli/src/main.ts <command>` (or `npm run -s cli -- <command>`).
 */
import {
  ConsoleLogger,
  createS3Client,
  DeploymentHistory,
  isFinished,
  parseRunRef,
  RunStore,
  S3ObjectStore,
  cliCommand,
  unlockState,
  type RunRecord,
} from '@deploy-engine/core';
import { parseArgs, USAGE } from './args';
import { formatHistory, formatRun, formatRunList } from './format';
import { runTypes, runValues, runWorkspace } from './workspace-commands';
import { runApps } from './app-commands';
import { askOnTerminal, runCancel } from './cancel-command';

function bucket(name: string, region: string): S3ObjectStore {
  return new S3ObjectStore(createS3Client({ region, credentials: { mode: 'ambient' } }), name);
}

function store(name: string, region: string): RunStore {
  return new RunStore(bucket(name, region), new ConsoleLogger(), { region });
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Value (end with Ctrl-D): ');
  let text = '';
  for await (const chunk of process.stdin) text += (chunk as Buffer).toString('utf8');
  return text;
}

export async function main(
  argv: readonly string[],
  out: (line: string) => void = console.log,
): Promise<number> {
  const command = parseArgs(argv);
  switch (command.name) {
    case 'help':
      out(USAGE);
      return 0;
    case 'status': {
      const ref = parseRunRef(command.runRef);
      const runs = store(ref.bucket, ref.region);
      let run: RunRecord | undefined;
      for (;;) {
        run = await runs.getRun(ref.runId);
        if (!run) {
          out(`Run ${ref.runId} does not exist in ${ref.bucket}.`);
          return 1;
        }
        out(formatRun(run));
        if (!command.watch || isFinished(run.status)) break;
        await new Promise((resolve) => setTimeout(resolve, command.intervalMs));
        out('');
      }
      return run.status === 'SUCCEEDED' || run.status === 'SKIPPED' || run.status === 'RUNNING'
        ? 0
        : 2;
    }
    case 'list': {
      const runs = store(command.bucket, command.region);
      out(formatRunList(await runs.listRuns(command)));
      return 0;
    }
    case 'unlock-state': {
      const ref = parseRunRef(command.runRef);
      const runs = store(ref.bucket, ref.region);
      const run = await runs.getRun(ref.runId);
      if (!run) {
        out(`Run ${ref.runId} does not exist in ${ref.bucket}.`);
        return 1;
      }
      const client = createS3Client({
        region: run.tfstate.region,
        credentials: { mode: 'ambient' },
      });
      const released = await unlockState(runs, new S3ObjectStore(client, run.tfstate.bucket), {
        run,
        statePath: command.statePath,
        lockId: command.lockId,
      });
      out(
        `Released lock ${command.lockId} (${released.lock.Operation ?? 'operation unknown'} by ${released.lock.Who ?? 'unknown'}) on s3://${run.tfstate.bucket}/${released.key}. Run the deployment again.`,
      );
      return 0;
    }
    case 'history': {
      const history = new DeploymentHistory(bucket(command.bucket, command.region));
      const target = { ...command, appName: command.appId };
      out(formatHistory(await history.getLast(target), await history.listDeployed(target)));
      return 0;
    }
    case 'values':
      return runValues(command, bucket(command.bucket, command.region), out, readStdin);
    case 'types':
      return runTypes(command, bucket(command.bucket, command.region), out);
    case 'apps':
      return runApps(command, bucket(command.bucket, command.region), out);
    case 'workspace':
      return runWorkspace(command, bucket(command.bucket, command.region), out);
    case 'cancel': {
      const ref = parseRunRef(command.runRef);
      const iac = bucket(ref.bucket, ref.region);
      return runCancel(
        command,
        new RunStore(iac, new ConsoleLogger(), { region: ref.region }),
        iac,
        {
          out,
          interactive: process.stdin.isTTY === true,
          ask: askOnTerminal,
        },
      );
    }
    case 'unlock': {
      const runs = store(command.bucket, command.region);
      const target = {
        workspace: command.workspace,
        environment: command.environment,
        appKind: command.appKind,
        appId: command.appId,
        appName: command.appId,
      };
      const current = await runs.getLock(target);
      if (!current) {
        out('No lock is held for that target.');
        return 0;
      }
      out(
        `Lock held by run ${current.lock.runId} since ${current.lock.acquiredAt} (${current.holder?.status ?? 'run record missing'}), started by ${current.lock.workflowRunUrl}.`,
      );
      if (!command.yes) {
        out(
          `Not removed: add --yes to remove it. Prefer \`${cliCommand('cancel', '<RUN_ID>')}\` (or cancel-run), which also closes the run: a run whose lock was removed is never applied.`,
        );
        return 1;
      }
      await runs.forceUnlock(target);
      out('Lock removed.');
      return 0;
    }
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
