/** Plain-text views of runs for a terminal. */
import {
  recordedRunType,
  type DeploymentRecord,
  type RunRecord,
  type VersionSummary,
} from '@deploy-engine/core';
import { auditLines, whoAndWhat } from './audit-format';

function duration(from?: string, to?: string): string {
  if (!from) return '';
  const ms = (to ? new Date(to) : new Date()).getTime() - new Date(from).getTime();
  return ms < 60000
    ? `${(ms / 1000).toFixed(1)} s`
    : `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;
}

export function formatRun(run: RunRecord): string {
  const t = run.target;
  const lines = [
    `run ${run.runId}  ${run.type}  ${run.status}`,
    `  ${t.appKind} ${t.appName} (${t.appId}) -> ${t.workspace}/${t.environment}, version ${run.version}`,
    `  started ${run.createdAt} by ${run.workflowRunUrl}${run.finishedAt ? `, finished ${run.finishedAt} (${duration(run.createdAt, run.finishedAt)})` : ''}`,
    ...auditLines(run.audit),
  ];
  if (run.error) lines.push(`  error (${run.error.kind}): ${run.error.message}`);
  if (run.supersededBy)
    lines.push(`  superseded by run ${run.supersededBy.runId} at ${run.supersededBy.at}`);
  for (const [i, attempt] of (run.attempts ?? []).entries()) {
    lines.push(
      `  attempt ${i + 1} ended ${attempt.status}${attempt.finishedAt ? ` at ${attempt.finishedAt}` : ''}, resumed ${attempt.resumedAt}${attempt.error ? `: ${attempt.error.message.split('\n')[0]}` : ''}`,
    );
  }
  lines.push('  tasks:');
  run.tasks.forEach((task, i) => {
    const took = duration(task.startedAt, task.finishedAt);
    lines.push(
      `    ${String(i + 1).padStart(2)}. ${task.status.padEnd(14)} ${task.taskType.padEnd(20)} ${task.pluginAppliedAlias ?? ''}${took ? `  ${took}` : ''}`,
    );
    if (task.error) lines.push(`        ${task.error.message.split('\n')[0]}`);
  });
  return lines.join('\n');
}

/** Recent runs, one a line under a header row, columns aligned. */
export function formatRunList(runs: readonly RunRecord[]): string {
  if (runs.length === 0) return 'No runs.';
  return table(
    ['RUN_ID', 'STATUS', 'TYPE', 'TARGET', 'VERSION', 'STARTED'],
    runs.map((r) => [
      r.runId,
      r.status,
      r.type,
      `${r.target.workspace}/${r.target.environment}/${r.target.appName}`,
      r.version,
      r.createdAt,
    ]),
  );
}

/** Rows under a header, each column as wide as its widest cell, two spaces apart. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/**
 * The --json output: one object (never a bare array, so that fields can be added), indented.
 * The shapes are documented in each command's --help and the README.
 */
export function json(value: Record<string, unknown>): string {
  return JSON.stringify(value, null, 2);
}

/** What is deployed, and the versions a rollback can go back to. */
export function formatHistory(
  last: DeploymentRecord | undefined,
  versions: readonly VersionSummary[],
): string {
  const lines = [
    !last
      ? 'Never deployed successfully.'
      : last.destroyed
        ? `Destroyed by run ${last.destroyed.runId} at ${last.destroyed.at}.`
        : `Deployed: version ${last.version} by ${recordedRunType(last)} run ${last.runId} at ${last.finishedAt} (${last.mode ?? 'classic'} mode${last.terraformVersion ? `, Terraform ${last.terraformVersion}` : ''}).`,
    ...(last ? auditLines(last.audit) : []),
  ];
  if (versions.length > 0) {
    lines.push('Versions ROLLBACK_TO can go back to (newest first):');
    for (const v of versions)
      lines.push(
        `  ${v.version.padEnd(24)} run ${v.runId}  ${v.finishedAt}${v.audit ? `  ${whoAndWhat(v.audit)}` : ''}`,
      );
  }
  return lines.join('\n');
}
