/**
 * The job summary of orchestrate-and-plan: the run, its tasks, what the saved plans will change,
 * and the plugin graph.
 */
import * as core from '@actions/core';
import {
  escapeHtml,
  renderPolicyChecks,
  renderUndefinedNames,
  writeMaskedSummary,
} from '@deploy-engine/action-kit';
import {
  describeConsumer,
  TASK_TABLE,
  renderManifestMermaid,
  runTypeOf,
  type Markup,
  type Manifest,
  type OpenedRun,
  type PlanRecord,
  type PolicyCheck,
  type RunRecord,
  type UndefinedReference,
  type UnplannedPlugin,
} from '@deploy-engine/core';
import { COMMENT_LIMIT, renderPlanSection, SUMMARY_LIMIT } from './plan-summary';

export interface OrchestrateSummary {
  /** What openRun decided: the run type, what is unchanged, why it was skipped. */
  opened: OpenedRun;
  manifest: Manifest;
  run?: RunRecord;
  runRef: string;
  /** The plans the PLAN task(s) saved. */
  plans: PlanRecord[];
  /** Classic plugins planned only after approval. */
  unplanned: UnplannedPlugin[];
  planBucket: string;
  /** Undefined template names (computed inputs and plans), once per file, line and name. */
  templateWarnings?: UndefinedReference[];
  /** POLICY_COMMAND's verdicts, refused ones too (shown whatever became of the run). */
  policyChecks?: PolicyCheck[];
}

const code = (value: string): string => `<code>${escapeHtml(value)}</code>`;
const codes = (values: readonly string[]): string => values.map(code).join(', ');

/** The run type's descriptions, in the summary's HTML. */
const html: Markup = {
  code,
  codes,
  strong: (marked) => `<strong>${marked}</strong>`,
  text: escapeHtml,
};

/** The run's state in one sentence, and what kind of run it is (HTML). */
function runState(summary: OrchestrateSummary): string {
  const { run, runRef, opened, manifest } = summary;
  const runType = runTypeOf(opened.type);
  const described = runType.summary(
    { manifest, ...(opened.previous ? { previous: opened.previous } : {}) },
    html,
  );
  const what = described ? `<p>${described}</p>` : '';
  if (!run) return `${what}<p>${runType.nothingToDo}</p>`;
  const state =
    run.status === 'RUNNING'
      ? `is open and waits for approval (RUN_ID ${code(runRef)})`
      : run.status === 'SKIPPED'
        ? `ended <strong>SKIPPED</strong>: ${escapeHtml(opened.skipped ?? 'the plans change nothing and SKIP_DEPLOY is on, so there is nothing to approve')}`
        : `ended <strong>${run.status}</strong>${run.error ? `: ${escapeHtml(run.error.message)}` : ''}`;
  return `${what}<p>${run.type} run ${code(run.runId)} ${state}.</p>${unchangedNote(summary)}${consumersNote(summary)}`;
}

function unchangedNote(summary: OrchestrateSummary): string {
  const { opened } = summary;
  if (opened.unchanged.length === 0 || opened.skipped || !opened.previous) return '';
  const all = opened.unchanged.length === summary.manifest.deployOrder.length;
  return `<p>${all ? 'Every plugin is' : `${opened.unchanged.length} of ${summary.manifest.deployOrder.length} plugins are`} unchanged since run ${code(opened.previous.runId)} (version ${code(opened.previous.version)}): ${codes(opened.unchanged)} — same inputs, files and required values. They are deployed again all the same${all ? ' (SKIP_DEPLOY: true would skip this run)' : ''}; their plans show any drift.</p>`;
}

function consumersNote(summary: OrchestrateSummary): string {
  const { brokenConsumers } = summary.opened;
  if (brokenConsumers.length === 0) return '';
  return `<p>⚠️ FORCE_DESTROY: destroyed although still required by: ${brokenConsumers.map((c) => escapeHtml(describeConsumer(c))).join('; ')}.</p>`;
}

/**
 * What reviewers need: the plans and what could not be planned yet (HTML, at most `budget`;
 * `limitName` says who imposes it).
 */
function planReport(summary: OrchestrateSummary, budget: number, limitName: string): string {
  if (summary.run?.status !== 'RUNNING') return '';
  const unplanned =
    summary.unplanned.length > 0
      ? `<p>⚠️ Planned only after approval, since what they require does not exist yet: ${summary.unplanned
          .map((u) => `<code>${escapeHtml(u.alias)}</code> (${escapeHtml(u.reason)})`)
          .join('; ')}. Their changes are not part of this review.</p>\n`
      : '';
  return (
    renderPlanSection(summary.plans, summary.planBucket, budget - unplanned.length, limitName) +
    unplanned
  );
}

function heading(summary: { manifest: Manifest; opened: OpenedRun }): string {
  const { target } = summary.manifest;
  return `${runTypeOf(summary.opened.type).title} plan: ${target.appName} → ${target.workspace}/${target.environment}`;
}

/** The pull-request comment: the same review as the job summary, within GitHub's comment limit. */
export function renderPullRequestComment(
  summary: OrchestrateSummary,
  workflowRunUrl: string,
): string {
  const { manifest } = summary;
  // The policy's verdicts come first: a refused plan closes the run, and its output says why.
  const policy = renderPolicyChecks(summary.policyChecks ?? [], 12000);
  const head = `<h3>${escapeHtml(heading(summary))}</h3>\n<p>Version <code>${escapeHtml(manifest.version)}</code> · <a href="${escapeHtml(workflowRunUrl)}">workflow run</a></p>\n${runState(summary)}\n${policy}`;
  return head + planReport(summary, 60000 - head.length, COMMENT_LIMIT);
}

export async function writeOrchestrateSummary(summary: OrchestrateSummary): Promise<void> {
  const { manifest, run } = summary;
  const { target } = manifest;
  core.summary
    .addHeading(escapeHtml(heading(summary)), 2)
    .addRaw(
      `Version <code>${escapeHtml(manifest.version)}</code>, ${target.appKind} id <code>${escapeHtml(target.appId)}</code>.`,
      true,
    )
    .addRaw(runState(summary), true);
  if (run) {
    core.summary.addTable([
      [
        { data: '#', header: true },
        { data: 'Task', header: true },
        { data: 'Plugin', header: true },
        { data: 'Status', header: true },
        { data: 'Task id', header: true },
      ],
      ...run.tasks.map((task, index) => [
        String(index + 1),
        task.taskType,
        escapeHtml(task.pluginAppliedAlias ?? '—'),
        TASK_TABLE.isPlanning(task) || task.status !== 'PENDING' ? task.status : 'to approve',
        escapeHtml(task.runTaskId),
      ]),
    ]);
  }
  core.summary.addRaw(renderPolicyChecks(summary.policyChecks ?? []), true);
  core.summary.addRaw(planReport(summary, 640 * 1024, SUMMARY_LIMIT), true);
  core.summary.addRaw(renderUndefinedNames(summary.templateWarnings), true);
  // A fenced block, not addCodeBlock's <pre>: GitHub draws only fenced mermaid as a diagram.
  core.summary.addHeading('Plugins and their Connection Interfaces', 3).addRaw(
    `
\`\`\`mermaid
${renderManifestMermaid(manifest)}
\`\`\`
`,
    true,
  );
  await writeMaskedSummary();
}
