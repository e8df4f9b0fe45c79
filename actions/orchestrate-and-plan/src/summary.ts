/** The job summary of orchestrate-and-plan: the run, the ordered tasks and the plugin graph. */
import * as core from '@actions/core';
import { escapeHtml } from '@deploy-engine/action-kit';
import { renderManifestMermaid, type OpenedRun } from '@deploy-engine/core';

export async function writeOrchestrateSummary(opened: OpenedRun, runRef: string): Promise<void> {
  const { manifest, run } = opened;
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
    core.summary
      .addRaw(
        `<p>Run <code>${run.runId}</code> is open and waits for approval (RUN_ID <code>${runRef}</code>).</p>`,
        true,
      )
      .addTable([
        [
          { data: '#', header: true },
          { data: 'Task', header: true },
          { data: 'Plugin', header: true },
          { data: 'Task id', header: true },
        ],
        ...run.tasks.map((task, index) => [
          String(index + 1),
          task.taskType,
          task.pluginAppliedAlias ?? '—',
          task.runTaskId,
        ]),
      ]);
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
