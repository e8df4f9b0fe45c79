/**
 * Closing a pool's run once: every worker that sees every task SUCCEEDED tries, and exactly one
 * does it. It takes the run's closing marker (`pool/closer`, an artifact of the run created with
 * If-None-Match; a lost answer is recognised by the worker id read back), records the outcome (the
 * deployment history, the consumer index) and finishes the run SUCCEEDED. The others wait for the
 * close (they read the run anyway) so the last one to leave sees how the run ended.
 *
 * What the deployment history needs from each plugin's deploy (which stored IaC it applied) is in
 * the memory of the worker that deployed it: in a pool each deploy also stores it as a small
 * artifact (`pool/deployed/<alias>`), which the closing worker reads for the deploys it did not do.
 */
import { closeAfterFailure } from '../deployment/close-after-failure';
import type { DeployedIacEntry, DeployedIacLedger } from '../deployment/deployed-iac';
import { incompleteRun } from '../deployment/task-list-check';
import type { Manifest } from '../manifest';
import { recordRunOutcome } from '../run-types';
import type { RunRecord, RunWorker } from '../runs';
import { PreconditionFailedError } from '../store';
import type { TaskTable } from '../task-handlers';
import type { ExecuteDependencies } from './execute-options';

const CLOSER_ARTIFACT = 'pool/closer';
const SUMMARY_ARTIFACT = 'pool/summary';

export function deployedArtifact(alias: string): string {
  return `pool/deployed/${alias}`;
}

/** After a deploy on this worker: what it applied, for whichever worker closes the run. */
export async function shareDeployedIac(
  deps: ExecuteDependencies,
  runId: string,
  alias: string,
  ledger: DeployedIacLedger,
): Promise<void> {
  const entry = ledger.deployedOf(alias);
  if (entry) await deps.runs.putArtifact(runId, deployedArtifact(alias), entry);
}

export interface PoolClose {
  run: RunRecord;
  /** This worker closed the run. */
  closedHere: boolean;
  error?: unknown;
}

/**
 * Closes the run SUCCEEDED if this worker takes the closing marker, else waits (up to `waitMs`)
 * for the worker that took it. `nextRead` gives the run as the worker's watch reads it.
 */
export async function closePoolRun(
  deps: ExecuteDependencies,
  job: {
    run: RunRecord;
    manifest: Manifest;
    table: TaskTable;
    ledger: DeployedIacLedger;
    worker: RunWorker;
    terraformVersion: string;
    waitMs: number;
    nextRead: () => Promise<RunRecord | undefined>;
  },
): Promise<PoolClose> {
  const { run, worker } = job;
  const current = (await deps.runs.getRun(run.runId)) ?? run;
  if (current.status !== 'RUNNING') return { run: current, closedHere: false };
  if (!(await takeMarker(deps, run.runId, markerOf(CLOSER_ARTIFACT, run), worker))) {
    deps.logger.info('Every task of the run SUCCEEDED; another worker of the pool closes the run.');
    const deadline = Date.now() + job.waitMs;
    let latest = current;
    while (latest.status === 'RUNNING' && Date.now() < deadline)
      latest = (await job.nextRead()) ?? (await deps.runs.getRun(run.runId)) ?? latest;
    if (latest.status === 'RUNNING')
      deps.logger.warning(
        `Run ${run.runId} is still RUNNING ${Math.round(job.waitMs / 1000)} s after every task succeeded: the worker closing it may be gone. This worker leaves; a later run finds the run dead and takes its lock over.`,
      );
    return { run: latest, closedHere: false };
  }
  try {
    const incomplete = incompleteRun(current);
    if (incomplete) throw incomplete;
    const deployed = await deployedIacOf(deps, current, job);
    await recordRunOutcome(
      deps,
      current,
      job.manifest,
      job.table.mode(current.tasks),
      (alias) => deployed.get(alias),
      job.terraformVersion,
    );
    return { run: await deps.runs.finishRun(run.runId, 'SUCCEEDED'), closedHere: true };
  } catch (error) {
    await closeAfterFailure(deps, run.runId, error);
    return { run: (await deps.runs.getRun(run.runId)) ?? current, closedHere: true, error };
  }
}

/**
 * Of the workers that found no other still in when they left (two leaving at once may both), the
 * one that writes the run's summary.
 */
export async function takeRunSummary(
  deps: ExecuteDependencies,
  run: Pick<RunRecord, 'runId' | 'attempts'>,
  worker: RunWorker,
): Promise<boolean> {
  return takeMarker(deps, run.runId, markerOf(SUMMARY_ARTIFACT, run), worker);
}

/**
 * A marker of this attempt of the run (`pool/closer`, then `pool/closer-1` once resumed, …): the
 * workers of a resumed run close it and sum it up afresh, whatever the failed attempt took.
 */
function markerOf(name: string, run: Pick<RunRecord, 'attempts'>): string {
  const attempt = run.attempts?.length ?? 0;
  return attempt === 0 ? name : `${name}-${attempt}`;
}

/** A marker of the run, taken at most once: true when this worker holds it. */
async function takeMarker(
  deps: ExecuteDependencies,
  runId: string,
  name: string,
  worker: RunWorker,
): Promise<boolean> {
  const key = deps.runs.artifactKey(runId, name);
  try {
    await deps.iacStore.putJson(
      key,
      { workerId: worker.id, at: new Date().toISOString() },
      { ifNoneMatch: '*' },
    );
    return true;
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    // Taken: by another worker, or by this one when the answer to its write was lost.
    const stored = await deps.iacStore.getJson<{ workerId: string }>(key);
    return stored?.value.workerId === worker.id;
  }
}

/** The IaC each plugin's deploy applied, from this worker's ledger or the deploying worker's note. */
async function deployedIacOf(
  deps: ExecuteDependencies,
  run: RunRecord,
  job: { manifest: Manifest; table: TaskTable; ledger: DeployedIacLedger },
): Promise<Map<string, DeployedIacEntry>> {
  const found = new Map<string, DeployedIacEntry>();
  const elsewhere: string[] = [];
  for (const alias of job.manifest.deployOrder) {
    const own = job.ledger.deployedOf(alias);
    if (own) found.set(alias, own);
    else elsewhere.push(alias);
  }
  const notes = await Promise.all(
    elsewhere.map(async (alias) => ({
      alias,
      entry: await deps.runs.getArtifact<DeployedIacEntry>(run.runId, deployedArtifact(alias)),
    })),
  );
  for (const { alias, entry } of notes) if (entry) found.set(alias, entry);
  return found;
}
