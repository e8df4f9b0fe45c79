/**
 * Runs a workflow file the way GitHub does, for the workflow a user copies (docs/actions.md#the-workflow): jobs in
 * `needs` order with their `if:`, job outputs from step outputs (dropped when they hold a secret,
 * as GitHub drops them), `environment:` approval (approved, rejected, never given), cancelling the
 * workflow before or during a job, the concurrency group (a second workflow run in the same group
 * waits until the first one completes), each `uses: ./actions/<id>` step through runAction (main,
 * then the post steps in reverse order), `actions/checkout` as a copy of the commit's tree.
 *
 * `runs-on` picks the job's environment from `runners` (a GitHub-hosted label gets no AWS
 * credentials: it cannot reach your S3). The fake GitHub API follows the workflow run: queued,
 * in_progress, waiting while an approval is pending, completed with its conclusion. Anything the
 * harness does not model (another step kind, expression, context key) throws instead of guessing.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readActionMetadata } from './action-metadata';
import type { FakeGitHubApi } from './github-api';
import { githubContext, runAction, type ActionResult } from './runner';
import {
  evaluateCondition,
  interpolate,
  type ContextObject,
  type ExpressionScope,
} from './workflow-expressions';

export type JobResultName = 'success' | 'failure' | 'cancelled' | 'skipped';

export interface StepRecord {
  name: string;
  id?: string;
  uses: string;
  outcome: 'success' | 'failure' | 'cancelled' | 'skipped';
  /** The main step, when it ran (a `./actions/...` step). */
  main?: ActionResult;
  post?: ActionResult;
  /** Wall time of the main and post steps (ms), for the test's time budget. */
  durationMs?: number;
}

export interface JobRecord {
  id: string;
  result: JobResultName;
  outputs: Record<string, string>;
  steps: StepRecord[];
  /** The runs-on label the job ran on, after placeholders. */
  runsOn: string;
  /** Job outputs GitHub would have dropped because they hold a secret. */
  droppedOutputs: string[];
}

export interface WorkflowRunResult {
  runId: string;
  conclusion: 'success' | 'failure' | 'cancelled';
  jobs: Record<string, JobRecord>;
}

export type Approval = 'approve' | 'reject' | 'never';

export interface TriggerOptions {
  /** The commit's tree: what actions/checkout gives a job. */
  checkout: string;
  /** The reviewer's answer to every `environment:` job (default approve). */
  approval?: Approval;
  /** Cancel the workflow while `job` waits for its approval (before it starts). */
  cancelBeforeJob?: string;
  /**
   * Cancel the workflow during the first `./actions` step of `job` (SIGINT, as GitHub), once
   * `when()` resolves (it is called as the step starts). Refused if the step ended first.
   */
  cancelDuringJob?: { job: string; when: (stepEnded: AbortSignal) => Promise<void> };
}

export interface WorkflowRunHandle {
  runId: string;
  /** Resolves once the run waits for an approval that is never given, or has finished. */
  waitingOrDone: Promise<void>;
  finished: Promise<WorkflowRunResult>;
  /** The approval wait ends as GitHub's timeout ends it: the job fails without running. */
  timeOutApproval(): void;
  /** Cancels the workflow while it waits for an approval. */
  cancelWhileWaiting(): void;
}

export interface WorkflowHarnessOptions {
  file: string;
  /**
   * Text a user replaces when copying the documentation (`<self-hosted-runner>` → their label).
   * Each one must occur in the file, so a changed fixture cannot silently skip it.
   */
  placeholders?: Record<string, string>;
  secrets: Record<string, string>;
  /** runs-on label → the job's environment (the runner machine). Unknown labels throw. */
  runners: Record<string, () => Record<string, string>>;
  api: FakeGitHubApi;
  /** owner/name (default acme/orders, as runner.ts). */
  repository?: string;
  /** First GITHUB_RUN_ID; each workflow run gets the next one. */
  firstRunId?: number;
}

interface StepSpec {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: unknown;
  'continue-on-error'?: unknown;
}

interface JobSpec {
  name?: string;
  'runs-on': string;
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string };
  outputs?: Record<string, string>;
  steps: StepSpec[];
}

interface WorkflowSpec {
  name: string;
  on: { push?: { branches?: string[] } };
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  jobs: Record<string, JobSpec>;
}

const KNOWN_JOB_KEYS = new Set([
  'name',
  'runs-on',
  'needs',
  'if',
  'environment',
  'outputs',
  'steps',
]);
const KNOWN_STEP_KEYS = new Set(['name', 'id', 'uses', 'if', 'with']);

