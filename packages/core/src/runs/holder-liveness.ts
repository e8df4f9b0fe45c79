/**
 * Whether the run holding a target's lock is dead: a run whose job was lost without closing it
 * (a rejected approval whose cancel job had no credentials, a cancelled workflow, a lost runner)
 * must not block the target until someone runs a command. Asked by a new run that finds the lock
 * held (RunStore.createRun); a dead holder is closed ABORTED and superseded, anything else keeps
 * the lock.
 *
 * Who answers depends on what the holder is waiting on (its `subject`):
 * - a step executes it (executor claim): that step's GitHub workflow run attempt, else its
 *   heartbeat (silent longer than the heartbeat says: gone);
 * - no step executes it (waiting for approval): the GitHub workflow run attempt that opened it,
 *   else its lease from when it took the lock (6 hours unless the opener set another).
 * GitHub's answer comes through WorkflowRunLiveness (the actions implement it with the job's
 * token; the core never calls GitHub). Without an answer the lock is kept: refusing a run is
 * recoverable, applying over a live one is not.
 */
import { cliCommand } from '../commands';
import type { Heartbeat } from './heartbeat';
import { HEARTBEAT_INTERVAL_MS, HEARTBEAT_SILENCE_MS } from './heartbeat';
import type { RunLock, RunRecord, RunWorkerState, WorkflowRunRef } from './run-record';

/** What GitHub says of a workflow run attempt. */
export type WorkflowRunAnswer =
  | { state: 'completed'; conclusion: string | null }
  | { state: 'running'; status: string }
  /** No answer that can be trusted: why, and what the user can do. */
  | { state: 'unknown'; reason: string; hint: string; retryable: boolean };

/** Asks the CI that ran a workflow run whether the attempt is still running. */
export interface WorkflowRunLiveness {
  check(run: WorkflowRunRef): Promise<WorkflowRunAnswer>;
}

/** The decision on a lock's holder. */
export interface HolderVerdict {
  dead: boolean;
  /** Why, in words that finish "run X ...": e.g. "its workflow run ended without closing it (...)". */
  reason: string;
  /** What to do when the lock is kept for lack of an answer. */
  hint?: string;
  /** Whether trying again later can give another answer. */
  retryable: boolean;
}

export interface JudgeInput {
  holder: RunRecord;
  lock: RunLock;
  heartbeat?: Heartbeat;
  /** The workers of a holder executed by a pool (RunRecord.pool), with their heartbeats. */
  workers?: RunWorkerState[];
  /** Undefined outside GitHub Actions: a GitHub holder is then never taken over. */
  liveness?: WorkflowRunLiveness;
  now: Date;
  /** The lease of a lock that does not state its own. */
  defaultLeaseMs: number;
  /** The holder's RUN_ID, for the command the user may run. */
  holderRef: string;
}

/** Decides whether the RUNNING holder of a lock is dead. Never throws for GitHub's answers. */
export async function judgeHolder(input: JudgeInput): Promise<HolderVerdict> {
  const { holder } = input;
  const cancel = cancelAdvice(input.holderRef);
  if (holder.pool) return judgePool(input, holder.pool, cancel);
  const executor = holder.executor;
  const subject = executor ? executor.workflowRun : holder.workflowRun;
  if (subject) {
    const whose = executor
      ? `the workflow run executing it (${executor.description})`
      : 'its workflow run';
    return askGitHub(input, subject, whose, cancel);
  }
  const at = input.now.getTime();
  if (executor) {
    const beat = input.heartbeat?.executorId === executor.id ? input.heartbeat : undefined;
    const last = beat?.at ?? executor.claimedAt;
    const silenceMs = beat?.silenceMs ?? HEARTBEAT_SILENCE_MS;
    const silent = at - new Date(last).getTime();
    const said = `${beat ? 'sent its last heartbeat' : 'took it and sent no heartbeat since'} at ${last} (${minutes(silent)} ago)`;
    const rule = `a step executing a run sends one every ${seconds(HEARTBEAT_INTERVAL_MS)}; silent for more than ${minutes(silenceMs)}, it is gone`;
    return silent > silenceMs
      ? {
          dead: true,
          reason: `the step executing it (${executor.description}) ${said} and never closed it: ${rule}`,
          retryable: false,
        }
      : {
          dead: false,
          reason: `the step executing it (${executor.description}) ${said}; ${rule}`,
          hint: `Wait for it, or ${cancel}.`,
          retryable: true,
        };
  }
  const leaseMs = input.lock.leaseMs ?? input.defaultLeaseMs;
  const held = at - new Date(input.lock.acquiredAt).getTime();
  const until = new Date(new Date(input.lock.acquiredAt).getTime() + leaseMs).toISOString();
  return held > leaseMs
    ? {
        dead: true,
        reason: `its lease ended without it being closed: opened outside GitHub Actions at ${input.lock.acquiredAt}, no step executed it within its lease of ${minutes(leaseMs)}`,
        retryable: false,
      }
    : {
        dead: false,
        reason: `it was opened outside GitHub Actions ${minutes(held)} ago and waits for a step to execute it (an approval?); its lease of ${minutes(leaseMs)} keeps the lock until ${until}`,
        hint: `Wait for it, or ${cancel}.`,
        retryable: true,
      };
}

