/** The outputs of orchestrate-and-plan for a preview (PREVIEW): a plan's, without a run. */
import type { PreviewResult } from '@deploy-engine/core';
import { planOutputs } from './plan-outputs';

/**
 * The outputs of a preview: what a deployment's plan would say (has_changes, counts, destroys),
 * `preview` true, and no run: run_id and apply_tasks empty, so an approval job never runs.
 */
export function previewOutputs(result: PreviewResult): Record<string, string> {
  const planned =
    result.failure === undefined && (result.plans.length > 0 || result.unplanned.length > 0);
  return {
    run_id: '',
    apply_tasks: '',
    ...planOutputs(result.opened.manifest, planned, result.plans, result.unplanned),
    run_type: '',
    run_status: '',
    status_command: '',
    preview: 'true',
    preview_id: result.failure === undefined ? result.previewId : '',
  };
}