function environmentName(environment: JobSpec['environment']): string {
  return typeof environment === 'object' ? environment.name : String(environment);
}

function asList(needs: string | string[] | undefined): string[] {
  if (needs === undefined) return [];
  return Array.isArray(needs) ? needs : [needs];
}

/** Loads a workflow file (placeholders replaced) and checks it uses only what is modelled. */
export function loadWorkflow(
  file: string,
  placeholders: Record<string, string> = {},
): WorkflowSpec {
  let text = readFileSync(file, 'utf8');
  for (const [placeholder, value] of Object.entries(placeholders)) {
    if (!text.includes(placeholder))
      throw new Error(`harness: placeholder '${placeholder}' does not occur in ${file}`);
    text = text.split(placeholder).join(value);
  }
  const spec = parseYaml(text, { uniqueKeys: true }) as WorkflowSpec;
  for (const [id, job] of Object.entries(spec.jobs)) {
    for (const key of Object.keys(job))
      if (!KNOWN_JOB_KEYS.has(key))
        throw new Error(`harness: job ${id} uses '${key}', not modelled`);
    for (const need of asList(job.needs))
      if (!spec.jobs[need]) throw new Error(`harness: job ${id} needs unknown job ${need}`);
    for (const step of job.steps) {
      for (const key of Object.keys(step))
        if (!KNOWN_STEP_KEYS.has(key))
          throw new Error(`harness: a step of ${id} uses '${key}', not modelled`);
      if (!step.uses) throw new Error(`harness: job ${id} has a step without uses:, not modelled`);
    }
  }
  return spec;
}

/** A workflow file and the world it runs in; `trigger` starts one workflow run of it. */
export class WorkflowHarness {
  readonly spec: WorkflowSpec;
  private nextRunId: number;
  private readonly repository: string;
  /** The workflow run holding each concurrency group, for the next run of the group to wait on. */
  private readonly groups = new Map<string, Promise<unknown>>();

  constructor(private readonly options: WorkflowHarnessOptions) {
    this.spec = loadWorkflow(options.file, options.placeholders);
    this.nextRunId = options.firstRunId ?? 7000;
    this.repository = options.repository ?? 'acme/orders';
  }

  /** A push to `main` (the documented trigger): one new workflow run. */
  trigger(options: TriggerOptions): WorkflowRunHandle {
    const branches = this.spec.on.push?.branches;
    if (!branches?.includes('main'))
      throw new Error('harness: the workflow is not triggered by a push to main');
    const runId = String(this.nextRunId++);
    const run = new WorkflowRun(this, this.options, this.repository, runId, options);
    const group = this.spec.concurrency
      ? interpolate(this.spec.concurrency.group, run.scope({}, {}))
      : undefined;
    if (this.spec.concurrency?.['cancel-in-progress'])
      throw new Error('harness: cancel-in-progress: true is not modelled');
    const before = group ? this.groups.get(group) : undefined;
    this.options.api.setWorkflowRun(this.repository, runId, {
      status: before ? 'pending' : 'queued',
      conclusion: null,
    });
    const finished = (async () => {
      // GitHub holds a run while another of its concurrency group is in progress.
      if (before) await before.catch(() => undefined);
      return run.execute();
    })();
    if (group) this.groups.set(group, finished);
    return {
      runId,
      waitingOrDone: Promise.race([run.waiting, finished.then(() => undefined)]),
      finished,
      timeOutApproval: () => run.decide('timed-out'),
      cancelWhileWaiting: () => run.decide('cancelled'),
    };
  }
}

class WorkflowRun {
  readonly waiting: Promise<void>;
  private markWaiting!: () => void;
  private decision: Promise<'timed-out' | 'cancelled'>;
  private resolveDecision!: (d: 'timed-out' | 'cancelled') => void;
  private cancelled = false;
  private readonly jobs: Record<string, JobRecord> = {};
  private readonly github: Record<string, string>;
  /** Every secret value the workflow read, for GitHub's job-output rule. */
  private readonly usedSecrets = new Set<string>();

  constructor(
    private readonly harness: WorkflowHarness,
    private readonly options: WorkflowHarnessOptions,
    private readonly repository: string,
    readonly runId: string,
    private readonly trigger: TriggerOptions,
  ) {
    this.waiting = new Promise((done) => (this.markWaiting = done));
    this.decision = new Promise((done) => (this.resolveDecision = done));
    const base = githubContext('');
    this.github = {
      ...base,
      repository: repository,
      repository_owner: repository.split('/')[0] as string,
      run_id: runId,
      run_attempt: '1',
      workflow: harness.spec.name,
      event_name: 'push',
      api_url: options.api.url,
    };
  }

