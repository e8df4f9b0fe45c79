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

export async function writeOrchestrateSummary(summary: OrchestrateSummary): Promise<void> {
  const { manifest, run, runRef, plans } = summary;
  const { target } = manifest;
  core.summary
    .addHeading(`Deployment plan: ${target.appName} → ${target.workspace}/${target.environment}`, 2)
    .addRaw(
      `Version <code>${escapeHtml(manifest.version)}</code>, ${target.appKind} id <code>${escapeHtml(target.appId)}</code>.`,
      true,
    );
  if (!run) {
    core.summary.addRaw('<p>Nothing to deploy or destroy: no run was opened.</p>', true);
  } else {
    const state =
      run.status === 'RUNNING'
        ? `is open and waits for approval (RUN_ID <code>${escapeHtml(runRef)}</code>)`
        : run.status === 'SKIPPED'
          ? 'ended <strong>SKIPPED</strong>: the plans change nothing and SKIP_DEPLOY is on, so there is nothing to approve'
          : `ended <strong>${run.status}</strong>${run.error ? `: ${escapeHtml(run.error.message)}` : ''}`;
    core.summary.addRaw(`<p>Run <code>${run.runId}</code> ${state}.</p>`, true).addTable([
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
  if (run?.status === 'RUNNING' && plans.length > 0) {
    core.summary.addRaw(renderPlanSection(plans, summary.planBucket), true);
  }
  if (run?.status === 'RUNNING' && summary.unplanned.length > 0) {
    core.summary.addRaw(
      `<p>⚠️ Planned only after approval, since what they require does not exist yet: ${summary.unplanned
        .map((u) => `<code>${escapeHtml(u.alias)}</code> (${escapeHtml(u.reason)})`)
        .join('; ')}. Their changes are not part of this review.</p>`,
      true,
    );
  }
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
