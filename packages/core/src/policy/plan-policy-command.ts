/**
 * Runs the workflow author's policy command (POLICY_COMMAND) on one plan's JSON and says whether
 * the plan passes. The command is trusted (the workflow author wrote it), the plan is not (plugin
 * and pull-request authors shape it), so the command runs:
 *
 * - with `bash -c`, in a scratch folder of its own that holds the plan's JSON
 *   (`terraform show -json`, sensitive values in clear text as conftest and checkov expect them)
 *   and is deleted when the command ends: the JSON is never stored;
 * - with a minimal environment: PATH, HOME, TMPDIR and the DEPLOY_ENGINE_* variables below, never
 *   the job's AWS credentials, tokens or inputs;
 * - in a process group of its own, stopped (SIGINT, SIGTERM, then SIGKILL to the whole group)
 *   when it outlives its time limit, prints more than POLICY_OUTPUT_STOP or the job is cancelled
 *   (see policy-process.ts);
 * - with its stdout and stderr captured, masked (the job's secrets and the plan's sensitive values,
 *   in their encoded forms too) and capped before anything shows them.
 *
 * Any exit but 0 refuses the plan: a non-zero code, a signal, the time limit, or a command that
 * could not start.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { secretMasker } from '../logging';
import { runPolicyProcess, type PolicyProcessResult } from './policy-process';
import { sensitiveValues } from './sensitive-values';

/** POLICY_COMMAND and POLICY_TIMEOUT_SECONDS, as the actions read them. */
export interface PolicyOptions {
  /** A bash command line (run with `bash -c`). */
  command: string;
  /** How long the command may run before it is stopped and the plan refused. */
  timeoutSeconds: number;
  /** The checkout, given to the command as DEPLOY_ENGINE_CHECKOUT (its policies live there). */
  checkoutDir?: string;
}

/** POLICY_TIMEOUT_SECONDS when not given. */
export const DEFAULT_POLICY_TIMEOUT_SECONDS = 300;

/** What the command is told about the plan (the DEPLOY_ENGINE_* variables). */
export interface PolicyPlan {
  /** `terraform show -json` of the plan. */
  json: string;
  /** The plugin planned (classic mode); none for unified mode's whole-project plan. */
  alias?: string;
  kind: 'deploy' | 'destroy';
  runId: string;
  workspace: string;
  environment: string;
  app: string;
  mode: 'classic' | 'unified';
  /** `plan` (orchestrate-and-plan, before approval) or `apply` (runtime-tasks' own plans). */
  stage: 'plan' | 'apply';
}

/** The policy's verdict on one plan, as recorded with the plan and shown in the summaries. */
export interface PolicyVerdict {
  passed: boolean;
  /** What the command did, in words: "exited with code 0", "was killed by SIGKILL", ... */
  outcome: string;
  /** SHA-256 of the command line (the command itself is not recorded: it may name secrets). */
  commandSha256: string;
  /** Its stdout and stderr, masked, at most POLICY_OUTPUT_MAX characters (middle cut). */
  output: string;
  durationMs: number;
  checkedAt: string;
}

/** How much of a policy command's output is kept (the first and last halves when longer). */
export const POLICY_OUTPUT_MAX = 16 * 1024;

/** A command that prints more than this (characters) is stopped and the plan refused. */
export const POLICY_OUTPUT_STOP = 4 * 1024 * 1024;

export interface PolicyRunDeps {
  /** A private scratch folder (the job's work folder): the command's own folder is made in it. */
  workDir: string;
  /** Secret values to mask in the output (the plan's sensitive values are added). */
  secrets: readonly string[];
  /** The step's own masker (every secret the step registered), applied after ours. */
  mask?: (text: string) => string;
  /** Each output line, masked, as the command prints it. */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
  /** Between SIGINT and SIGTERM, and SIGTERM and SIGKILL, once the time limit is reached. */
  graceMs?: { interrupt: number; terminate: number };
}

/** The variables the command gets besides PATH, HOME and TMPDIR. */
export function policyVariables(
  plan: Omit<PolicyPlan, 'json'>,
  planFile: string,
  checkoutDir?: string,
): Record<string, string> {
  return {
    DEPLOY_ENGINE_PLAN_JSON: planFile,
    DEPLOY_ENGINE_PLUGIN: plan.alias ?? '',
    DEPLOY_ENGINE_PLAN_KIND: plan.kind,
    DEPLOY_ENGINE_RUN_ID: plan.runId,
    DEPLOY_ENGINE_WORKSPACE: plan.workspace,
    DEPLOY_ENGINE_ENVIRONMENT: plan.environment,
    DEPLOY_ENGINE_APP: plan.app,
    DEPLOY_ENGINE_MODE: plan.mode,
    DEPLOY_ENGINE_STAGE: plan.stage,
    ...(checkoutDir ? { DEPLOY_ENGINE_CHECKOUT: checkoutDir } : {}),
  };
}

