/**
 * The plugin registry in the IaC bucket: `plugins publish` stores an immutable version of a
 * plugin, deployments fetch it by the `studio/name@version` stk.yaml names.
 *
 * A version is published in two conditional writes (`If-None-Match: *`): first its files, under a
 * key holding their digest, then its release record, which is what makes the version exist. The
 * release record is never overwritten: publishing the same files again is a no-op, different files
 * are refused, and of two publishers racing for one version exactly one wins.
 */
import { join } from 'node:path';
import { ConfigurationError, StoredObjectError, type SourceLocation } from '../errors';
import { readYamlFile } from '../descriptor';
import { parsePluginDefinition } from '../plugins/plugin-definition';
import { PreconditionFailedError, requireJson, type ObjectStore } from '../store';
import {
  checkArchive,
  digestArchive,
  listArchive,
  readPluginFolder,
  restoreArchive,
  type ArchiveListing,
  type PluginArchive,
} from './plugin-archive';
import {
  checkPublishableRef,
  compareVersionsDescending,
  formatRef,
  registryDisplayDir,
} from './registry-ref';
import {
  contentKey,
  pluginPrefix,
  refOfReleaseKey,
  releaseKey,
  REGISTRY_PREFIX,
  type RegistryRef,
} from '../bucket-layout';

/** Who published a version (the CLI fills it from the environment it runs in). */
export interface Publisher {
  /** A person or a workflow's actor. */
  actor: string;
  /** In a GitHub workflow: owner/name, the commit and the workflow run. */
  repository?: string;
  commit?: string;
  workflowRunUrl?: string;
}

/** The record that makes a version exist: `plugins/<studio>/<name>/<version>/release.json`. */
export interface PluginRelease extends RegistryRef {
  schemaVersion: 1;
  /** SHA-256 of the archive (see digestArchive): what every deployment checks. */
  digest: string;
  files: ArchiveListing[];
  /** Bytes of all files. */
  bytes: number;
  publishedAt: string;
  publishedBy: Publisher;
}

export interface PublishResult {
  /** `unchanged`: this version was already published with the same files. */
  outcome: 'published' | 'unchanged';
  release: PluginRelease;
}

/** One plugin of the registry with its versions, newest first. */
export interface RegistryPlugin {
  studio: string;
  name: string;
  versions: string[];
}

export class PluginRegistry {
  constructor(private readonly store: ObjectStore) {}

  /** Where the registry lives, for messages: `s3://<bucket>/plugins/`. */
  get place(): string {
    return `s3://${this.store.bucket}/${REGISTRY_PREFIX}`;
  }

  /**
   * Publishes the plugin folder `dir` as `<studio>/<metadata.name>@<metadata.version>` (a
   * `version` given must equal metadata.version: the deployment checks plugin.yaml against it).
   */
  async publish(
    dir: string,
    options: {
      studio: string;
      version?: string;
      displayDir: string;
      publisher: Publisher;
      now?: Date;
    },
  ): Promise<PublishResult> {
    const ref = await readRef(dir, options.displayDir, options.studio, options.version);
    const archive = await readPluginFolder(dir, options.displayDir);
    const digest = digestArchive(archive);
    const release: PluginRelease = {
      schemaVersion: 1,
      ...ref,
      digest,
      files: listArchive(archive),
      bytes: listArchive(archive).reduce((sum, f) => sum + (f.bytes ?? 0), 0),
      publishedAt: (options.now ?? new Date()).toISOString(),
      publishedBy: options.publisher,
    };
    const existing = await this.show(ref);
    if (existing) return this.alreadyThere(existing, digest);
    await this.putContent(ref, digest, archive);
    try {
      await this.store.putJson(releaseKey(ref), release, { ifNoneMatch: '*' });
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      // Someone published this version between our read and our write.
      const winner = await this.show(ref);
      if (!winner) throw error;
      // Our archive is named by no release: removed if we may (a publisher may lack delete).
      if (winner.digest !== digest)
        await this.store.delete(contentKey(ref, digest)).catch(() => undefined);
      return this.alreadyThere(winner, digest);
    }
    return { outcome: 'published', release };
  }

  /** The release record of one version; undefined when it was never published. */
  async show(ref: RegistryRef): Promise<PluginRelease | undefined> {
    return (await this.store.getJson<PluginRelease>(releaseKey(ref)))?.value;
  }

