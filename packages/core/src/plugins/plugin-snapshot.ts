/**
 * A plugin's files as one JSON object. orchestrate-and-plan stores the snapshot with the run, and
 * runtime-tasks renders from it, so what is applied after approval comes from exactly the files
 * that were planned, whatever the approve job's checkout holds.
 */
import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { ConfigurationError } from '../errors';
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

/** Writes a snapshot back to disk under `dir`, after checking its digest. */
export async function restoreSnapshot(snapshot: PluginSnapshot, dir: string): Promise<void> {
  const files = snapshot.files.map((f) => {
    if (f.path.split('/').some((part) => part === '..' || part === '') || f.path.startsWith('/')) {
      throw new Error(`plugin snapshot holds an unsafe path: ${f.path}`);
    }
    return { path: f.path, content: Buffer.from(f.base64, 'base64') };
  });
  if (digestFiles(files) !== snapshot.digest) {
    throw new Error('plugin snapshot does not match its digest: the stored object is corrupt');
  }
  for (const file of files) {
    const target = join(dir, ...file.path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content);
  }
}
