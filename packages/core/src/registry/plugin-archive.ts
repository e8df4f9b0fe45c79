/**
 * A plugin folder as one JSON object that restores it exactly: every file and folder with its
 * permission bits, and a SHA-256 digest over all of it. What the registry stores is written by a
 * publisher and read back by every deploying workflow, so reading it back trusts nothing: paths,
 * modes, sizes and the digest are checked again before anything is written to disk.
 */
import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { ConfigurationError } from '../errors';
import { MAX_PLUGIN_FOLDER_BYTES } from '../plugins/plugin-folder';

/** The same limit as a run's plugin snapshot: a published plugin must fit into a run. */
export const MAX_PLUGIN_BYTES = MAX_PLUGIN_FOLDER_BYTES;
/** Far beyond any plugin; bounds the work a hostile archive of empty files can cause. */
export const MAX_PLUGIN_ENTRIES = 5000;

export type ArchiveEntry =
  | { type: 'file'; path: string; mode: number; base64: string }
  | { type: 'dir'; path: string; mode: number };

export interface PluginArchive {
  schemaVersion: 1;
  /** Sorted by path; a folder comes before what it holds. */
  entries: ArchiveEntry[];
}

/** A file or folder of an archive, without content (what `plugins show` lists). */
export interface ArchiveListing {
  path: string;
  type: 'file' | 'dir';
  /** Permission bits, e.g. 0o644. */
  mode: number;
  bytes?: number;
}

/** SHA-256 over every entry's type, path, mode and content digest, in path order. */
export function digestArchive(archive: PluginArchive): string {
  const hash = createHash('sha256');
  for (const entry of archive.entries) {
    const content =
      entry.type === 'file'
        ? createHash('sha256').update(Buffer.from(entry.base64, 'base64')).digest('hex')
        : '';
    hash.update(`${entry.type}\0${entry.path}\0${entry.mode.toString(8)}\0${content}\n`);
  }
  return hash.digest('hex');
}

export function listArchive(archive: PluginArchive): ArchiveListing[] {
  return archive.entries.map((e) =>
    e.type === 'file'
      ? { path: e.path, type: e.type, mode: e.mode, bytes: Buffer.from(e.base64, 'base64').length }
      : { path: e.path, type: e.type, mode: e.mode },
  );
}

function refuse(message: string, file: string, hint?: string): never {
  throw new ConfigurationError({ message, location: { file }, ...(hint ? { hint } : {}) });
}

/** Why a mode cannot be kept: the engine must read every file and walk every folder it restores. */
function modeProblem(type: 'file' | 'dir', mode: number): string | undefined {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777)
    return `has mode ${String(mode)}; only permission bits (0 to 0777) are kept`;
  const needed = type === 'dir' ? 0o700 : 0o600;
  if ((mode & needed) !== needed)
    return `has mode ${mode.toString(8)}; its owner must be able to ${type === 'dir' ? 'list, enter and write' : 'read and write'} it`;
  return undefined;
}

/**
 * Reads a plugin folder (`.git` folders left out). Refused: symbolic links, anything but files and folders, modes the owner
 * cannot read, more than MAX_PLUGIN_BYTES or MAX_PLUGIN_ENTRIES.
 */
export async function readPluginFolder(dir: string, displayDir: string): Promise<PluginArchive> {
  const entries: ArchiveEntry[] = [];
  let total = 0;
  const walk = async (rel: string): Promise<void> => {
    // `.git`: a plugin repository's checkout is published as it is, without its history.
    const names = (await readdir(join(dir, rel))).filter((n) => n !== '.git').sort();
    for (const name of names) {
      const path = rel ? posix.join(rel, name) : name;
      const display = posix.join(displayDir, path);
      const stat = await lstat(join(dir, path));
      if (entries.length >= MAX_PLUGIN_ENTRIES)
        refuse(
          `The plugin folder holds more than ${MAX_PLUGIN_ENTRIES} files and folders.`,
          displayDir,
        );
      if (stat.isSymbolicLink())
        refuse(
          'Symbolic links cannot be published: they could point anywhere on the machine that restores the plugin.',
          display,
          'Copy the file into the plugin instead.',
        );
      const type = stat.isDirectory() ? 'dir' : stat.isFile() ? 'file' : undefined;
      if (!type)
        refuse(
          'Only files and folders can be published (this is a device, FIFO or socket).',
          display,
        );
      const mode = stat.mode & 0o777;
      const problem = modeProblem(type, mode);
      if (problem)
        refuse(
          `The ${type === 'dir' ? 'folder' : 'file'} ${problem}.`,
          display,
          `chmod u+rw${type === 'dir' ? 'x' : ''} it.`,
        );
      if (type === 'dir') {
        entries.push({ type, path, mode });
        await walk(path);
        continue;
      }
      total += stat.size;
      if (total > MAX_PLUGIN_BYTES)
        refuse(
          `The plugin folder holds more than ${MAX_PLUGIN_BYTES / 1048576} MiB.`,
          displayDir,
          'Keep build outputs and vendored trees out of the plugin folder.',
        );
      const content = await readFile(join(dir, path));
      entries.push({ type, path, mode, base64: content.toString('base64') });
    }
  };
  await walk('');
  return { schemaVersion: 1, entries };
}

