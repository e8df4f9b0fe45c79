/**
 * What a run keeps in the IaC bucket besides its record (names passed to RunStore.putArtifact):
 * the manifest it was planned from, a snapshot of each plugin's files, and each plugin's rendered
 * IaC (whose object key the deployment history points at, for destroy and rollback).
 */
export const MANIFEST_ARTIFACT = 'manifest';

export function sourceArtifact(alias: string): string {
  return `sources/${alias}`;
}

export function iacArtifact(alias: string): string {
  return `iac/${alias}`;
}
