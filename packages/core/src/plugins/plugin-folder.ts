/**
 * A plugin folder is read from the checkout, whose authors control every path in it: a folder
 * inside the checkout (FORKED_PLUGINS/<alias>, a PLUGINS_PATH entry, or any folder on the way to
 * them) that is a symbolic link leading out of it would make the engine read, snapshot and apply
 * files from anywhere on the runner. Such a folder is refused.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { ConfigurationError } from '../errors';
import { outsideReason } from '../guardrails/confine-path';

/**
 * The most a plugin folder may hold: above this it is almost surely not what was meant (a vendored
 * tree, a build dir). A run's plugin snapshot and a published registry version share it, so that
 * every published plugin fits into a run.
 */
export const MAX_PLUGIN_FOLDER_BYTES = 20 * 1024 * 1024;

function insideLexically(root: string, path: string): boolean {
  const rel = relative(resolve(root), resolve(path));
  return !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * Throws a ConfigurationError when `dir`, written as a path inside `repoRoot`, really lies outside
 * it through a symbolic link. A folder given outside the checkout on purpose (PLUGINS_PATH of the
 * workflow) is the workflow's choice and is not checked here.
 */
export function refuseLinkOut(repoRoot: string, dir: string, display: string): void {
  if (!insideLexically(repoRoot, dir)) return;
  const why = outsideReason(repoRoot, relative(resolve(repoRoot), resolve(dir)), {
    allowRoot: true,
  });
  if (why === undefined) return;
  throw new ConfigurationError({
    message: `Plugin folder ${display} ${why.replace('PATH_TO_MOUNT', 'the checkout')} Plugins are read only from inside the checkout.`,
    location: { file: display },
    hint: 'Copy the plugin into the repository (or into a PLUGINS_PATH folder) instead of linking to it.',
  });
}