/** Why an archive path could write outside the folder (or is no path at all); undefined when safe. */
function pathProblem(path: unknown): string | undefined {
  if (typeof path !== 'string' || path === '') return 'has no path';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'has an absolute path';
  if (/[\\\0]/.test(path)) return 'has a backslash or NUL in its path';
  const parts = path.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..'))
    return "has a path with an empty, '.' or '..' segment";
  return undefined;
}

/**
 * Checks an archive read back from the store against the digest recorded when it was published,
 * and every entry against the rules of readPluginFolder. Throws a ConfigurationError naming the
 * first thing wrong, at `displayDir`.
 */
export function checkArchive(archive: unknown, digest: string, displayDir: string): PluginArchive {
  const entries = (archive as Partial<PluginArchive> | undefined)?.entries;
  if (!Array.isArray(entries) || (archive as PluginArchive).schemaVersion !== 1)
    refuse('The stored plugin is not an archive this engine can read.', displayDir);
  if (entries.length > MAX_PLUGIN_ENTRIES)
    refuse(`The stored plugin holds more than ${MAX_PLUGIN_ENTRIES} entries.`, displayDir);
  const seen = new Set<string>();
  let total = 0;
  for (const raw of entries as unknown[]) {
    // A hostile object may hold anything: null, numbers, entries without fields.
    const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as ArchiveEntry;
    const problem =
      pathProblem(entry.path) ??
      (entry.type === 'file' || entry.type === 'dir'
        ? undefined
        : 'is neither a file nor a folder') ??
      modeProblem(entry.type, entry.mode) ??
      (entry.type === 'file' && typeof entry.base64 !== 'string' ? 'has no content' : undefined) ??
      (seen.has(entry.path) ? 'is listed twice' : undefined);
    if (problem) refuse(`An entry of the stored plugin ${problem}: refused.`, displayDir);
    seen.add(entry.path);
    if (entry.type === 'file') total += Buffer.byteLength(entry.base64, 'base64');
  }
  if (total > MAX_PLUGIN_BYTES)
    refuse(`The stored plugin holds more than ${MAX_PLUGIN_BYTES / 1048576} MiB.`, displayDir);
  const actual = digestArchive(archive as PluginArchive);
  if (actual !== digest)
    refuse(
      `The stored plugin does not match the digest recorded when it was published (recorded sha256 ${digest}, stored content sha256 ${actual}): it was changed after publishing, and is refused.`,
      displayDir,
      'Restore the object (S3 versioning) or publish the plugin again under a new version, and find out who could write to the IaC bucket.',
    );
  return archive as PluginArchive;
}

/** Writes a checked archive into `dir` (new or empty): folders, files, then their modes. */
export async function restoreArchive(archive: PluginArchive, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const entry of archive.entries) {
    const target = join(dir, ...entry.path.split('/'));
    if (entry.type === 'dir') await mkdir(target, { recursive: true, mode: 0o700 });
    else {
      await mkdir(join(target, '..'), { recursive: true, mode: 0o700 });
      // `wx`: never through an existing file or link.
      await writeFile(target, Buffer.from(entry.base64, 'base64'), { flag: 'wx', mode: 0o600 });
    }
  }
  for (const entry of archive.entries) await chmod(join(dir, ...entry.path.split('/')), entry.mode);
}
