/**
 * Saved plans, in both modes: `terraform plan -out` stored in the IaC bucket byte for byte with
 * its SHA-256, the state version it was made against, its resource changes and the provider lock
 * file, so the approved job applies exactly what was reviewed, or refuses and says why.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfigurationError, STORED_OBJECT_HINTS, StoredObjectError } from '../errors';
import type { Logger } from '../logging';
import type { RunStore } from '../runs';
import type { StateVersion, TerraformProject } from '../terraform';
import {
  compareDestroys,
  countChanges,
  destroyedAddresses,
  readPlanChanges,
  readResourceDetails,
  type PlanCounts,
  type ResourceChange,
  type ResourceDetail,
} from '../plan-review';
import type { PolicyVerdict } from '../policy';
import { planArtifact, planFile, planTextFile, type PlanKind } from './artifacts';
import { policyRefusal, refuseRefusedPlan, type PlanPolicy } from './plan-policy';

/** What a PLAN task recorded about one saved plan. */
export interface PlanRecord {
  /** Storage name: `deploy`, `destroy` (unified) or `plugins/<alias>` (classic). */
  name: string;
  kind: PlanKind;
  /** Classic mode: the plugin planned. */
  alias?: string;
  /** Object keys (IaC bucket) of the plan file and of its text. */
  fileKey: string;
  textKey: string;
  sha256: string;
  /** The state the plan was made against; null when there was none yet. */
  state: StateVersion | null;
  targets: string[];
  changes: ResourceChange[];
  /**
   * What changes in each resource, attribute by attribute, sensitive values masked, bounded by
   * DETAIL_LIMITS (values cut, attributes and resources counted or left out; the full text is at
   * `textKey`). Absent in records written before it existed.
   */
  details?: ResourceDetail[];
  counts: PlanCounts;
  hasChanges: boolean;
  /** `.terraform.lock.hcl` after init, so the apply job installs the very same providers. */
  lockFile?: string;
  /** Classic mode: the digest of the IaC planned; another digest at apply time means new inputs. */
  iacDigest?: string;
  /** Classic mode: SHA-256 of each required Connection Interface's values used in the plan. */
  connections?: Record<string, string>;
  /** The policy's verdict (POLICY_COMMAND), when one was set; a refused plan is never applied. */
  policy?: PolicyVerdict;
  plannedAt: string;
}

export interface SavePlanOptions {
  name: string;
  kind: PlanKind;
  /** Where terraform writes the plan file. */
  file: string;
  targets: string[];
  state: StateVersion | null;
  lockFile?: string;
  alias?: string;
  iacDigest?: string;
  connections?: Record<string, string>;
  /** POLICY_COMMAND: checked before the record is saved; a refused plan fails the task after. */
  policy?: Pick<PlanPolicy, 'check'>;
}

/**
 * Plans, stores the plan, its text and its record. With a policy, the record carries its verdict,
 * and a refused plan throws (USER_ERROR) once recorded: the run is closed, never approvable.
 */
export async function savePlan(
  runs: RunStore,
  runId: string,
  terraform: TerraformProject,
  logger: Logger,
  options: SavePlanOptions,
): Promise<PlanRecord> {
  const result = await terraform.plan({
    out: options.file,
    destroy: options.kind === 'destroy',
    targets: options.targets,
  });
  const bytes = await readFile(options.file);
  const text = result.text;
  const json = await terraform.show(options.file, { json: true });
  const changes = readPlanChanges(json);
  const details = readResourceDetails(json);
  const plan = {
    name: options.name,
    kind: options.kind,
    ...(options.alias !== undefined ? { alias: options.alias } : {}),
  };
  const policy = await options.policy?.check(json, plan);
  const fileKey = await runs.putFile(runId, planFile(options.name), bytes, 'application/zip');
  const textKey = await runs.putFile(
    runId,
    planTextFile(options.name),
    Buffer.from(text),
    'text/plain; charset=utf-8',
  );
  const record: PlanRecord = {
    name: options.name,
    kind: options.kind,
    ...(options.alias !== undefined ? { alias: options.alias } : {}),
    targets: options.targets,
    state: options.state,
    ...(options.lockFile !== undefined ? { lockFile: options.lockFile } : {}),
    ...(options.iacDigest !== undefined ? { iacDigest: options.iacDigest } : {}),
    ...(options.connections !== undefined ? { connections: options.connections } : {}),
    fileKey,
    textKey,
    sha256: sha256(bytes),
    changes,
    details,
    counts: countChanges(changes),
    hasChanges: result.hasChanges,
    ...(policy !== undefined ? { policy } : {}),
    plannedAt: new Date().toISOString(),
  };
  await runs.putArtifact(runId, planArtifact(options.name), record);
  const c = record.counts;
  logger.info(
    `Saved the ${options.alias ? `plan of ${options.alias}` : `${options.kind} plan`} (SHA-256 ${record.sha256.slice(0, 12)}): ${c.add} to add, ${c.change} to change, ${c.destroy} to destroy, ${c.replace} to replace.`,
  );
  if (policy && !policy.passed) throw policyRefusal(plan, policy, 'plan');
  return record;
}

