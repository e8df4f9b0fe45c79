/**
 * Paths from inputs must stay inside the checkout (PATH_TO_MOUNT): no absolute paths, no `..`
 * that climbs out, no symbolic link that leads outside.
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { ConfigurationError } from '../errors';

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The real path of `path`, or of its nearest existing ancestor joined with the rest. */
function realish(path: string): string {
  let existing = path;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  return resolve(realpathSync(existing), relative(existing, path));
}

/**
 * Why `value` (relative to `root`) is not a path inside the root: absolute, climbing out, leading
 * out through a symbolic link, or the root itself unless `allowRoot` (a folder to read from may be
 * the checkout; one to delete may not). Undefined when it is inside.
 */
export function outsideReason(
  root: string,
  value: string,
  options: { allowRoot?: boolean } = {},
): string | undefined {
  if (isAbsolute(value)) return 'is absolute.';
  const realRoot = realpathSync(root);
  const target = resolve(realRoot, value);
  if (!inside(realRoot, target)) return 'leaves PATH_TO_MOUNT.';
  if (!inside(realRoot, realish(target)))
    return 'leads outside PATH_TO_MOUNT through a symbolic link.';
  if (!options.allowRoot && relative(realRoot, target) === '') return 'is PATH_TO_MOUNT itself.';
  return undefined;
}

/**
 * Resolves `value` (relative to `root`) and returns the absolute real path, or throws a
 * ConfigurationError naming `input` with the reason it is not inside the root (outsideReason).
 */
export function confinePath(
  root: string,
  value: string,
  input: string,
  options: { allowRoot?: boolean } = {},
): string {
  const why = outsideReason(root, value, options);
  if (why !== undefined) {
    throw new ConfigurationError({
      message: `Input ${input} '${value}' ${why}`,
      hint: 'Give a path relative to PATH_TO_MOUNT, inside it.',
    });
  }
  return resolve(realpathSync(root), value);
}
