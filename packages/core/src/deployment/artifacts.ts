/**
 * What a run keeps in the IaC bucket besides its record (names passed to RunStore.putArtifact):
 * the manifest it was planned from, a snapshot of each plugin's files, and each plugin's rendered
 * IaC (whose object key the deployment history points at, for destroy and rollback). Unified
 * runs add the whole rendered project and one record per saved plan (whose plan file and plan
 * text are raw files of the run: see RunStore.putFile).
 */
export const MANIFEST_ARTIFACT = 'manifest';

export function sourceArtifact(alias: string): string {
  return `sources/${alias}`;
}

export function iacArtifact(alias: string): string {
  return `iac/${alias}`;
}

export const UNIFIED_PROJECT_ARTIFACT = 'unified/project';

export type PlanKind = 'deploy' | 'destroy';

/**
 * Names of saved plans: unified mode has `deploy` and `destroy`; classic mode one per plugin,
 * `plugins/<alias>`.
 */
export function classicPlanName(alias: string): string {
  return `plugins/${alias}`;
}

export function planArtifact(name: string): string {
  return `plans/${name}`;
}

export function planFile(name: string): string {
  return `plans/${name}.tfplan`;
}

export function planTextFile(name: string): string {
  return `plans/${name}.txt`;
}
