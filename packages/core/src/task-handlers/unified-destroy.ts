/**
 * UNIFIED_DESTROY (unified mode, after approval): plans the destroy of the removed modules again
 * against the state the deploy left and applies it only when it destroys exactly the resources the
 * reviewed destroy plan listed; then deletes their Connection Interfaces. Last of the chain.
 */
import { join } from 'node:path';
import { replanReviewedDestroy } from '../deployment/saved-plans';
import { afterPreviousRunTask, type RunTaskHandler } from './task-handler';

export const unifiedDestroy: RunTaskHandler = {
  type: 'UNIFIED_DESTROY',
  scope: 'run',
  phase: 'apply',
  mode: 'unified',
  listed: { stage: 3, for: 'run-if-removed' },
  label: 'UNIFIED_DESTROY',
  planApplied: () => 'a new plan equal to the reviewed one',
  waits: afterPreviousRunTask,
  async execute(context) {
    const { unified, manifest, logger, policy } = context;
    const record = await unified.planRecord('destroy');
    const terraform = await unified.init(record.lockFile);
    const file = join(unified.dir, 'destroy-now.tfplan');
    const count = await replanReviewedDestroy(
      terraform,
      record,
      file,
      {
        title: 'The destroy planned now is not the one that was reviewed',
        nothing: 'Nothing was destroyed.',
        hint: 'Re-run the workflow to review a new destroy plan.',
      },
      policy,
    );
    logger.info(`The destroy planned now matches the reviewed one (${count} resource(s)).`);
    const changes = await terraform.applyPlan(file);
    for (const removed of manifest.destroy) await context.outputs.removeConnections(removed);
    return { changes };
  },
};
