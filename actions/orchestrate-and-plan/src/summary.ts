/**
 * The job summary of orchestrate-and-plan: the run, its tasks, what the saved plans will change,
 * and the plugin graph.
 */
import * as core from '@actions/core';
import { escapeHtml } from '@deploy-engine/action-kit';
import {
  PLANNING_TASKS,
  renderManifestMermaid,
  type Manifest,
  type PlanRecord,
  type RunRecord,
  type UnplannedPlugin,
} from '@deploy-engine/core';
import { renderPlanSection } from './plan-summary';

export interface OrchestrateSummary {
  manifest: Manifest;
  run?: RunRecord;
  runRef: string;
  /** The plans the PLAN task(s) saved. */
  plans: PlanRecord[];
  /** Classic plugins planned only after approval. */
  unplanned: UnplannedPlugin[];
  planBucket: string;
}

/** The run's state in one sentence (HTML). */
function runState(summary: OrchestrateSummary): string {
  const { run, runRef } = summary;
  if (!run) return '<p>Nothing to deploy or destroy: no run was opened.</p>';
  const state =
    run.status === 'RUNNING'
      ? `is open and waits for approval (RUN_ID <code>${escapeHtml(runRef)}</code>)`
      : run.status === 'SKIPPED'
        ? 'ended <strong>SKIPPED</strong>: the plans change nothing and SKIP_DEPLOY is on, so there is nothing to approve'
        : `ended <strong>${run.status}</strong>${run.error ? `: ${escapeHtml(run.error.message)}` : ''}`;
  return `<p>Run <code>${run.runId}</code> ${state}.</p>`;
}

/** What reviewers need: the plans and what could not be planned yet (HTML, at most `budget`). */
function planReport(summary: OrchestrateSummary, budget: number): string {
  if (summary.run?.status !== 'RUNNING') return '';
  const unplanned =
    summary.unplanned.length > 0
      ? `<p>⚠️ Planned only after approval, since what they require does not exist yet: ${summary.unplanned
          .map((u) => `<code>${escapeHtml(u.alias)}</code> (${escapeHtml(u.reason)})`)
          .join('; ')}. Their changes are not part of this review.</p>\n`
      : '';
  return (
    renderPlanSection(summary.plans, summary.planBucket, budget - unplanned.length) + unplanned
  );
}

function heading(manifest: Manifest): string {
  const { target } = manifest;
  return `Deployment plan: ${target.appName} → ${target.workspace}/${target.environment}`;
}

/** The pull-request comment: the same review as the job summary, within GitHub's comment limit. */
export function renderPullRequestComment(
  summary: OrchestrateSummary,
  workflowRunUrl: string,
): string {
  const { manifest } = summary;
  const head = `<h3>${escapeHtml(heading(manifest))}</h3>\n<p>Version <code>${escapeHtml(manifest.version)}</code> · <a href="${escapeHtml(workflowRunUrl)}">workflow run</a></p>\n${runState(summary)}\n`;
  return head + planReport(summary, 60000 - head.length);
}

export async function writeOrchestrateSummary(summary: OrchestrateSummary): Promise<void> {
  const { manifest, run } = summary;
  const { target } = manifest;
  core.summary
    .addHeading(heading(manifest), 2)
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
        task.pluginAppliedAlias ?? '—',
        PLANNING_TASKS.includes(task.taskType) || task.status !== 'PENDING'
          ? task.status
          : 'to approve',
        task.runTaskId,
      ]),
    ]);
  }
  core.summary.addRaw(planReport(summary, 900 * 1024), true);
  // A fenced block, not addCodeBlock's <pre>: GitHub draws only fenced mermaid as a diagram.
  core.summary.addHeading('Plugins and their Connection Interfaces', 3).addRaw(
    `
\`\`\`mermaid
${renderManifestMermaid(manifest)}
\`\`\`
`,
    true,
  );
  await core.summary.write();
}
