/**
 * `status --watch`: follows a run until it ends. On a terminal the view is redrawn in place (ANSI
 * cursor movement); anywhere else (a CI log, a pipe) it prints the view once, then one plain line
 * per change, then the final view, so a log stays short and readable.
 */
import { isFinished, type RunRecord } from '@deploy-engine/core';
import type { CliIo, Terminal } from './command';
import { formatRun } from './format';
import { plain } from './terminal-text';

/** Polls `load` every `intervalMs` until the run ends; returns the last record seen. */
export async function watchRun(
  load: () => Promise<RunRecord | undefined>,
  io: CliIo,
  intervalMs: number,
): Promise<RunRecord | undefined> {
  const screen = io.terminal.isTTY ? new Redraw(io.terminal) : undefined;
  let previous: RunRecord | undefined;
  for (;;) {
    const run = await load();
    if (!run) return previous;
    const done = isFinished(run.status);
    if (screen) {
      const footer = done
        ? ''
        : `\nwatching, refreshed ${new Date().toISOString().slice(11, 19)} UTC every ${intervalMs / 1000} s (Ctrl-C stops watching, not the run)`;
      screen.show(plain(formatRun(run)) + footer);
    } else if (!previous) io.out(formatRun(run));
    else for (const line of changes(previous, run)) io.out(line);
    if (done) {
      if (!screen && previous) io.out(`\n${formatRun(run)}`);
      return run;
    }
    previous = run;
    await io.sleep(intervalMs);
  }
}

/** One plain line per change between two reads of a run: its status, its tasks, its attempts. */
export function changes(before: RunRecord, after: RunRecord): string[] {
  const at = after.updatedAt;
  const lines: string[] = [];
  if (before.status !== after.status)
    lines.push(
      `${at} run ${before.status} -> ${after.status}${after.error ? `: ${after.error.message.split('\n')[0]}` : ''}`,
    );
  after.tasks.forEach((task, i) => {
    const old = before.tasks[i];
    if (old?.status === task.status) return;
    lines.push(
      `${at} task ${i + 1} ${task.taskType}${task.pluginAppliedAlias ? ` ${task.pluginAppliedAlias}` : ''}: ${old?.status ?? 'new'} -> ${task.status}${task.error ? `: ${task.error.message.split('\n')[0]}` : ''}`,
    );
  });
  const attempts = after.attempts ?? [];
  for (let i = (before.attempts ?? []).length; i < attempts.length; i++)
    lines.push(`${at} attempt ${i + 1} ended ${attempts[i]?.status}; the run was resumed`);
  return lines;
}

/** Draws a block of text over the one drawn before it. */
class Redraw {
  private rows = 0;

  constructor(private readonly terminal: Terminal) {}

  show(text: string): void {
    // Up to the first row drawn last time, then clear to the end of the screen.
    const up = this.rows > 0 ? `\x1b[${this.rows}F\x1b[J` : '';
    this.terminal.write(`${up}${text}\n`);
    const width = Math.max(this.terminal.columns, 1);
    this.rows = text
      .split('\n')
      .reduce((sum, line) => sum + Math.max(1, Math.ceil(line.length / width)), 0);
  }
}
