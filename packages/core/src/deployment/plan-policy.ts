/**
 * The policy checks of a job's plans (POLICY_COMMAND, see policy/): orchestrate-and-plan checks
 * every plan it saves (a refused plan fails its PLAN task: the run is closed, never approvable),
 * runtime-tasks every plan it makes itself (re-plans, plugins planned only after approval) and
 * refuses to apply one whose saved record says the policy refused it. Each verdict is kept for the
 * job summary and logged, masked.
 */
import { ConfigurationError } from '../errors';
import type { Logger } from '../logging';
import { checkPlanPolicy, type PolicyOptions, type PolicyVerdict } from '../policy';
import type { Manifest } from '../manifest';
import type { PlanKind } from './artifacts';

/** Which plan a verdict is about. */
export interface PolicyPlanRef {
  /** The plan's storage name (`plugins/<alias>`, `deploy`, `destroy`). */
  name: string;
  /** Classic mode: the plugin planned. */
  alias?: string;
  kind: PlanKind;
}

/** One plan checked by the policy in this job, for the job summary. */
export interface PolicyCheck extends PolicyPlanRef {
  /** `plan`: before approval (orchestrate-and-plan); `apply`: a plan runtime-tasks made. */
  stage: 'plan' | 'apply';
  verdict: PolicyVerdict;
}

export interface PlanPolicyDeps {
  logger: Logger;
  /** The job's scratch folder. */
  workDir: string;
  runId: string;
  manifest: Manifest;
  stage: 'plan' | 'apply';
  /** The secrets met so far (asked at each check: tasks add to them). */
  secrets: () => readonly string[];
  /** The step's own masker. */
  mask?: (text: string) => string;
  signal?: AbortSignal;
}

/** How much of the output a refusal's message repeats (the summary and the record have it all). */
const MESSAGE_OUTPUT_MAX = 2000;

export class PlanPolicy {
  /** Every verdict of this job, in order. */
  readonly checks: PolicyCheck[] = [];

  constructor(
    private readonly options: PolicyOptions,
    private readonly deps: PlanPolicyDeps,
  ) {}

  /** Runs the policy on a plan's JSON (`terraform show -json`); logs and keeps the verdict. */
  async check(json: string, plan: PolicyPlanRef): Promise<PolicyVerdict> {
    const { logger, manifest, stage } = this.deps;
    const what = describePlan(plan);
    const { target } = manifest;
    const verdict = await checkPlanPolicy(
      this.options,
      {
        json,
        ...(plan.alias !== undefined ? { alias: plan.alias } : {}),
        kind: plan.kind,
        runId: this.deps.runId,
        workspace: target.workspace,
        environment: target.environment,
        app: target.appName,
        // Only unified mode's plans are of the whole project, without a plugin alias.
        mode: plan.alias !== undefined ? 'classic' : 'unified',
        stage,
      },
      {
        workDir: this.deps.workDir,
        secrets: this.deps.secrets(),
        ...(this.deps.mask ? { mask: this.deps.mask } : {}),
        ...(this.deps.signal ? { signal: this.deps.signal } : {}),
        onLine: (line) => logger.info(`policy | ${line}`),
      },
    );
    this.checks.push({ ...plan, stage, verdict });
    const line = `Policy check (POLICY_COMMAND, SHA-256 ${verdict.commandSha256.slice(0, 12)}) of the ${what}: the command ${verdict.outcome}, so the plan ${verdict.passed ? 'passes' : 'is REFUSED'}.`;
    if (verdict.passed) logger.info(line);
    else logger.error(line);
    return verdict;
  }

  /** For a plan runtime-tasks made itself: checks it and throws when the policy refuses it. */
  async enforce(json: string, plan: PolicyPlanRef): Promise<void> {
    const verdict = await this.check(json, plan);
    if (!verdict.passed) throw policyRefusal(plan, verdict, this.deps.stage);
  }
}

/** The error that fails a task whose plan the policy refused (USER_ERROR: nothing is applied). */
export function policyRefusal(
  plan: Omit<PolicyPlanRef, 'name'>,
  verdict: PolicyVerdict,
  stage: 'plan' | 'apply',
): ConfigurationError {
  const output = verdict.output
    ? ` Its output${verdict.output.length > MESSAGE_OUTPUT_MAX ? ' (end)' : ''}:\n${verdict.output.slice(-MESSAGE_OUTPUT_MAX)}`
    : ' It printed nothing.';
  return new ConfigurationError({
    message: `The policy (POLICY_COMMAND) refused the ${describePlan(plan)}: the command ${verdict.outcome}.${output}`,
    hint:
      stage === 'plan'
        ? 'Nothing can be approved or applied from this plan (a run is closed; a preview keeps no plan). Change the plugin or its inputs (or the policy) and run the workflow again; the job summary shows the output under "Policy checks".'
        : 'Nothing of this plan was applied. Change the plugin or its inputs (or the policy) and start a new run.',
  });
}

/**
 * Refuses a saved plan whose record says the policy refused it: such a run is closed when it is
 * planned, so meeting one means the records were changed or written by something else.
 */
export function refuseRefusedPlan(
  runId: string,
  record: { alias?: string; kind: PlanKind; policy?: PolicyVerdict },
): void {
  if (record.policy === undefined || record.policy.passed === true) return;
  throw new ConfigurationError({
    message: `The saved ${describePlan(record)} of run ${runId} was refused by the policy (POLICY_COMMAND) when it was planned: the command ${record.policy.outcome}. A refused plan is never applied. Nothing was applied.`,
    hint: 'Start a new run (re-run the workflow) with a plan the policy accepts, and check who can write to the IaC bucket.',
  });
}

function describePlan(plan: { alias?: string; kind: PlanKind }): string {
  if (plan.alias) return `${plan.kind === 'destroy' ? 'destroy plan' : 'plan'} of ${plan.alias}`;
  return `${plan.kind} plan`;
}
