/**
 * A pool's summaries (runtime-tasks with WORKERS > 1): each worker's job summary says which worker
 * it was and lists its own tasks (summary.ts); the last worker to leave adds the run's: every
 * task with the worker that ran it, and the timeline across workers with its critical path.
 */
import { escapeHtml } from '@deploy-engine/action-kit';
import type { ExecuteResult, PoolWorkerResult, RunTask } from '@deploy-engine/core';
import { renderTimeline } from './timeline';

/** `worker 2 (host runner-abc)`, numbered in the order the workers joined. */
export function workerLabels(pool: PoolWorkerResult): Map<string, string> {
  return new Map(
    pool.workers.map((w, i) => [
      w.worker.id,
      `worker ${i + 1}${w.worker.host ? ` (${w.worker.host})` : ''}`,
    ]),
  );
}

/** The line under the heading of a worker's own summary. */
export function renderWorkerNote(pool: PoolWorkerResult, size: number, ranHere: number): string {
  const label = workerLabels(pool).get(pool.workerId) ?? `worker ${pool.workerId}`;
  const extra = [
    pool.reclaimed > 0 ? `took over ${pool.reclaimed} task(s) from a worker gone silent` : '',
    pool.claimConflicts > 0 ? `${pool.claimConflicts} claim(s) lost to other workers` : '',
    pool.closedHere ? 'closed the run' : '',
  ].filter((t) => t !== '');
  return `<p>👷 This job was <strong>${escapeHtml(label)}</strong> of a pool of ${size} executing the run; it ran ${ranHere} task(s)${extra.length > 0 ? ` (${escapeHtml(extra.join(', '))})` : ''}. The table lists those.${pool.lastToLeave ? ' It left last: the whole run follows.' : ' The job that leaves last summarises the whole run.'}</p>`;
}

/** The whole run, written by the last worker to leave; '' for the others. */
export function renderPoolRun(result: ExecuteResult): string {
  const { run, pool } = result;
  if (!pool?.lastToLeave) return '';
  const labels = workerLabels(pool);
  const workerOf = (task: RunTask): string =>
    task.worker ? (labels.get(task.worker) ?? `worker ${task.worker}`) : '—';
  const seconds = (task: RunTask): string =>
    task.startedAt && task.finishedAt
      ? `${((Date.parse(task.finishedAt) - Date.parse(task.startedAt)) / 1000).toFixed(1)} s`
      : '—';
  const rows = run.tasks.map(
    (task) =>
      `<tr><td>${task.taskType}</td><td>${escapeHtml(task.pluginAppliedAlias ?? '—')}</td><td>${task.status}</td><td>${escapeHtml(workerOf(task))}</td><td>${(task.attempt ?? 1) > 1 ? `${task.attempt} claims` : '1'}</td><td>${seconds(task)}</td></tr>`,
  );
  const parts = [
    `<h3>The whole run (${pool.workers.length} worker(s))</h3>`,
    `<table><tr><th>Task</th><th>Plugin</th><th>Status</th><th>Worker</th><th>Claims</th><th>Duration</th></tr>${rows.join('')}</table>`,
  ];
  const timeline = renderTimeline(
    run.tasks,
    result.graph ?? [],
    new Set(run.tasks.map((t) => t.runTaskId)),
    workerOf,
  );
  if (timeline)
    parts.push(
      `<p>Every task as it ran, one section per worker; the critical path (what decided when the last one ended) is highlighted.</p>\n\n\`\`\`mermaid\n${timeline}\n\`\`\`\n`,
    );
  return parts.join('\n');
}
