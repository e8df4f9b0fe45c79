/**
 * The CLI's audit commands: `logs` prints the task logs stored with a run, `prune` deletes finished
 * runs older than an age (dry run unless --yes), never what the deployment history needs.
 */
import { randomBytes } from 'node:crypto';
import {
  cliCommand,
  executePrune,
  getTaskLog,
  parseRunRef,
  planPrune,
  readRunFrom,
  type ObjectStore,
  type RunRef,
  type RunTask,
} from '@deploy-engine/core';
import { defineCommand, EXIT } from './command';
import { UsageError } from './usage-error';
import { BUCKET_OPTIONS } from './options';
import { iacBucket } from './run-commands';
import { escapeControls } from './terminal-text';

type Out = (line: string) => void;

export interface LogsCommand {
  name: 'logs';
  runRef: string;
  /** Only the task(s) with this runTaskId, plugin alias or task type. */
  task?: string;
  /** With a bare run id (the ULID of the log line): the IaC bucket and its region. */
  bucket?: string;
  region: string;
}

export interface PruneCommand {
  name: 'prune';
  bucket: string;
  region: string;
  olderThanDays: number;
  yes: boolean;
}

/** `--older-than 90d`: a whole number of days, at least 1. */
export function parseAge(text: string | undefined): number {
  const match = /^(\d+)d$/.exec(text ?? '');
  const days = Number(match?.[1]);
  if (!match || !(days >= 1))
    throw new UsageError(
      `--older-than takes a number of days, e.g. --older-than 90d (got '${text ?? ''}').`,
    );
  return days;
}

/** Where the run lives: a RUN_ID, or a bare run id with --bucket. */
export function logsRunRef(command: LogsCommand): RunRef {
  const bare = command.runRef.trim();
  if (command.bucket && /^[0-9A-HJKMNP-TV-Z]{26}$/.test(bare))
    return { runId: bare, bucket: command.bucket, region: command.region };
  return parseRunRef(command.runRef);
}

export async function runLogs(
  command: LogsCommand,
  storeFor: (bucket: string, region: string) => ObjectStore,
  out: Out,
): Promise<number> {
  const ref = logsRunRef(command);
  const store = storeFor(ref.bucket, ref.region);
  const run = await readRunFrom(store, ref.runId);
  if (!run) {
    out(`Run ${ref.runId} does not exist in ${ref.bucket}.`);
    return EXIT.NOT_FOUND;
  }
  const wanted = command.task;
  const tasks = wanted
    ? run.tasks.filter(
        (t) => t.runTaskId === wanted || t.pluginAppliedAlias === wanted || t.taskType === wanted,
      )
    : run.tasks;
  if (tasks.length === 0) {
    out(
      `Run ${ref.runId} has no task '${wanted ?? ''}': its tasks are ${run.tasks.map(describeTask).join(', ') || 'none'}.`,
    );
    return EXIT.NOT_FOUND;
  }
  for (const task of tasks) {
    const text = await getTaskLog(store, ref.runId, task.runTaskId);
    out(`== ${describeTask(task)}: ${task.status}`);
    out(
      text === undefined
        ? task.status === 'PENDING' || task.status === 'READY_TO_RUN' || task.status === 'ABORTED'
          ? '(no log: the task did not run)'
          : '(no log stored with the run)'
        : printable(text.replace(/\n$/, '')),
    );
  }
  return 0;
}

function describeTask(task: RunTask): string {
  return `${task.taskType}${task.pluginAppliedAlias ? ` ${task.pluginAppliedAlias}` : ''} (${task.runTaskId})`;
}

/**
 * A stored log as it is safe to print: terminal control characters shown as escapes (a plugin's
 * output must not drive the terminal), and, inside a GitHub job (the CLI as a workflow step),
 * wrapped so the runner reads no workflow command in it.
 */
export function printable(text: string, env: NodeJS.ProcessEnv = process.env): string {
  const visible = escapeControls(text);
  const plain = visible.replace(/[^\x21-\x7e]/g, '');
  if (env.GITHUB_ACTIONS !== 'true' || (!plain.includes('::') && !plain.includes('##[')))
    return visible;
  const token = randomBytes(16).toString('hex');
  return `::stop-commands::${token}\n${visible}\n::${token}::`;
}