  /** Every published plugin (optionally of one studio, or one plugin), each with its versions newest first. */
  async list(filter: { studio?: string; name?: string } = {}): Promise<RegistryPlugin[]> {
    const prefix =
      filter.studio !== undefined && filter.name !== undefined
        ? pluginPrefix(filter.studio, filter.name)
        : filter.studio !== undefined
          ? `${REGISTRY_PREFIX}${encodeURIComponent(filter.studio)}/`
          : REGISTRY_PREFIX;
    const byPlugin = new Map<string, RegistryPlugin>();
    for (const key of await this.store.list(prefix)) {
      const ref = refOfReleaseKey(key);
      if (!ref) continue;
      const id = `${ref.studio}/${ref.name}`;
      const plugin = byPlugin.get(id) ?? { studio: ref.studio, name: ref.name, versions: [] };
      plugin.versions.push(ref.version);
      byPlugin.set(id, plugin);
    }
    return [...byPlugin.values()]
      .sort((a, b) =>
        a.studio === b.studio ? a.name.localeCompare(b.name) : a.studio.localeCompare(b.studio),
      )
      .map((p) => ({ ...p, versions: p.versions.sort(compareVersionsDescending) }));
  }

  /** The published versions of one plugin, newest first. */
  async versions(studio: string, name: string): Promise<string[]> {
    return (await this.list({ studio, name }))[0]?.versions ?? [];
  }

  /**
   * Restores a published version into `dir` (new or empty), after checking its files against the
   * digest recorded at publishing. Undefined when the version was never published.
   */
  async fetch(ref: RegistryRef, dir: string): Promise<PluginRelease | undefined> {
    const release = await this.show(ref);
    if (!release) return undefined;
    const display = registryDisplayDir(ref);
    const recorded = release as Partial<PluginRelease>;
    if (
      recorded.studio !== ref.studio ||
      recorded.name !== ref.name ||
      recorded.version !== ref.version ||
      typeof recorded.digest !== 'string' ||
      !/^[0-9a-f]{64}$/.test(recorded.digest)
    ) {
      throw new StoredObjectError(
        { bucket: this.store.bucket, key: releaseKey(ref), problem: 'corrupt' },
        `is the release record of ${formatRef(ref)} but does not describe that version (it names ${String(recorded.studio)}/${String(recorded.name)}@${String(recorded.version)}, digest ${String(recorded.digest)}): it was changed after publishing, and is refused.`,
        'Restore the object (S3 versioning) or publish the plugin again under a new version.',
      );
    }
    const stored = await requireJson<unknown>(
      this.store,
      contentKey(ref, release.digest),
      `is missing: it holds the files of ${formatRef(ref)}, published, but gone from the bucket.`,
      'Restore the object (S3 versioning) or publish the plugin again under a new version.',
    );
    await restoreArchive(checkArchive(stored.value, release.digest, display), dir);
    return release;
  }

  /** Stores the files; an object already there under their digest must hold exactly them. */
  private async putContent(ref: RegistryRef, digest: string, archive: PluginArchive) {
    const key = contentKey(ref, digest);
    try {
      await this.store.putJson(key, archive, { ifNoneMatch: '*' });
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      // A publisher of the same files got there first (or an earlier attempt stopped halfway).
      const there = await this.store.getJson<unknown>(key);
      checkArchive(there?.value, digest, registryDisplayDir(ref));
    }
  }

  private alreadyThere(existing: PluginRelease, digest: string): PublishResult {
    if (existing.digest === digest) return { outcome: 'unchanged', release: existing };
    const by = existing.publishedBy?.actor ?? 'unknown';
    throw new ConfigurationError({
      message: `${formatRef(existing)} is already published with different files (by ${by} at ${existing.publishedAt}, sha256 ${existing.digest}; these files: sha256 ${digest}). A published version never changes.`,
      location: { file: `${REGISTRY_PREFIX}${formatRef(existing)}` },
      hint: 'Raise metadata.version in plugin.yaml and publish again; stk.yaml files then name the new version.',
    });
  }
}

/** The reference a plugin folder publishes as, from its plugin.yaml (and the flags). */
async function readRef(
  dir: string,
  displayDir: string,
  studio: string,
  version: string | undefined,
): Promise<RegistryRef> {
  const file = `${displayDir.replace(/\/$/, '')}/plugin.yaml`;
  const read = await readYamlFile(join(dir, 'plugin.yaml'), file);
  if (!read.yaml) throw new ConfigurationError(read.problems, `${file} cannot be read`);
  const parsed = parsePluginDefinition(read.yaml);
  if (!parsed.plugin || parsed.problems.length > 0)
    throw new ConfigurationError(parsed.problems, `${file} is not valid`);
  const where: SourceLocation = parsed.plugin.locate(['metadata', 'version']);
  if (version !== undefined && version !== parsed.plugin.version)
    throw new ConfigurationError({
      message: `--version ${version} differs from metadata.version ${parsed.plugin.version}: deployments check plugin.yaml against the version stk.yaml names.`,
      location: where,
      hint: `Set metadata.version to ${version} in plugin.yaml, or leave --version out.`,
    });
  const ref = { studio, name: parsed.plugin.name, version: parsed.plugin.version };
  checkPublishableRef(ref, where);
  return ref;
}
