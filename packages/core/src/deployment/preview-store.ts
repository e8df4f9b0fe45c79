/**
 * Where a preview keeps its plans: under `previews/<w>/<e>/<kind>/<id>/<previewId>/` of the IaC
 * bucket (see bucket-layout), never under `runs/`, so no step that applies can read them as a
 * reviewed plan, and a lifecycle rule on `previews/` expires them. The preview plans into a
 * private in-memory run store (the PLAN handler saves there as for a run); what it saved is copied
 * here once every plugin was planned, so a failed preview leaves nothing behind.
 */
import { keys } from '../bucket-layout';
import type { RunStore } from '../runs';
import type { ObjectStore } from '../store';
import type { DeploymentTarget } from '../target';
import { planFile, planTextFile } from './artifacts';
import type { PlanRecord } from './saved-plans';

/** A consumer planned with the Connection Interfaces its producers' plans predict. */
export interface PredictedPlugin {
  alias: string;
  /** The predicted Connection Interfaces it was rendered with. */
  interfaces: string[];
}

/** `previews/.../preview.json`: what one preview planned (docs/bucket-layout.md#previews). */
export interface PreviewRecord {
  previewId: string;
  target: DeploymentTarget;
  version: string;
  workflowRunUrl: string;
  createdAt: string;
  /** Plan records' keys, by plan name. */
  plans: Record<string, string>;
  /** Plugins planned only after merge, and why (the PLAN handler's UnplannedPlugin). */
  unplanned: { alias: string; reason: string }[];
  predicted: PredictedPlugin[];
}

/**
 * Copies the plans `scratch` saved for `previewId` to the preview's prefix of `iacStore` and
 * returns them with their new keys, after writing the preview's record.
 */
export async function storePreview(
  iacStore: ObjectStore,
  scratch: Pick<RunStore, 'getFile'>,
  record: Omit<PreviewRecord, 'plans'>,
  plans: readonly PlanRecord[],
): Promise<PlanRecord[]> {
  const { target, previewId } = record;
  const stored: PlanRecord[] = [];
  const recordKeys: Record<string, string> = {};
  for (const plan of plans) {
    const copy = async (name: string, contentType: string): Promise<string> => {
      const bytes = await scratch.getFile(previewId, name);
      if (!bytes) throw new Error(`the preview's ${name} was not saved`);
      const key = keys.previewFile(target, previewId, name);
      await iacStore.putBytes(key, bytes, contentType);
      return key;
    };
    const fileKey = await copy(planFile(plan.name), 'application/zip');
    const textKey = await copy(planTextFile(plan.name), 'text/plain; charset=utf-8');
    const moved: PlanRecord = { ...plan, fileKey, textKey };
    const key = keys.previewPlan(target, previewId, plan.name);
    await iacStore.putJson(key, moved);
    recordKeys[plan.name] = key;
    stored.push(moved);
  }
  await iacStore.putJson(keys.preview(target, previewId), { ...record, plans: recordKeys });
  return stored;
}
