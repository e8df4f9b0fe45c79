/**
 * UNIFIED_DEPLOY (unified mode, after approval): applies exactly the saved deploy plan, refused
 * when its bytes changed or the state moved since it was made; then writes each plugin's output
 * file and publishes its Connection Interfaces. Follows PLAN.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { iacArtifact } from '../deployment/artifacts';
import { refuseStaleState, verifiedPlanBytes } from '../deployment/saved-plans';
import type { ModuleSnapshot } from '../deployment/unified-project';
import type { OutputValue } from '../terraform';
import { rootOutputName } from '../unified';
import type { PluginOutputs } from './task-context';
import { afterPreviousRunTask, infraPlugin, type RunTaskHandler } from './task-handler';

export const unifiedDeploy: RunTaskHandler = {
  type: 'UNIFIED_DEPLOY',
  scope: 'run',
  phase: 'apply',
  mode: 'unified',
  listed: { stage: 2, for: 'run-if-kept' },
  label: 'UNIFIED_DEPLOY',
  planApplied: () => 'the reviewed plan',
  waits: afterPreviousRunTask,
  async execute(context) {
    const { run, unified, logger } = context;
    const { runs, iacStore } = context.stores;
    const record = await unified.planRecord('deploy');
    const bytes = await verifiedPlanBytes(runs, iacStore.bucket, run.runId, record);
    const terraform = await unified.init(record.lockFile);
    refuseStaleState(run.runId, record, (await terraform.stateVersion()) ?? null);
    const file = join(unified.dir, 'deploy.tfplan');
    await writeFile(file, bytes);
    logger.info(
      `Applying the reviewed plan (SHA-256 ${record.sha256.slice(0, 12)}, state serial ${record.state?.serial ?? 'none'}).`,
    );
    const changes = await terraform.applyPlan(file);
    const outputs = await terraform.output();
    const project = await unified.snapshot();
    const pluginOutputs: PluginOutputs[] = [];
    for (const alias of unified.keptAliases) {
      const module = project.modules.find((m) => m.alias === alias);
      const moduleOutputsOf: Record<string, OutputValue> = {};
      for (const o of module?.outputs ?? []) {
        const value = outputs[rootOutputName(alias, o.name)];
        if (value) moduleOutputsOf[o.name] = value;
      }
      const outputFile = await context.outputs.publish(
        infraPlugin(context, alias),
        moduleOutputsOf,
      );
      pluginOutputs.push({ alias, outputFile, outputs: moduleOutputsOf });
      const snapshot = await runs.getArtifact<ModuleSnapshot>(run.runId, iacArtifact(alias));
      context.ledger.deployed(alias, snapshot?.digest ?? '');
    }
    return { changes, pluginOutputs };
  },
};
