/**
 * Where a secret must never be: everything a step printed (but the ::add-mask:: lines that register
 * it), its outputs, its job summary, and every file it left under RUNNER_TEMP or the workspace.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionResult } from './runner';

/** Every file under `dir` whose bytes contain `needle`. */
export function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (path: string): void => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) {
      for (const name of readdirSync(path)) walk(join(path, name));
    } else if (stat.isFile() && readFileSync(path).includes(needle)) found.push(path);
  };
  walk(dir);
  return found;
}

/** The places of `result` that contain `secret`, e.g. ['stdout', 'file /tmp/...']; [] when none. */
export function leaksOf(result: ActionResult, secret: string): string[] {
  const places: string[] = [];
  const stdout = result.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
  if (stdout.includes(secret)) places.push('stdout');
  if (result.stderr.includes(secret)) places.push('stderr');
  if (JSON.stringify(result.outputs).includes(secret)) places.push('outputs');
  if (JSON.stringify(result.exportedEnv).includes(secret)) places.push('exported env');
  if (JSON.stringify(result.state).includes(secret)) places.push('saved state');
  if (result.summary.includes(secret)) places.push('job summary');
  for (const file of [
    ...filesContaining(result.runnerTemp, secret),
    ...filesContaining(result.workspace, secret),
  ])
    places.push(`file ${file}`);
  return places;
}