/** The saved plan `name` of the run, to apply: refused when the policy refused it. */
export async function loadPlanRecord(
  runs: RunStore,
  runId: string,
  name: string,
): Promise<PlanRecord | undefined> {
  const record = await runs.getArtifact<PlanRecord>(runId, planArtifact(name));
  if (record) refuseRefusedPlan(runId, record);
  return record;
}

/**
 * Plans the reviewed destroy again (same targets) into `file`, when the state it was made against
 * has moved; refused, listing the differences, unless it destroys exactly the reviewed resources,
 * and, with a policy, unless the policy accepts it. Returns how many resources it destroys; the
 * caller applies `file`.
 */
export async function replanReviewedDestroy(
  terraform: TerraformProject,
  record: PlanRecord,
  file: string,
  refusal: { title: string; nothing: string; hint: string },
  policy?: Pick<PlanPolicy, 'enforce'>,
): Promise<number> {
  await terraform.plan({ out: file, destroy: true, targets: record.targets });
  const json = await terraform.show(file, { json: true });
  const now = destroyedAddresses(readPlanChanges(json));
  const differences = compareDestroys(destroyedAddresses(record.changes), now);
  if (differences.length > 0) {
    throw new ConfigurationError(
      [
        ...differences.map((message) => ({ message })),
        { message: refusal.nothing, hint: refusal.hint },
      ],
      refusal.title,
    );
  }
  await policy?.enforce(json, {
    name: record.name,
    kind: 'destroy',
    ...(record.alias !== undefined ? { alias: record.alias } : {}),
  });
  return now.length;
}

/** The saved plan's bytes, refused when they are not the bytes that were reviewed. */
export async function verifiedPlanBytes(
  runs: RunStore,
  bucket: string,
  runId: string,
  record: PlanRecord,
): Promise<Buffer> {
  const what = record.alias ? `plan of ${record.alias}` : `${record.kind} plan`;
  const bytes = await runs.getFile(runId, planFile(record.name));
  const object = { bucket, key: record.fileKey };
  if (!bytes) {
    throw new StoredObjectError(
      { ...object, problem: 'missing' },
      `is missing: it is the saved ${what} of run ${runId}, which was reviewed. Nothing was applied.`,
      STORED_OBJECT_HINTS.newRun,
    );
  }
  const actual = sha256(bytes);
  if (actual !== record.sha256) {
    throw new StoredObjectError(
      { ...object, problem: 'corrupt' },
      `is the saved ${what} of run ${runId}, but it is not the plan that was reviewed: its SHA-256 is ${actual}, the PLAN task recorded ${record.sha256}. Nothing was applied.`,
      'Someone or something changed the plan file after review; check who can write to the IaC bucket, then re-run the workflow to plan again.',
    );
  }
  return Buffer.from(bytes);
}

/** Refuses to go on when the state moved since the plan was made. */
export function refuseStaleState(
  runId: string,
  record: PlanRecord,
  now: StateVersion | null,
): void {
  const moved = stateMoved(record.state, now);
  if (!moved) return;
  const what = record.alias ? `plan of ${record.alias}` : `${record.kind} plan`;
  throw new ConfigurationError({
    message: `The saved ${what} of run ${runId} is stale: ${moved} since it was made at ${record.plannedAt}. Applying it could undo or repeat someone else's change.`,
    hint: 'Nothing was applied. Re-run the workflow so orchestrate-and-plan plans against the current state, and review the new plan.',
  });
}

/** How the state moved between two versions, in words; undefined when it did not. */
export function stateMoved(
  planned: StateVersion | null,
  now: StateVersion | null,
): string | undefined {
  if (planned === null && now === null) return undefined;
  if (planned === null) return `a state was created (serial ${now?.serial ?? '?'})`;
  if (now === null) return 'the state was deleted';
  if (planned.lineage !== now.lineage)
    return `the state was replaced by another one (lineage ${planned.lineage} → ${now.lineage})`;
  if (planned.serial !== now.serial)
    return `the state was written ${now.serial - planned.serial} time(s) (serial ${planned.serial} → ${now.serial})`;
  return undefined;
}

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
