/**
 * Repository files for Terraform (CHECKOUT_BRANCH): the application's checkout, without `.git`,
 * `.stk/FORKED_PLUGINS`, EXCLUDE_FILES_PATH and our own scratch folder, copied once per job and
 * linked as `repodir/` into every rendered project, so templates can read files of the repository
 * (`file("repodir/...")`, `fileset("repodir/site", "**")`), as StackSpot's containers could.
 * Its digest is part of what SKIP_DEPLOY compares.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { ConfigurationError } from '../errors';

export const REPODIR = 'repodir';
/** Beyond this the repository is surely not what a plugin needs copied per job. */
export const MAX_REPOSITORY_BYTES = 512 * 1024 * 1024;

export interface RepositoryFiles {
  digest: string;
  files: number;
  bytes: number;
  /** Symbolic links left out (they could point anywhere). */
  skippedLinks: number;
}

/**
 * Walks the checkout at `root` and digests it; with `copyTo`, copies it there too.
 * @param exclude paths relative to root (EXCLUDE_FILES_PATH) and scratch folders inside it
 */
export async function scanRepositoryFiles(
  root: string,
  exclude: readonly string[],
  copyTo?: string,
): Promise<RepositoryFiles> {
  const skip = new Set(
    exclude.map((p) => posix.normalize(p.replace(/\\/g, '/')).replace(/\/$/, '')),
  );
  const hash = createHash('sha256');
  const result: RepositoryFiles = { digest: '', files: 0, bytes: 0, skippedLinks: 0 };
  if (copyTo) {
    await rm(copyTo, { recursive: true, force: true });
    await mkdir(copyTo, { recursive: true });
  }
  const walk = async (rel: string): Promise<void> => {
    const entries = (await readdir(join(root, rel), { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    );
    for (const entry of entries) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.name === '.git' || skip.has(path)) continue;
      if (entry.name === 'FORKED_PLUGINS' && rel.split('/').at(-1) === '.stk') continue;
      const stat = await lstat(join(root, path));
      if (stat.isSymbolicLink()) {
        result.skippedLinks++;
        continue;
      }
      if (stat.isDirectory()) {
        if (copyTo) await mkdir(join(copyTo, path), { recursive: true });
        await walk(path);
      } else if (stat.isFile()) {
        result.files++;
        result.bytes += stat.size;
        if (result.bytes > MAX_REPOSITORY_BYTES) {
          throw new ConfigurationError({
            message: `CHECKOUT_BRANCH: the repository holds more than ${MAX_REPOSITORY_BYTES / 1048576} MiB of files to give Terraform.`,
            hint: 'Leave large folders out with EXCLUDE_FILES_PATH, or turn CHECKOUT_BRANCH off.',
          });
        }
        hash.update(`${path}\0${stat.size}\0`);
        // Read once: the same bytes are digested and, when copying, written.
        const content = await readFile(join(root, path));
        hash.update(content);
        if (copyTo) await writeFile(join(copyTo, path), content);
      }
    }
  };
  await walk('');
  result.digest = hash.digest('hex');
  return result;
}
