/**
 * Writing `<alias>_<BASE_PATH_OUTPUT>` into the checkout, which the repository's authors control:
 * a file committed there as a symbolic link (or a FIFO, a folder, a hard link) must not make the
 * engine write anywhere but a fresh regular file in that folder. The content goes to a new file
 * created next to the target (O_EXCL | O_NOFOLLOW) and is renamed over it: a rename replaces the
 * directory entry, never what a link points at.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ConfigurationError } from '../errors';

/** Refuses a target that exists and is not a regular file (a link, a folder, a FIFO, ...). */
export async function checkOutputTarget(dir: string, name: string): Promise<void> {
  if (basename(name) !== name || name === '.' || name === '..')
    throw new Error(`output file name ${name} is not a plain file name`);
  const found = await lstat(join(dir, name)).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!found || found.isFile()) return;
  const what = found.isSymbolicLink()
    ? 'is a symbolic link'
    : found.isDirectory()
      ? 'is a folder'
      : 'is not a regular file';
  throw new ConfigurationError({
    message: `${name} ${what} in the checkout: runtime-tasks writes the plugin's outputs there and does not write through it.`,
    location: { file: name },
    hint: 'Remove it from the repository: runtime-tasks creates the outputs file itself.',
  });
}

/** Writes `content` as `<dir>/<name>` without following or writing through anything there. */
export async function writeOutputFile(dir: string, name: string, content: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await checkOutputTarget(dir, name);
  const temp = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(
    temp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o644,
  );
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, join(dir, name));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
