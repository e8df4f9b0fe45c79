/** Reads an action's action.yml: its inputs (with defaults), outputs and runtime. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const REPO_ROOT = join(__dirname, '..', '..');
export const ACTION_IDS = ['orchestrate-and-plan', 'runtime-tasks', 'cancel-run'] as const;
export type ActionId = (typeof ACTION_IDS)[number];

export interface ActionMetadata {
  id: string;
  dir: string;
  inputs: Record<string, { description?: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description?: string }>;
  runs: { using: string; main: string; post?: string };
}

export function readActionMetadata(id: string): ActionMetadata {
  const dir = join(REPO_ROOT, 'actions', id);
  const doc = parse(readFileSync(join(dir, 'action.yml'), 'utf8')) as Omit<
    ActionMetadata,
    'id' | 'dir'
  >;
  return { id, dir, inputs: doc.inputs ?? {}, outputs: doc.outputs ?? {}, runs: doc.runs };
}
