/** The job summary of cancel-run: what was found, and what was aborted. */
import * as core from '@actions/core';
import { escapeHtml, writeMaskedSummary } from '@deploy-engine/action-kit';
import type { CancelOutcome } from '@deploy-engine/core';

export async function writeCancelSummary(
  message: string,
  result: CancelOutcome | undefined,
): Promise<void> {
  core.summary.addHeading('Cancel run', 2).addRaw(`<p>${escapeHtml(message)}</p>`, true);
  const record = result?.record;
  if (record) {
    core.summary.addTable([
      [
        { data: 'Task', header: true },
        { data: 'Plugin', header: true },
        { data: 'Status', header: true },
      ],
      ...record.tasks.map((t) => [t.taskType, escapeHtml(t.pluginAppliedAlias ?? '—'), t.status]),
    ]);
  }
  await writeMaskedSummary();
}
