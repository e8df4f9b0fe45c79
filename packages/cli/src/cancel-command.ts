/**
 * `deploy-engine cancel <RUN_ID>`: the forced way out when a run holds its application's lock and
 * nothing closes it on its own (opened outside GitHub Actions and not yet past its lease, or a
 * GitHub workflow run that cannot be asked). It closes the run ABORTED and releases the lock, as
 * cancel-run does, after the person confirmed: on a terminal by typing the run id, otherwise only
 * with --yes. A step still executing the run notices within seconds and interrupts Terraform.
 */
import { createInterface } from 'node:readline/promises';
import {
  cliCommand,
  describeTarget,
  formatRunRef,
  parseRunRef,
  readHeartbeat,
  type ObjectStore,
  type RunStore,
} from '@deploy-engine/core';
import { defineCommand, EXIT } from './command';
import { actor, BUCKET_OPTIONS } from './options';
import { iacBucket, runStore } from './run-commands';

export interface CancelCommand {
  name: 'cancel';
  runRef: string;
  /** Confirmed beforehand: needed when stdin is not a terminal. */
  yes: boolean;
  /** Who cancels, recorded in the run's error. */
  by: string;
}

export interface CancelIo {
  out: (line: string) => void;
  /** Whether a person can answer (stdin is a terminal). */
  interactive: boolean;
  /** Asks one question and returns the answer line. */
  ask: (question: string) => Promise<string>;
}

/** Asks on the terminal (the prompt on stderr, so stdout stays the command's output). */
export async function askOnTerminal(question: string): Promise<string> {
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await terminal.question(question);
  } finally {
    terminal.close();
  }
}

/** Runs the command; returns the exit code (0 cancelled or nothing to do, 3 no such run, 4 not confirmed). */
export async function runCancel(
  command: CancelCommand,
  runs: RunStore,
  store: ObjectStore,
  io: CancelIo,
): Promise<number> {
  const { runId } = parseRunRef(command.runRef);
  const run = await runs.getRun(runId);
  if (!run) {
    io.out(`Run ${runId} does not exist in ${store.bucket}.`);
    return EXIT.NOT_FOUND;
  }
  const target = describeTarget(run.target);
  if (run.status !== 'RUNNING') {
    // Closing it again is harmless and releases a lock it may still hold.
    await runs.cancelRun(runId);
    io.out(
      `Run ${runId} already ended ${run.status}${run.finishedAt ? ` at ${run.finishedAt}` : ''}: nothing to cancel. It holds no lock of ${target}.`,
    );
    return 0;
  }
  const lock = await runs.lockOf(run.target);
  const beat = run.executor ? await readHeartbeat(store, runId) : undefined;
  const running = run.tasks.filter((t) => t.status === 'RUNNING');
  const runningNow =
    running.length > 0
      ? `; RUNNING now: ${running.map((t) => `${t.taskType} ${t.pluginAppliedAlias ?? ''}`.trim()).join(', ')} (its Terraform is interrupted and saves its state)`
      : '';
  const workers = run.pool ? await runs.workersOf(runId) : [];
  io.out(
    [
      `Run ${runId} (${run.type}, version ${run.version}) of ${target} is RUNNING, opened ${run.createdAt} by ${run.workflowRunUrl}.`,
      lock?.runId === runId
        ? `It holds the lock of ${target} since ${lock.acquiredAt}.`
        : `It does not hold the lock of ${target}${lock ? ` (run ${lock.runId} does)` : ''}.`,
      run.executor
        ? `Executed by ${run.executor.description} since ${run.executor.claimedAt}${beat?.executorId === run.executor.id ? `, last heartbeat ${beat.at}` : ', no heartbeat'}${runningNow}.`
        : run.pool
          ? `Executed by a pool of ${run.pool.size} workers since ${run.pool.since} (${workers.map((w) => `${w.worker.description}${w.worker.host ? ` on ${w.worker.host}` : ''}: ${w.leftAt ? `left ${w.leftAt}` : `last heartbeat ${w.at}`}`).join('; ') || 'none joined yet'})${runningNow}.`
          : 'No step executes it (it waits for approval, or its job was lost).',
      'Cancelling closes it ABORTED and releases the lock; it is never applied afterwards.',
    ].join('\n'),
  );
  if (!command.yes) {
    if (!io.interactive) {
      io.out(
        `Not cancelled: standard input is not a terminal, so nothing can confirm it. Run \`${cliCommand('cancel', command.runRef, '--yes')}\` to cancel without asking.`,
      );
      return EXIT.REFUSED;
    }
    const answer = (await io.ask(`Type the run id (${runId}) to cancel it: `)).trim();
    if (answer !== runId) {
      io.out(`Not cancelled: '${answer.slice(0, 40)}' is not the run id.`);
      return EXIT.REFUSED;
    }
  }
  const result = await runs.cancelRun(runId, {
    reason: `cancelled with ${cliCommand('cancel')} by ${command.by}`,
  });
  io.out(
    result.outcome === 'cancelled'
      ? `Run ${runId} is ABORTED (${result.aborted.length} task(s) aborted); the lock of ${target} is released.`
      : `Run ${runId} ended on its own meanwhile (${result.record?.status ?? 'gone'}); nothing was cancelled.`,
  );
  return 0;
}

export const cancelCommand = defineCommand({
  name: 'cancel',
  summary: `cancel <RUN_ID> [--bucket B] [--yes] [--by NAME]
      close a run ABORTED and release its lock (the force option; asks to type the run id)`,
  help: `deploy-engine cancel <RUN_ID> [--bucket <iac-bucket>] [--region R] [--yes] [--by NAME]

Closes a RUNNING run ABORTED and releases its application's lock, as cancel-run does: the way out
when a run holds the lock and nothing closes it on its own (opened outside GitHub Actions and
within its lease, or a workflow run GitHub cannot be asked about). It shows the run first and
asks you to type its run id; without a terminal it needs --yes. A step still executing the run
notices within seconds and stops Terraform, which saves its state. A cancelled run is never
applied afterwards.

RUN_ID is the run_id output of orchestrate-and-plan, or the bare ULID with --bucket.

  --yes        do not ask (scripts)
  --by NAME    who cancels, recorded in the run's error (default: the environment's user)

Exit code: 0 cancelled (or already ended); 3 no such run; 4 not confirmed.`,
  options: { ...BUCKET_OPTIONS, yes: 'boolean', by: 'value' },
  parse: (args) => {
    const ref = args.runRef(0);
    args.noMorePositionals(1);
    return { ref, yes: args.flag('yes'), by: actor(args.text('by')) };
  },
  run: async (command, io) => {
    const { ref } = command;
    return runCancel(
      { name: 'cancel', runRef: formatRunRef(ref), yes: command.yes, by: command.by },
      runStore(ref.bucket, ref.region),
      iacBucket(ref.bucket, ref.region),
      {
        out: (line) => io.out(line),
        interactive: process.stdin.isTTY === true,
        ask: askOnTerminal,
      },
    );
  },
});
