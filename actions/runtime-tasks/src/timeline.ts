/**
 * The job summary's timeline: each task this job ran as a bar of a Mermaid gantt chart, the
 * critical path (the chain of waits that decided when the last task ended) marked `crit`.
 */
import { TASK_TABLE, type RunTask, type TaskNode } from '@deploy-engine/core';

interface Timed {
  task: RunTask;
  start: number;
  end: number;
}

/**
 * Undefined when fewer than two tasks have both timestamps. `sectionOf`: the chart's section of
 * each task (a pool's run summary: the worker that ran it); one section `tasks` without it.
 */
export function renderTimeline(
  tasks: readonly RunTask[],
  graph: readonly TaskNode[],
  ranHere: ReadonlySet<string>,
  sectionOf?: (task: RunTask) => string,
): string | undefined {
  const timed: Timed[] = tasks.flatMap((task) =>
    ranHere.has(task.runTaskId) && task.startedAt && task.finishedAt
      ? [{ task, start: Date.parse(task.startedAt), end: Date.parse(task.finishedAt) }]
      : [],
  );
  if (timed.length < 2) return undefined;
  const critical = criticalPath(timed, graph);
  const lines = ['gantt', '  dateFormat x', '  axisFormat %M:%S'];
  const sections = new Map<string, Timed[]>();
  for (const t of timed) {
    const section = sectionOf ? sectionOf(t.task).replace(/[:#;\n]/g, ' ') : 'tasks';
    sections.set(section, [...(sections.get(section) ?? []), t]);
  }
  let i = 0;
  for (const [section, inSection] of sections) {
    lines.push(`  section ${section}`);
    for (const t of inSection) lines.push(bar(t, i++, critical));
  }
  return lines.join('\n');
}

function bar({ task, start, end }: Timed, i: number, critical: ReadonlySet<string>): string {
  const name = `${TASK_TABLE.label(task)} ${task.pluginAppliedAlias ?? ''}`
    .trim()
    .replace(/[:#;]/g, ' ');
  const tags = [
    ...(critical.has(task.runTaskId) ? ['crit'] : []),
    ...(task.status === 'SUCCEEDED' ? [] : ['active']),
  ];
  return `  ${name} :${[...tags, `t${i}`].join(', ')}, ${start}, ${Math.max(end, start + 1)}`;
}

/** From the task that ended last, back through the wait that ended last, to a task that waited for none. */
export function criticalPath(timed: readonly Timed[], graph: readonly TaskNode[]): Set<string> {
  const byId = new Map(timed.map((t) => [t.task.runTaskId, t]));
  const after = new Map(graph.map((n) => [n.id, n.after]));
  const path = new Set<string>();
  let current = [...timed].sort((a, b) => b.end - a.end)[0];
  while (current && !path.has(current.task.runTaskId)) {
    path.add(current.task.runTaskId);
    const waits = (after.get(current.task.runTaskId) ?? []).flatMap((id) => {
      const t = byId.get(id);
      return t ? [t] : [];
    });
    current = waits.sort((a, b) => b.end - a.end)[0];
  }
  return path;
}
