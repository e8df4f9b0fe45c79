/**
 * What a task handler works with: the run, its manifest, the stores, and the job's services, each
 * one capability (rendering a plugin, Terraform projects and their state backend, publishing
 * outputs, the IaC folders and what was deployed, the unified project). Types only: execution/
 * builds it for each job (see execution/job-context.ts); handlers never call back into the loop.
 */
import type { DeployedIacLedger } from '../deployment/deployed-iac';
import type { OutputPublisher } from '../deployment/output-publisher';
import type { PluginIacFolders } from '../deployment/plugin-iac';
import type { PluginRenderer } from '../deployment/plugin-renderer';
import type { PlanPolicy } from '../deployment/plan-policy';
import type { PlanRecord } from '../deployment/saved-plans';
import type { TerraformProjects } from '../deployment/terraform-projects';
import type { UnifiedProject } from '../deployment/unified-project';
import type { Logger } from '../logging';
import type { Manifest } from '../manifest';
import type { RunRecord, RunStore, RunWorker } from '../runs';
import type { ObjectStore } from '../store';
import type { ChangeSummary, OutputValue } from '../terraform';
import type { WorkspaceContextStore } from '../workspace';

export interface TaskContext {
  readonly run: RunRecord;
  readonly manifest: Manifest;
  /** The task's logger: its lines are also stored with the run, masked. */
  readonly logger: Logger;
  /** The job's private scratch folder. */
  readonly workDir: string;
  readonly stores: {
    runs: RunStore;
    /** The IaC bucket itself (saved plans are read back from it). */
    iacStore: ObjectStore;
    context: WorkspaceContextStore;
  };
  /** Renders a plugin of the run (in a rollback: the IaC that version deployed). */
  readonly renderer: Pick<PluginRenderer, 'render'>;
  /** Terraform projects, and where each keeps its state (`stateBackend`, the one place asked). */
  readonly terraform: Pick<TerraformProjects, 'project' | 'stateBackend'>;
  /** The output files and Connection Interfaces a deploy publishes and a destroy removes. */
  readonly outputs: Pick<OutputPublisher, 'checkTarget' | 'publish' | 'removeConnections'>;
  /** Classic mode's rendered IaC folders, and a removed plugin's last deployed IaC. */
  readonly iac: Pick<PluginIacFolders, 'dir' | 'store' | 'ensure' | 'restoreLast'>;
  /** The IaC digests of this job, and what the run deployed (the history points at it). */
  readonly ledger: Pick<DeployedIacLedger, 'digest' | 'deployed'>;
  /** Unified mode's project of the run, as this job holds it. */
  readonly unified: UnifiedProject;
  /** POLICY_COMMAND, when set: every plan a task makes is checked by it (none: no policy). */
  readonly policy?: Pick<PlanPolicy, 'check' | 'enforce'>;
  /**
   * Set for a task this worker re-claimed from a worker of the pool that was running it in this
   * attempt of the run and was lost: that worker's Terraform may have applied part of the plan.
   */
  readonly takeover?: { from: RunWorker };
}

/** A classic plugin that could not be planned before the run (its producers come first). */
export interface UnplannedPlugin {
  alias: string;
  /** Why it could not be planned before the run. */
  reason: string;
}

/**
 * How a DEPLOY or DESTROY used the reviewed plan: applied it, planned again and found the same
 * changes (because the Connection Interfaces or rendered IaC changed, or, `stateMoved`, the
 * state), applied what was left of it after a take-over (`remainder`), or had none (a run planned after approval, or opened by an older version).
 */
export type ReviewedPlanUse =
  | { kind: 'none' }
  | { kind: 'applied' }
  | { kind: 'replanned'; changedInterfaces: string[]; stateMoved?: boolean }
  /** Taken over from a lost worker: planned again, `done` of the reviewed changes were applied. */
  | { kind: 'remainder'; from: string; done: number; remaining: number };

/** What UNIFIED_DEPLOY published for one plugin. */
export interface PluginOutputs {
  alias: string;
  /** Relative to the output folder. */
  outputFile: string;
  outputs: Record<string, OutputValue>;
}

/** What a task did, for the reports and summaries. */
export interface TaskResult {
  changes?: ChangeSummary;
  outputs?: Record<string, OutputValue>;
  /** Output file written by a classic DEPLOY, relative to the output folder. */
  outputFile?: string;
  /** What UNIFIED_DEPLOY published per plugin. */
  pluginOutputs?: PluginOutputs[];
  /** Plans saved by a PLAN task. */
  plans?: PlanRecord[];
  /** Classic PLAN: the plugin could not be planned before the run. */
  unplanned?: UnplannedPlugin;
  /** Classic DEPLOY and DESTROY: whether the reviewed plan was applied, re-planned, or there was none. */
  reviewedPlan?: ReviewedPlanUse;
}