/** Runs the policy command on `plan` (see the header); never throws for what the command does. */
export async function checkPlanPolicy(
  policy: PolicyOptions,
  plan: PolicyPlan,
  deps: PolicyRunDeps,
): Promise<PolicyVerdict> {
  const started = Date.now();
  const commandSha256 = createHash('sha256').update(policy.command).digest('hex');
  const mask = secretMasker([...deps.secrets, ...sensitiveValues(plan.json)]);
  const maskLine = (line: string): string => (deps.mask ? deps.mask(mask(line)) : mask(line));
  const output = new CappedOutput(POLICY_OUTPUT_MAX);
  await mkdir(deps.workDir, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(deps.workDir, 'policy-'));
  let outcome: { passed: boolean; outcome: string };
  try {
    const planFile = join(dir, 'plan.json');
    await writeFile(planFile, plan.json, { mode: 0o600 });
    const result = await runPolicyProcess(policy.command, {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? dir,
        TMPDIR: dir,
        ...policyVariables(plan, planFile, policy.checkoutDir),
      },
      onLine: (line) => {
        const masked = maskLine(line);
        output.add(masked);
        deps.onLine?.(masked);
      },
      timeoutMs: policy.timeoutSeconds * 1000,
      maxOutput: POLICY_OUTPUT_STOP,
      graceMs: deps.graceMs ?? { interrupt: 1000, terminate: 2000 },
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    outcome = describe(result, policy.timeoutSeconds);
  } catch (error) {
    const reason = maskLine(error instanceof Error ? error.message : String(error));
    outcome = { passed: false, outcome: `could not start (${reason})` };
  } finally {
    // The plan's JSON holds sensitive values in clear text: nothing of it outlives the command.
    await rm(dir, { recursive: true, force: true });
  }
  return {
    ...outcome,
    commandSha256,
    output: output.text(),
    durationMs: Date.now() - started,
    checkedAt: new Date().toISOString(),
  };
}

function describe(
  result: PolicyProcessResult,
  timeoutSeconds: number,
): { passed: boolean; outcome: string } {
  if (result.stoppedBy === 'output')
    return {
      passed: false,
      outcome: `printed more than ${POLICY_OUTPUT_STOP / 1024 / 1024} MiB and was stopped`,
    };
  if (result.stoppedBy === 'timeout')
    return {
      passed: false,
      outcome: `did not finish within ${timeoutSeconds} s (POLICY_TIMEOUT_SECONDS) and was stopped`,
    };
  if (result.stoppedBy === 'abort')
    return { passed: false, outcome: 'was stopped: the job was cancelled' };
  if (result.signal) return { passed: false, outcome: `was killed by ${result.signal}` };
  if (result.code === 0) return { passed: true, outcome: 'exited with code 0' };
  const notFound = result.code === 127 ? ' (bash: command not found)' : '';
  return { passed: false, outcome: `exited with code ${result.code ?? '?'}${notFound}` };
}

/** The first and last halves of a long output, with how much was cut between them. */
class CappedOutput {
  private head = '';
  /** The last lines, at most max / 2 characters together (one longer line is cut). */
  private readonly tail: string[] = [];
  private tailLength = 0;
  private cut = 0;

  constructor(private readonly max: number) {}

  add(line: string): void {
    const text = `${line}\n`;
    if (this.tail.length === 0 && this.head.length + text.length <= this.max / 2) {
      this.head += text;
      return;
    }
    this.tail.push(text);
    this.tailLength += text.length;
    while (this.tailLength > this.max / 2 && this.tail.length > 1) {
      const dropped = this.tail.shift() ?? '';
      this.tailLength -= dropped.length;
      this.cut += dropped.length;
    }
    if (this.tailLength > this.max / 2) {
      const only = this.tail[0] ?? '';
      const drop = only.length - this.max / 2;
      this.tail[0] = only.slice(drop);
      this.tailLength -= drop;
      this.cut += drop;
    }
  }

  text(): string {
    const cut = this.cut > 0 ? `… ${this.cut} characters cut …\n` : '';
    return `${this.head}${cut}${this.tail.join('')}`.replace(/\n$/, '');
  }
}