  decide(decision: 'timed-out' | 'cancelled'): void {
    this.resolveDecision(decision);
  }

  /** The expression scope of a job (needs) and step (steps) in this workflow run. */
  scope(
    needs: ContextObject,
    steps: ContextObject,
    flags: { failed: boolean; cancelled: boolean } = { failed: false, cancelled: this.cancelled },
    workspace = '',
  ): ExpressionScope {
    const status = {
      success: !flags.failed && !flags.cancelled,
      failure: flags.failed && !flags.cancelled,
      cancelled: flags.cancelled,
    };
    const secrets = new Proxy(
      { ...this.options.secrets },
      {
        get: (target, key: string) => {
          const value = target[key] ?? '';
          if (value !== '') this.usedSecrets.add(value);
          return value;
        },
      },
    ) as ContextObject;
    const [owner, name] = this.repository.split('/') as [string, string];
    return {
      contexts: {
        github: {
          ...this.github,
          workspace,
          event: { repository: { name, full_name: this.repository, owner: { login: owner } } },
        },
        secrets,
        needs,
        steps,
      },
      status,
      strict: new Set(['github']),
    };
  }

  private setState(status: string, conclusion: string | null = null): void {
    this.options.api.setWorkflowRun(this.repository, this.runId, {
      status,
      conclusion,
      runAttempt: 1,
    });
  }

  async execute(): Promise<WorkflowRunResult> {
    this.setState('in_progress');
    const pending = Object.keys(this.harness.spec.jobs);
    while (pending.length > 0) {
      const next = pending.find((id) =>
        asList(this.harness.spec.jobs[id]?.needs).every((need) => this.jobs[need]),
      );
      if (!next) throw new Error('harness: the jobs need each other in a cycle');
      pending.splice(pending.indexOf(next), 1);
      this.jobs[next] = await this.runJob(next, this.harness.spec.jobs[next] as JobSpec);
    }
    const results = Object.values(this.jobs).map((j) => j.result);
    const conclusion = this.cancelled
      ? 'cancelled'
      : results.includes('failure')
        ? 'failure'
        : 'success';
    this.setState('completed', conclusion);
    this.markWaiting();
    return { runId: this.runId, conclusion, jobs: this.jobs };
  }

  private needsContext(job: JobSpec): ContextObject {
    const needs: ContextObject = {};
    for (const need of asList(job.needs)) {
      const record = this.jobs[need] as JobRecord;
      needs[need] = { result: record.result, outputs: record.outputs };
    }
    return needs;
  }

