/**
 * The CLI's run commands: one run (`status`, optionally followed until it ends), the recent runs
 * of an IaC bucket (`list`), and releasing a Terraform state lock a killed job left (`unlock-state`).
 */
import {
  ConsoleLogger,
  createS3Client,
  openStateBackend,
  RUN_TYPE_TABLE,
  RunStore,
  S3ObjectStore,
  unlockState,
  type RunRecord,
  type RunRef,
} from '@deploy-engine/core';
import { defineCommand, EXIT, type CliIo } from './command';
import { UsageError } from './usage-error';
import { formatRun, formatRunList, json } from './format';
import { BUCKET_OPTIONS } from './options';
import { watchRun } from './status-watch';

/** An IaC bucket with the credentials of the environment (the usual AWS_* variables). */
export function iacBucket(name: string, region: string): S3ObjectStore {
  return new S3ObjectStore(createS3Client({ region, credentials: { mode: 'ambient' } }), name);
}

/** The runs of an IaC bucket. */
export function runStore(name: string, region: string): RunStore {
  return new RunStore(iacBucket(name, region), new ConsoleLogger(), { region });
}

const RUN_ID_HELP = `RUN_ID is the run_id output of orchestrate-and-plan (<ULID>@<iac-bucket>[:<region>]), or the
bare ULID of the log line "RUN DEPLOY_SELF_HOSTED successfully started with ID: <ULID>" with
--bucket <iac-bucket> (and --region R when the bucket is not in AWS_REGION, else us-east-1).`;

/** Each run type and what it does, one a line (from the run-type table). */
const RUN_TYPES_HELP = Object.values(RUN_TYPE_TABLE)
  .map((t) => `  ${t.type.padEnd(9)} ${t.describe} (${t.input})`)
  .join('\n');

/** Whether a run's status counts as success for the exit code of `status`. */
function succeeded(run: RunRecord): boolean {
  return run.status === 'SUCCEEDED' || run.status === 'SKIPPED' || run.status === 'RUNNING';
}

function notFound(io: CliIo, ref: RunRef): number {
  io.err(`Run ${ref.runId} does not exist in ${ref.bucket}.`);
  return EXIT.NOT_FOUND;
}

export const statusCommand = defineCommand({
  name: 'status',
  summary: `status <RUN_ID> [--bucket B] [--watch] [--json]
      the run and its tasks; --watch follows it until it ends`,
  help: `deploy-engine status <RUN_ID> [--bucket <iac-bucket>] [--region R] [--watch] [--interval <seconds>] [--json]

The run and its tasks: type, status, target, version, who started it, each task's status.
A run's type is one of:
${RUN_TYPES_HELP}

${RUN_ID_HELP}

  --watch           follow it until it ends: redrawn in place on a terminal, one line per change
                    in a log; the exit code is the run's (below)
  --interval <s>    seconds between two reads while watching (default 5)
  --json            print {"run": <run record>} (with --watch: once, when the run has ended)

Exit code: 0 the run succeeded, was skipped or is still running; 5 it ended otherwise;
3 no such run.`,
  options: { ...BUCKET_OPTIONS, watch: 'boolean', interval: 'value', json: 'boolean' },
  parse: (args) => {
    const ref = args.runRef(0);
    args.noMorePositionals(1);
    const interval = Number(args.text('interval') ?? '5');
    if (!(interval > 0)) throw new UsageError('--interval must be a positive number of seconds.');
    return {
      name: 'status' as const,
      ref,
      watch: args.flag('watch'),
      intervalMs: interval * 1000,
      json: args.flag('json'),
    };
  },
  run: async (command, io) => {
    const runs = runStore(command.ref.bucket, command.ref.region);
    const load = () => runs.getRun(command.ref.runId);
    let run: RunRecord | undefined;
    if (command.watch && !command.json) run = await watchRun(load, io, command.intervalMs);
    else {
      run = await load();
      while (run && command.watch && run.status === 'RUNNING') {
        await io.sleep(command.intervalMs);
        run = (await load()) ?? run;
      }
      if (run) io.out(command.json ? json({ run }) : formatRun(run));
    }
    if (!run) return notFound(io, command.ref);
    return succeeded(run) ? EXIT.OK : EXIT.RUN_NOT_SUCCEEDED;
  },
});

export const listCommand = defineCommand({
  name: 'list',
  summary: `list --bucket <iac-bucket> [--workspace W] [--environment E] [--limit N] [--json]
      recent runs, newest first`,
  help: `deploy-engine list --bucket <iac-bucket> [--region R] [--workspace W] [--environment E] [--limit N] [--json]

The recent runs of the IaC bucket, newest first (default 20), one a line under a header:
RUN_ID, STATUS, TYPE, TARGET (workspace/environment/application), VERSION, STARTED.

  --json   print {"runs": [<run record>, ...]}`,
  options: {
    ...BUCKET_OPTIONS,
    workspace: 'value',
    environment: 'value',
    limit: 'value',
    json: 'boolean',
  },
  parse: (args) => {
    args.noMorePositionals(0);
    const limit = Number(args.text('limit') ?? '20');
    if (!Number.isInteger(limit) || limit <= 0)
      throw new UsageError('--limit must be a positive whole number.');
    const workspace = args.text('workspace');
    const environment = args.text('environment');
    return {
      name: 'list' as const,
      bucket: args.text('bucket', true),
      region: args.region(),
      ...(workspace ? { workspace } : {}),
      ...(environment ? { environment } : {}),
      limit,
      json: args.flag('json'),
    };
  },
  run: async (command, io) => {
    const runs = await runStore(command.bucket, command.region).listRuns(command);
    io.out(command.json ? json({ runs }) : formatRunList(runs));
    return EXIT.OK;
  },
});

export const unlockStateCommand = defineCommand({
  name: 'unlock-state',
  summary: `unlock-state <RUN_ID> --state <PATH> --lock-id <ID>
      release a Terraform state lock a killed job left behind (the failed step prints this command)`,
  help: `deploy-engine unlock-state <RUN_ID> --state <PATH> --lock-id <ID> [--bucket B] [--region R]

Releases one Terraform state lock that a killed Terraform left behind, in the state backend the run
recorded, only for the run's own application and only while no run of ours is deploying it. PATH
is the state's Path as Terraform's Lock Info prints it (S3: <bucket>/<key>). The failed step
prints the command.

${RUN_ID_HELP}`,
  options: { ...BUCKET_OPTIONS, state: 'value', 'lock-id': 'value' },
  parse: (args) => {
    const ref = args.runRef(0);
    args.noMorePositionals(1);
    return {
      name: 'unlock-state' as const,
      ref,
      statePath: args.text('state', true),
      lockId: args.text('lock-id', true),
    };
  },
  run: async (command, io) => {
    const runs = runStore(command.ref.bucket, command.ref.region);
    const run = await runs.getRun(command.ref.runId);
    if (!run) return notFound(io, command.ref);
    // The state backend the run recorded, reached with the credentials of the environment.
    const backend = openStateBackend(run.tfstate, {
      s3In: (region) => createS3Client({ region, credentials: { mode: 'ambient' } }),
    });
    const released = await unlockState(runs, backend, {
      run,
      statePath: command.statePath,
      lockId: command.lockId,
    });
    io.out(
      `Released lock ${released.id} (${released.operation ?? 'operation unknown'} by ${released.who ?? 'unknown'}) on ${released.location}. Run the deployment again.`,
    );
    return EXIT.OK;
  },
});
