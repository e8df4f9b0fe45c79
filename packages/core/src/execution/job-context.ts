/**
 * The TaskContext of one job: the job's services, built once and shared by its tasks (the
 * Terraform projects reuse the installed versions and the provider mirror; the unified project is
 * initialized once; the secrets met by one task are masked in the next).
 */
import { iacArtifact } from '../deployment/artifacts';
import { DeployedIacLedger } from '../deployment/deployed-iac';
import { DiagnosticPlaces } from '../deployment/diagnostic-places';
import { OutputPublisher } from '../deployment/output-publisher';
import { PluginIacFolders } from '../deployment/plugin-iac';
import { PlanPolicy } from '../deployment/plan-policy';
import { PluginRenderer } from '../deployment/plugin-renderer';
import { SecretMasker } from '../deployment/secret-masker';
import type { TemplateWarnings } from '../deployment/template-warnings';
import { TerraformProjects } from '../deployment/terraform-projects';
import { UnifiedProject } from '../deployment/unified-project';
import type { Manifest } from '../manifest';
import type { RunRecord } from '../runs';
import type { TaskContext } from '../task-handlers';
import type { ExecuteDependencies, ExecuteOptions } from './execute-options';

export interface JobContext {
  context: TaskContext;
  /** Once per job, before any task: the repository files and the Terraform versions. */
  prepare(): Promise<void>;
  /** What the job's tasks deployed, per plugin alias (for recordRunOutcome). */
  ledger: DeployedIacLedger;
  /** POLICY_COMMAND's checks of this job's plans, when one is set. */
  policy?: PlanPolicy;
}

/** @param deps the stores, with the logger every task's lines go through */
export function jobContext(
  deps: ExecuteDependencies,
  options: ExecuteOptions,
  run: RunRecord,
  manifest: Manifest,
  warnings: TemplateWarnings,
): JobContext {
  const masker = new SecretMasker(deps.logger);
  const places = new DiagnosticPlaces(deps.runs, run.runId, manifest, options);
  const ledger = new DeployedIacLedger((alias) =>
    deps.runs.artifactKey(run.runId, iacArtifact(alias)),
  );
  const terraform = new TerraformProjects(deps, run, manifest, options, places, masker);
  const policy = options.policy
    ? new PlanPolicy(options.policy, {
        logger: deps.logger,
        workDir: options.workDir,
        runId: run.runId,
        manifest,
        // The job that leaves the run open is orchestrate-and-plan's, before approval.
        stage: options.leaveOpen ? 'plan' : 'apply',
        secrets: () => [...(options.terraform.secrets ?? []), ...masker.secrets],
        ...(options.maskLog ? { mask: options.maskLog } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      })
    : undefined;
  const renderer = new PluginRenderer(deps, run, manifest, options, places, warnings, masker);
  const context: TaskContext = {
    run,
    manifest,
    logger: deps.logger,
    workDir: options.workDir,
    stores: { runs: deps.runs, iacStore: deps.iacStore, context: deps.context },
    renderer,
    terraform,
    outputs: new OutputPublisher(deps, manifest, run.runId, options, masker),
    iac: new PluginIacFolders(deps, run.runId, manifest, options.workDir, ledger),
    ledger,
    unified: new UnifiedProject(deps, run.runId, manifest, options.workDir, terraform),
    ...(policy ? { policy } : {}),
  };
  const prepare = () => {
    renderer.prepare();
    return terraform.prepare();
  };
  return { context, prepare, ledger, ...(policy ? { policy } : {}) };
}
