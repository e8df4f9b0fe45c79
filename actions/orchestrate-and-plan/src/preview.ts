/**
 * PREVIEW: true: orchestrate-and-plan plans the checkout's deployment without opening a run (see
 * core's previewRun), and reports it like a plan, clearly marked as a preview: the outputs (with
 * run_id and apply_tasks empty, so no approval job follows), the job summary, the PR comment.
 */
import * as core from '@actions/core';
import {
  escapeHtml,
  writeMaskedSummary,
  workflowRunUrl,
  type AwsSession,
} from '@deploy-engine/action-kit';
import { previewRun, type BucketStores } from '@deploy-engine/core';
import type { OrchestrateInputs } from './inputs';
import { planRunOptions } from './plan-options';
import { commentForTarget, PR_COMMENT_LIMIT } from './pr-comment';
import { previewOutputs } from './preview-outputs';
import { previewHeading, renderPreview } from './preview-summary';

/** Plans the preview, sets the outputs, writes the summary and the comment; throws when it failed. */
export async function runPreview(
  inputs: OrchestrateInputs,
  session: AwsSession,
  deps: BucketStores,
  signal: AbortSignal,
): Promise<void> {
  // A preview opens no run: SKIP_DEPLOY has no effect and onOpened (the run's guard) is not called.
  const options = await planRunOptions(
    inputs,
    session,
    (run) => deps.runs.runRef(run.runId),
    signal,
  );
  const result = await previewRun(deps, { ...options, iacRegion: inputs.iacBucket.region });
  for (const [name, value] of Object.entries(previewOutputs(result))) core.setOutput(name, value);
  const bucket = inputs.iacBucket.name;
  core.summary
    .addHeading(escapeHtml(previewHeading(result)), 2)
    .addRaw(renderPreview(result, bucket, 900 * 1024), true);
  await writeMaskedSummary();
  if (inputs.prComment) {
    const head = `<h3>${escapeHtml(previewHeading(result))}</h3>\n`;
    const body =
      head + renderPreview(result, bucket, PR_COMMENT_LIMIT - head.length - 200, workflowRunUrl());
    await commentForTarget(inputs.githubToken, result.opened.manifest.target, body);
  }
  if (result.failure !== undefined) {
    const { failure } = result;
    throw failure instanceof Error ? failure : new Error(JSON.stringify(failure));
  }
}