  private async runJob(id: string, job: JobSpec): Promise<JobRecord> {
    const needs = this.needsContext(job);
    const runsOn = job['runs-on'];
    const record: JobRecord = {
      id,
      result: 'skipped',
      outputs: {},
      steps: [],
      runsOn,
      droppedOutputs: [],
    };
    const needResults = Object.values(needs).map((n) => (n as ContextObject).result);
    // Job level: success() holds when every needed job succeeded, failure() when one failed.
    const jobScope = this.scope(needs, {});
    jobScope.status = {
      success: !this.cancelled && needResults.every((r) => r === 'success'),
      failure: !this.cancelled && needResults.includes('failure'),
      cancelled: this.cancelled,
    };
    if (!evaluateCondition(job.if, jobScope)) {
      record.result = this.cancelled ? 'cancelled' : 'skipped';
      return record;
    }
    const makeEnv = this.options.runners[runsOn];
    if (!makeEnv) throw new Error(`harness: no runner with the label '${runsOn}'`);

    if (job.environment !== undefined) {
      const answer = await this.approval(id);
      if (answer !== 'approved') {
        record.result = answer === 'cancelled' ? 'cancelled' : 'failure';
        return record;
      }
    }

    const workspace = join(
      mkdtempSync(join(tmpdir(), `wf-${this.runId}-${id}-`)),
      '_work',
      this.repository.split('/')[1] as string,
      this.repository.split('/')[1] as string,
    );
    mkdirSync(workspace, { recursive: true });
    const env = { ...makeEnv(), GITHUB_API_URL: this.options.api.url };
    const steps: ContextObject = {};
    // A job that starts after the workflow was cancelled (an always() job) runs its steps as usual:
    // only a cancel that lands while it runs makes its steps' success() false.
    const status = { failed: false, cancelled: false };
    const posts: {
      step: StepRecord;
      action: string;
      state: Record<string, string>;
      postIf: string;
    }[] = [];
    for (const step of job.steps) {
      const uses = step.uses as string;
      const entry: StepRecord = { name: step.name ?? uses, uses, outcome: 'skipped' };
      if (step.id) entry.id = step.id;
      record.steps.push(entry);
      const scope = this.scope(needs, steps, status, workspace);
      if (!evaluateCondition(step.if, scope)) {
        if (step.id) steps[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
        continue;
      }
      if (/^actions\/checkout@/.test(uses)) {
        cpSync(this.trigger.checkout, workspace, { recursive: true });
        entry.outcome = 'success';
      } else {
        const action = /^\.\/actions\/([\w-]+)$/.exec(uses)?.[1];
        if (!action) throw new Error(`harness: step uses '${uses}', not modelled`);
        const withInputs: Record<string, string> = {};
        for (const [key, value] of Object.entries(step.with ?? {}))
          withInputs[key] = interpolate(String(value), scope);
        const during = this.trigger.cancelDuringJob;
        const cancelHere = during?.job === id && !posts.some((p) => p.step.main);
        const stepEnded = new AbortController();
        // A when() that gives up (rejects) never cancels: the check below then refuses the test.
        const cancelWhen = cancelHere
          ? during.when(stepEnded.signal).catch(() => new Promise<void>(() => undefined))
          : undefined;
        const started = Date.now();
        const main = await runAction(action, {
          with: withInputs,
          workspace,
          env: { ...env },
          github: this.jobGithub(id),
          ...(cancelWhen ? { cancelWhen } : {}),
        });
        stepEnded.abort();
        entry.main = main;
        entry.durationMs = Date.now() - started;
        if (cancelHere) {
          if (!main.cancelSent)
            throw new Error(`harness: step ${entry.name} ended before the workflow was cancelled`);
          this.cancelled = true;
          this.setState('in_progress');
          entry.outcome = 'cancelled';
          status.cancelled = true;
        } else {
          entry.outcome = main.exitCode === 0 ? 'success' : 'failure';
          if (entry.outcome === 'failure') status.failed = true;
        }
        if (step.id)
          steps[step.id] = {
            outputs: main.outputs,
            outcome: entry.outcome,
            conclusion: entry.outcome,
          };
        const metadata = readActionMetadata(action) as unknown as {
          runs: { post?: string; 'post-if'?: string };
        };
        if (metadata.runs.post)
          posts.unshift({
            step: entry,
            action,
            state: main.state,
            postIf: metadata.runs['post-if'] ?? 'success()',
          });
      }
    }
    for (const post of posts) {
      if (!evaluateCondition(post.postIf, this.scope(needs, steps, status, workspace))) continue;
      const started = Date.now();
      post.step.post = await runAction(post.action, {
        script: 'post',
        state: post.state,
        workspace,
        env: { ...env },
        github: this.jobGithub(id),
      });
      post.step.durationMs = (post.step.durationMs ?? 0) + Date.now() - started;
      if (post.step.post.exitCode !== 0) status.failed = true;
    }
    record.result = status.cancelled ? 'cancelled' : status.failed ? 'failure' : 'success';
    for (const [key, value] of Object.entries(job.outputs ?? {})) {
      const text = interpolate(value, this.scope(needs, steps, status, workspace));
      // GitHub skips an output that may contain a secret (a workflow secret or a masked value).
      const masks = record.steps.flatMap((s) => s.main?.masks ?? []);
      const secret = [...this.usedSecrets, ...masks].some(
        (s) => s.trim() !== '' && text.includes(s),
      );
      if (secret) record.droppedOutputs.push(key);
      else record.outputs[key] = text;
    }
    return record;
  }

  private jobGithub(job: string): Record<string, string> {
    return { ...this.github, job };
  }

  /** The reviewer's answer for an `environment:` job, with the API showing the run waiting. */
  private async approval(
    job: string,
  ): Promise<'approved' | 'rejected' | 'cancelled' | 'timed-out'> {
    const approvals = (state: 'approved' | 'rejected') =>
      this.options.api.setApprovals(this.repository, this.runId, [
        {
          state,
          login: 'reviewer',
          environments: [environmentName(this.harness.spec.jobs[job]?.environment)],
        },
      ]);
    if (this.trigger.cancelBeforeJob === job) {
      this.cancelled = true;
      return 'cancelled';
    }
    const answer = this.trigger.approval ?? 'approve';
    if (answer === 'approve') {
      approvals('approved');
      return 'approved';
    }
    if (answer === 'reject') {
      approvals('rejected');
      return 'rejected';
    }
    this.setState('waiting');
    this.markWaiting();
    const decision = await this.decision;
    this.setState('in_progress');
    if (decision === 'cancelled') this.cancelled = true;
    return decision;
  }
}
