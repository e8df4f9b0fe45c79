/**
 * A plugin's files as one JSON object. orchestrate-and-plan stores the snapshot with the run, and
 * runtime-tasks renders from it, so what is applied after approval comes from exactly the files
 * that were planned, whatever the approve job's checkout holds.
 */
import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import {
  ConfigurationError,
  STORED_OBJECT_HINTS,
  StoredObjectError,
  type StoredObjectRef,
} from '../errors';
import { digestFiles, type RenderedFile } from '../templates';
import { MAX_PLUGIN_FOLDER_BYTES } from './plugin-folder';

export interface PluginSnapshot {
  /** SHA-256 over paths and contents (see digestFiles). */
  digest: string;
  files: { path: string; base64: string }[];
}

/** The most a snapshot holds (see MAX_PLUGIN_FOLDER_BYTES). */
export const MAX_SNAPSHOT_BYTES = MAX_PLUGIN_FOLDER_BYTES;

/** Reads every file under `dir` (symbolic links refused; they could reach outside the plugin). */
export async function snapshotDirectory(dir: string, displayDir: string): Promise<PluginSnapshot> {
  const files: RenderedFile[] = [];
  let total = 0;
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(dir, rel), { withFileTypes: true });
    for (const entry of entries) {
      const path = posix.join(rel, entry.name);
      const stat = await lstat(join(dir, path));
      if (stat.isSymbolicLink()) {
        throw new ConfigurationError({
          message: 'Symbolic links are not allowed in a plugin.',
          location: { file: posix.join(displayDir, path) },
          hint: 'Copy the file into the plugin instead.',
        });
      }
      if (stat.isDirectory()) await walk(path);
      else if (stat.isFile()) {
        total += stat.size;
        if (total > MAX_SNAPSHOT_BYTES) {
          throw new ConfigurationError({
            message: `The plugin folder holds more than ${MAX_SNAPSHOT_BYTES / 1024 / 1024} MiB.`,
            location: { file: displayDir },
            hint: 'Keep build outputs and vendored trees out of the plugin folder.',
          });
        }
        files.push({ path, content: await readFile(join(dir, path)) });
      }
    }
  };
  await walk('');
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    digest: digestFiles(files),
    files: files.map((f) => ({ path: f.path, base64: f.content.toString('base64') })),
  };
}

/**
 * Writes a snapshot read from `from` back to disk under `dir`, after checking its shape, its paths
 * and its digest: a snapshot that fails them is a StoredObjectError naming `from` (the object was
 * changed in the bucket or is corrupt), and nothing of it is written.
 */
export async function restoreSnapshot(
  snapshot: PluginSnapshot,
  dir: string,
  from: StoredObjectRef,
): Promise<void> {
  const corrupt = (what: string): StoredObjectError =>
    new StoredObjectError(
      { ...from, problem: 'corrupt' },
      `is not a plugin snapshot this engine wrote: ${what}.`,
      STORED_OBJECT_HINTS.any,
    );
  const entries: unknown = (snapshot as Partial<PluginSnapshot> | null)?.files;
  if (!Array.isArray(entries) || typeof snapshot.digest !== 'string')
    throw corrupt('it has no list of files and digest');
  const files = (entries as unknown[]).map((entry) => {
    const f = (typeof entry === 'object' && entry !== null ? entry : {}) as Partial<
      PluginSnapshot['files'][number]
    >;
    if (typeof f.path !== 'string' || typeof f.base64 !== 'string')
      throw corrupt('an entry has no path or content');
    if (f.path.split('/').some((part) => part === '..' || part === '') || f.path.startsWith('/'))
      throw corrupt(`it holds an unsafe path: ${f.path}`);
    return { path: f.path, content: Buffer.from(f.base64, 'base64') };
  });
  if (digestFiles(files) !== snapshot.digest) throw corrupt('its files do not match its digest');
  for (const file of files) {
    const target = join(dir, ...file.path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content);
  }
}