/** What GitHub says of the workflow run attempt `subject` the holder waits on. */
async function askGitHub(
  input: JudgeInput,
  subject: WorkflowRunRef,
  whose: string,
  cancel: string,
): Promise<HolderVerdict> {
  if (!input.liveness)
    return {
      dead: false,
      reason: `it was opened by GitHub workflow run ${subject.url}, and only a step running in GitHub Actions asks GitHub whether that run ended`,
      hint: `Run this from GitHub Actions, or, if that workflow run is over, ${cancel}.`,
      retryable: false,
    };
  const answer = await input.liveness.check(subject);
  if (answer.state === 'completed')
    return {
      dead: true,
      reason: `${whose} ended without closing it (${subject.url}: completed, conclusion ${answer.conclusion ?? 'none'})`,
      retryable: false,
    };
  if (answer.state === 'running')
    return {
      dead: false,
      reason: `${whose} ${subject.url} is still ${answer.status}${answer.status === 'waiting' ? ' (for an environment approval or a wait timer)' : ''}`,
      retryable: true,
    };
  return {
    dead: false,
    reason: `whether ${whose} (${subject.url}) ended could not be checked: ${answer.reason}`,
    hint: `${answer.hint} Or, if that workflow run is over, ${cancel}.`,
    retryable: answer.retryable,
  };
}

/**
 * A run executed by a pool of workers: under GitHub, the workflow run of its freshest worker (the
 * one that opened it while none joined) decides as for one step; outside it, the freshest
 * heartbeat of any worker (a worker's leaving counts as its last sign), the pool's start before
 * the first one.
 */
async function judgePool(
  input: JudgeInput,
  pool: NonNullable<RunRecord['pool']>,
  cancel: string,
): Promise<HolderVerdict> {
  const workers = [...(input.workers ?? [])].sort((a, b) => lastSign(b).localeCompare(lastSign(a)));
  const freshest = workers[0];
  const subject =
    workers.find((w) => w.worker.workflowRun)?.worker.workflowRun ?? input.holder.workflowRun;
  if (subject) {
    const whose = freshest?.worker.workflowRun
      ? `the workflow run executing it (a pool of ${pool.size} workers: ${freshest.worker.description})`
      : 'its workflow run';
    return askGitHub(input, subject, whose, cancel);
  }
  const last = freshest ? lastSign(freshest) : pool.since;
  const silenceMs = freshest?.silenceMs ?? HEARTBEAT_SILENCE_MS;
  const silent = input.now.getTime() - new Date(last).getTime();
  const said = freshest
    ? `its freshest worker (${freshest.worker.description}${freshest.worker.host ? ` on ${freshest.worker.host}` : ''}) ${freshest.leftAt ? 'left' : 'sent its last heartbeat'} at ${last} (${minutes(silent)} ago)`
    : `no worker of its pool of ${pool.size} registered since ${last} (${minutes(silent)} ago)`;
  const rule = `each worker of a pool sends a heartbeat every ${seconds(HEARTBEAT_INTERVAL_MS)}; all silent for more than ${minutes(silenceMs)}, the pool is gone`;
  return silent > silenceMs
    ? {
        dead: true,
        reason: `${said} and none closed it: ${rule}`,
        retryable: false,
      }
    : {
        dead: false,
        reason: `${said}; ${rule}`,
        hint: `Wait for it, or ${cancel}.`,
        retryable: true,
      };
}

/** A worker's last sign of life: its leaving, else its last heartbeat. */
function lastSign(state: RunWorkerState): string {
  return state.leftAt ?? state.at;
}

/** How a person stops a run: the workflow's cancel-run job, or the CLI (which asks to confirm). */
export function cancelAdvice(runRef: string): string {
  return `cancel it: run the cancel-run action with RUN_ID ${runRef}, or \`${cliCommand('cancel', runRef)}\` (it asks you to confirm)`;
}

function minutes(ms: number): string {
  if (ms < 120_000) return seconds(ms);
  const m = Math.round(ms / 60_000);
  return m % 60 === 0 && m >= 60 ? `${m / 60} h` : `${m} min`;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