export async function runPrune(
  command: PruneCommand,
  store: ObjectStore,
  out: Out,
): Promise<number> {
  const plan = await planPrune(store, { olderThanDays: command.olderThanDays });
  const objects = plan.delete.reduce((n, c) => n + c.objects, 0);
  out(
    `Finished runs that ended before ${plan.cutoff} in ${command.bucket}: ${plan.delete.length} to delete (${objects} object(s) under runs/), ${plan.kept.length} kept.`,
  );
  for (const c of plan.delete)
    out(
      `  delete ${c.runId}  ${(c.status ?? 'no record').padEnd(13)} ended ${c.endedAt}  ${c.objects} object(s)`,
    );
  for (const k of plan.kept) out(`  keep   ${k.runId}  ${k.reason}`);
  if (!command.yes) {
    if (plan.delete.length > 0)
      out(
        `Dry run: nothing was deleted. To delete them: ${cliCommand('prune', '--older-than', `${command.olderThanDays}d`, '--bucket', command.bucket, '--yes')}`,
      );
    return 0;
  }
  const { deleted, skipped } = await executePrune(store, plan);
  for (const s of skipped) out(`  skipped ${s.runId}: ${s.reason}`);
  out(`Deleted ${deleted.length} run(s).`);
  return 0;
}

export const logsCommand = defineCommand({
  name: 'logs',
  summary: `logs <RUN_ID> [--bucket B] [--task <id|alias|type>]
      the task logs stored with the run (masked)`,
  help: `deploy-engine logs <RUN_ID> [--bucket <iac-bucket>] [--region R] [--task <id|alias|type>]

Prints the log of each task of the run as runtime-tasks (and orchestrate-and-plan for plans)
stored it with the run: masked like the job log, capped at about 1 MiB, kept after GitHub's log
retention. Terminal control characters are shown as escapes.

RUN_ID is the run_id output of orchestrate-and-plan, or the bare ULID with --bucket.

  --task <x>   only the task(s) with this run task id, plugin alias or task type

Exit code: 0 printed; 3 no such run or task.`,
  options: { ...BUCKET_OPTIONS, task: 'value' },
  parse: (args): LogsCommand => {
    const runRef = args.positional(
      0,
      'a RUN_ID (<ULID>@<iac-bucket>, or the bare ULID with --bucket)',
    );
    args.noMorePositionals(1);
    const task = args.text('task');
    const bucket = args.text('bucket');
    return {
      name: 'logs',
      runRef,
      region: args.region(),
      ...(task ? { task } : {}),
      ...(bucket ? { bucket } : {}),
    };
  },
  run: (command, io) => runLogs(command, iacBucket, (line) => io.out(line)),
});

export const pruneCommand = defineCommand({
  name: 'prune',
  summary: `prune --older-than <N>d --bucket <iac-bucket> [--region R] [--yes]
      delete finished runs older than N days (dry run without --yes); never what the history needs`,
  help: `deploy-engine prune --older-than <N>d --bucket <iac-bucket> [--region R] [--yes]

Lists the finished runs that ended more than N days ago and, with --yes, deletes their objects
under runs/ (record, artifacts, plans, task logs). Never deleted: a RUNNING run, a run a lock
names, a run the deployment history (last deployment, versions ROLLBACK_TO can return to) names,
and nothing outside runs/.

  --older-than <N>d   age in whole days, e.g. 90d
  --yes               delete (without it: only list)

Exit code: 0 listed or deleted.`,
  options: { ...BUCKET_OPTIONS, 'older-than': 'value', yes: 'boolean' },
  parse: (args): PruneCommand => {
    args.noMorePositionals(0);
    return {
      name: 'prune',
      bucket: args.text('bucket', true),
      region: args.region(),
      olderThanDays: parseAge(args.text('older-than', true)),
      yes: args.flag('yes'),
    };
  },
  run: (command, io) =>
    runPrune(command, iacBucket(command.bucket, command.region), (line) => io.out(line)),
});
