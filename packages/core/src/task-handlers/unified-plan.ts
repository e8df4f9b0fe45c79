/**
 * PLAN of the whole run (unified mode; orchestrate-and-plan runs it before approval): saves the
 * deploy plan (and, when plugins were removed, the destroy plan) in the IaC bucket with its
 * SHA-256, the state version it was planned against and its resource changes. Follows UNIFIED_IAC.
 * Same wire name as classic mode's per-plugin PLAN (classic-plan.ts), told apart by scope.
 */
import type { PlanRecord } from '../deployment/saved-plans';
import { afterPreviousRunTask, type RunTaskHandler } from './task-handler';

export const unifiedPlan: RunTaskHandler = {
  type: 'PLAN',
  scope: 'run',
  phase: 'plan',
  mode: 'unified',
  listed: { stage: 1, for: 'run' },
  label: 'PLAN',
  waits: afterPreviousRunTask,
  async execute({ unified, policy }) {
    const terraform = await unified.init();
    const state = (await terraform.stateVersion()) ?? null;
    const lockFile = await terraform.lockFile();
    const plans: PlanRecord[] = [];
    const kept = unified.keptAliases;
    const removed = unified.removedAliases;
    if (kept.length > 0) {
      // Targets only exclude something when modules are being removed.
      const targets = removed.length > 0 ? kept.map((a) => `module.${a}`) : [];
      plans.push(await unified.savePlan(terraform, 'deploy', targets, state, lockFile, policy));
    }
    if (removed.length > 0) {
      const targets = removed.map((a) => `module.${a}`);
      plans.push(await unified.savePlan(terraform, 'destroy', targets, state, lockFile, policy));
    }
    return { plans };
  },
};
