/**
 * The step's provider mirror: every provider package a `terraform init` of the step downloaded is
 * added to a folder in Terraform's unpacked filesystem-mirror layout
 * (`<host>/<namespace>/<type>/<version>/<os_arch>/`), and every later init installs from it first
 * (see cliConfig): Terraform links the package into the project instead of downloading and
 * unpacking it again. Nothing in the mirror is ever changed once there (new packages arrive
 * whole, by rename), so inits may run at once: Terraform's own plugin cache has no lock.
 *
 * The first init of the step runs alone, so the providers most plugins share are in the mirror
 * before the others start; later ones run at once, and only a provider that none installed
 * before can be downloaded by two of them.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, link, lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../logging';

/** Depth of a package folder under `.terraform/providers` (host, namespace, type, version, os_arch). */
const PACKAGE_DEPTH = 5;

export class ProviderMirror {
  private firstInit: Promise<void> | undefined;
  private readonly known = new Set<string>();
  private usable: Promise<string | undefined> | undefined;

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
  ) {}

  /**
   * The mirror's folder, created on first use; undefined (and said once) when it cannot be: the
   * inits then install on their own, as they would without a mirror.
   */
  ready(): Promise<string | undefined> {
    this.usable ??= mkdir(this.dir, { recursive: true }).then(
      () => this.dir,
      (error: unknown) => {
        this.logger.warning(
          `The job's provider mirror ${this.dir} cannot be created (${error instanceof Error ? error.message : String(error)}): every init downloads its providers itself.`,
        );
        return undefined;
      },
    );
    return this.usable;
  }

  /** Runs one init: the step's first alone, the others at once once it has ended. */
  async aroundInit<T>(init: () => Promise<T>): Promise<T> {
    if (this.firstInit) {
      await this.firstInit;
      return init();
    }
    let done!: () => void;
    this.firstInit = new Promise((resolve) => (done = resolve));
    try {
      return await init();
    } finally {
      done();
    }
  }

  /**
   * Adds the packages `terraform init` installed in `projectDir` from elsewhere (real folders, not
   * links into the mirror) to the mirror; returns their addresses (`host/ns/type/version/os_arch`).
   */
  async collect(projectDir: string): Promise<string[]> {
    if (!(await this.ready())) return [];
    const added: string[] = [];
    for (const address of await packageFolders(join(projectDir, '.terraform', 'providers'))) {
      if (this.known.has(address.path)) continue;
      this.known.add(address.path);
      const target = join(this.dir, address.path);
      if (await exists(target)) continue;
      // Whole or not at all: a copy under a temporary name, renamed into place.
      const staging = join(this.dir, `.incoming-${randomUUID()}`);
      try {
        await linkTree(address.dir, staging);
        await mkdir(dirname(target), { recursive: true });
        await rename(staging, target);
        added.push(address.path);
      } catch (error) {
        await rm(staging, { recursive: true, force: true });
        // Another init added the same package first: it is there, which is all that matters.
        if (!(await exists(target))) throw error;
      }
    }
    if (added.length > 0)
      this.logger.info(
        `Provider mirror: kept ${added.join(', ')}; later inits of this job link it instead of downloading it (Terraform calls such a copy "unauthenticated": it checked the package when it downloaded it here).`,
      );
    return added;
  }
}

interface PackageFolder {
  /** `host/ns/type/version/os_arch` */
  path: string;
  dir: string;
}

/** Package folders under `.terraform/providers` that Terraform unpacked there itself. */
async function packageFolders(root: string): Promise<PackageFolder[]> {
  const found: PackageFolder[] = [];
  const walk = async (dir: string, parts: string[]): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = [...parts, entry.name];
      if (path.length === PACKAGE_DEPTH) {
        // A link is a package Terraform installed from a mirror (ours): nothing to add.
        if (entry.isDirectory()) found.push({ path: path.join('/'), dir: join(dir, entry.name) });
      } else if (entry.isDirectory()) {
        await walk(join(dir, entry.name), path);
      }
    }
  };
  await walk(root, []);
  return found;
}

/** Copies a folder as hard links (instant, no space), or bytes where links are not possible. */
async function linkTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) await linkTree(source, target);
    else if (entry.isFile()) await link(source, target).catch(() => copyFile(source, target));
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}
