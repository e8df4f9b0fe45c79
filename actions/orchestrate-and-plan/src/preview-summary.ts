/**
 * How a preview reads in the job summary and the pull-request comment: unmistakably a preview
 * (nothing deployed, no lock, nothing to approve), then the plans as a deployment's plans read
 * (renderPlanSection), what was planned with predicted values, and what only after merge.
 */
import { escapeHtml, renderPolicyChecks, renderUndefinedNames } from '@deploy-engine/action-kit';
import type { PreviewResult } from '@deploy-engine/core';
import { renderPlanSection } from './plan-summary';

export const PREVIEW_BANNER = 'Preview — nothing was deployed, no lock was taken';

const code = (value: string): string => `<code>${escapeHtml(value)}</code>`;

/** The heading of a preview's summary and comment. */
export function previewHeading(result: Pick<PreviewResult, 'opened'>): string {
  const { target } = result.opened.manifest;
  return `Preview of a deployment: ${target.appName} → ${target.workspace}/${target.environment}`;
}

/**
 * The preview's report (HTML), within `budget` characters: banner, plans, predictions, what is
 * planned after merge, undefined template names.
 * @param workflowRunUrl linked in the pull-request comment; empty in the job summary
 */
export function renderPreview(
  result: PreviewResult,
  planBucket: string,
  budget: number,
  workflowRunUrl = '',
): string {
  const { manifest, previous } = result.opened;
  const link = workflowRunUrl ? ` · <a href="${escapeHtml(workflowRunUrl)}">workflow run</a>` : '';
  const head =
    `<p><strong>${PREVIEW_BANNER}.</strong> Version ${code(manifest.version)}, ${manifest.target.appKind} id ${code(manifest.target.appId)}, planned against the current state of ${code(`${manifest.target.workspace}/${manifest.target.environment}`)}${previous ? ` (last deployed: version ${code(previous.version)}, run ${code(previous.runId)})` : ' (never deployed)'}, read without Terraform's state lock${link}.</p>\n` +
    `<p>These plans cannot be approved or applied: a deployment plans again after merge and is reviewed on its own. Preview ${code(result.previewId)}.</p>\n`;
  const parts = [head, renderPolicyChecks(result.policyChecks ?? [], Math.floor(budget / 8))];
  if (result.failure !== undefined) {
    const message =
      result.failure instanceof Error ? result.failure.message : JSON.stringify(result.failure);
    parts.push(
      `<p>❌ <strong>The preview failed</strong>; no plan was kept:</p>\n<pre>${escapeHtml(message)}</pre>\n`,
    );
  } else if (result.plans.length === 0 && result.unplanned.length === 0) {
    parts.push('<p>No infra plugin to deploy or destroy.</p>\n');
  }
  const notes: string[] = [];
  if (result.predicted.length > 0) {
    notes.push(
      `<p>🔮 Planned with the Connection Interfaces their producers' plans predict (not yet deployed): ${result.predicted
        .map((p) => `${code(p.alias)} (${p.interfaces.map(code).join(', ')})`)
        .join('; ')}.</p>\n`,
    );
  }
  if (result.unplanned.length > 0) {
    notes.push(
      `<p>⚠️ Planned after merge, so not part of this preview: ${result.unplanned
        .map((u) => `${code(u.alias)} (${escapeHtml(u.reason)})`)
        .join('; ')}.</p>\n`,
    );
  }
  const tail = notes.join('') + renderUndefinedNames(result.templateWarnings);
  const used = parts.join('').length + tail.length;
  parts.push(renderPlanSection(result.plans, planBucket, Math.max(0, budget - used)), tail);
  return parts.join('');
}
