/** The job summary of runtime-tasks: each task's status, duration, changes and outputs. */
import * as core from '@actions/core';
import {
  escapeHtml,
  maskedJson,
  renderPolicyChecks,
  renderUndefinedNames,
  writeMaskedSummary,
} from '@deploy-engine/action-kit';
import { TASK_TABLE, type ExecuteResult } from '@deploy-engine/core';
import { renderPoolRun, renderWorkerNote } from './pool-summary';
import { renderTimeline } from './timeline';

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export async function writeRuntimeSummary(result: ExecuteResult): Promise<void> {
  const { run, reports, pool } = result;
  // A pool's worker lists its own tasks; the run's come last (renderPoolRun).
  const listed = pool
    ? run.tasks.filter((t) => reports.some((r) => r.task.runTaskId === t.runTaskId))
    : run.tasks;
  core.summary
    .addHeading(escapeHtml(`${run.type} run ${run.runId}: ${run.status}`), 2)
    .addRaw(
      `<p>${escapeHtml(`${run.target.appName} → ${run.target.workspace}/${run.target.environment}`)}, version <code>${escapeHtml(run.version)}</code>.</p>`,
      true,
    )
    .addRaw(resumeNote(result), true)
    .addRaw(
      pool ? renderWorkerNote(pool, run.pool?.size ?? pool.workers.length, listed.length) : '',
      true,
    )
    .addTable([
      [
        { data: 'Task', header: true },
        { data: 'Plugin', header: true },
        { data: 'Status', header: true },
        { data: 'Duration', header: true },
        { data: 'Added / changed / destroyed', header: true },
        { data: 'Plan applied', header: true },
      ],
      ...listed.map((task) => {
        const report = reports.find((r) => r.task.runTaskId === task.runTaskId);
        const changes = report?.changes;
        return [
          task.taskType,
          escapeHtml(task.pluginAppliedAlias ?? '—'),
          task.status,
          report ? seconds(report.durationMs) : '—',
          // @actions/core drops an empty cell's closing tag: never pass ''.
          changes ? `${changes.added} / ${changes.changed} / ${changes.destroyed}` : '—',
          TASK_TABLE.find(task)?.planApplied?.(report?.reviewedPlan) ?? '—',
        ];
      }),
    ]);
  for (const report of reports) {
    if (report.reviewedPlan?.kind !== 'replanned') continue;
    const changed = report.reviewedPlan.changedInterfaces;
    core.summary.addRaw(
      `<p>⚠️ <strong>${escapeHtml(report.task.pluginAppliedAlias ?? '')} was planned again</strong>: ${
        report.reviewedPlan.stateMoved
          ? 'its state changed since the destroy was reviewed'
          : changed.length > 0
            ? `Connection Interface(s) ${changed.map((n) => `<code>${escapeHtml(n)}</code>`).join(', ')} changed since review`
            : 'its rendered IaC changed since review'
      }. The new plan makes the same resource changes as the reviewed one, so it was applied.</p>`,
      true,
    );
  }
  core.summary.addRaw(renderPolicyChecks(result.policyChecks ?? []), true);
  const published = reports.flatMap((report) => [
    ...(report.outputs
      ? [
          {
            alias: report.task.pluginAppliedAlias ?? '',
            outputFile: report.outputFile ?? '',
            outputs: report.outputs,
          },
        ]
      : []),
    ...(report.pluginOutputs ?? []),
  ]);
  for (const report of published) {
    if (Object.keys(report.outputs).length === 0) continue;
    core.summary
      .addHeading(escapeHtml(`Outputs of ${report.alias} (${report.outputFile})`), 4)
      .addTable([
        [
          { data: 'Output', header: true },
          { data: 'Value', header: true },
        ],
        ...Object.entries(report.outputs).map(([name, output]) => [
          escapeHtml(name),
          output.sensitive ? '(sensitive)' : `<code>${escapeHtml(maskedJson(output.value))}</code>`,
        ]),
      ]);
  }
  const timeline = renderTimeline(
    run.tasks,
    result.graph ?? [],
    new Set(reports.map((r) => r.task.runTaskId)),
  );
  if (timeline) {
    // A fenced block, not addCodeBlock's <pre>: GitHub draws only fenced mermaid as a diagram.
    core.summary
      .addHeading('Timeline', 3)
      .addRaw(
        `<p>Tasks of this job as they ran; the critical path (what decided when the last one ended) is highlighted.</p>\n\n\`\`\`mermaid\n${timeline}\n\`\`\`\n`,
        true,
      );
  }
  core.summary.addRaw(renderPoolRun(result), true);
  core.summary.addRaw(renderUndefinedNames(result.templateWarnings), true);
  const failed = run.tasks.find((t) => t.status === 'FAILED' || t.status === 'INTERNAL_ERROR');
  if (failed?.error) {
    core.summary.addRaw(
      `<p><b>${escapeHtml(`${failed.taskType} ${failed.pluginAppliedAlias ?? ''}`)} failed:</b> ${escapeHtml(failed.error.message)}</p>`,
      true,
    );
  }
  await writeMaskedSummary();
}

/** Says when this job resumed a failed run, or found it already done. */
function resumeNote(result: ExecuteResult): string {
  const { run, resumed, reports } = result;
  if (resumed) {
    const skipped = run.tasks.length - resumed.tasks.length;
    return `<p>🔁 <strong>Resumed</strong>: this run had ended ${resumed.status} at ${escapeHtml(resumed.finishedAt ?? '?')}${resumed.error ? ` (${escapeHtml(resumed.error.message)})` : ''}. This job (a re-run of the failed job) ran its ${resumed.tasks.length} unfinished task(s) again; the ${skipped} that had SUCCEEDED were skipped.</p>`;
  }
  if (run.status === 'SUCCEEDED' && reports.length === 0 && run.tasks.length > 0) {
    return '<p>This run had already SUCCEEDED: nothing was run again. Start a new run to deploy again.</p>';
  }
  return '';
}
