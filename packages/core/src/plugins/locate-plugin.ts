/**
 * Finds the folder of an infra plugin: `<app>/.stk/FORKED_PLUGINS/<alias>/` first (a fork kept in
 * the repository wins), then each plugin directory given (PLUGINS_PATH), where every sub-folder
 * with a plugin.yaml is a candidate, or the directory itself is one, then the plugin registry of
 * the IaC bucket. A candidate matches when its metadata.name and metadata.version equal the
 * reference's.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, isAbsolute } from 'node:path';
import type { Problem } from '../errors';
import { readYamlFile } from '../descriptor';
import { parsePluginDefinition, type PluginDefinition } from './plugin-definition';
import type { PluginRef } from './plugin-ref';
import { refuseLinkOut } from './plugin-folder';

export interface LocatedPlugin {
  kind: 'forked' | 'plugin-dir' | 'registry';
  dir: string;
  displayDir: string;
  definition: PluginDefinition;
}

/** Plugins fetched from outside the checkout (the registry, see ../registry), looked in last. */
export interface RemotePlugins {
  /** Where, for messages (`the plugin registry s3://<bucket>/plugins/`). */
  readonly place: string;
  /** The version's files in a local folder, checked; undefined when it is not there. */
  fetch(ref: PluginRef): Promise<{ dir: string; displayDir: string } | undefined>;
  /** The versions of the plugin there, newest first. */
  versions(ref: PluginRef): Promise<string[]>;
}

/** A path for messages: relative to the repository when inside it. */
export function displayPath(repoRoot: string, path: string): string {
  const rel = relative(repoRoot, path);
  // The repository root itself (PLUGINS_PATH: .) is `.`, not the runner's absolute path.
  if (rel === '') return '.';
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : path;
}

/** Reads and caches plugin.yaml files, so N plugins over one directory read it once. */
export class PluginCatalog {
  private readonly cache = new Map<
    string,
    Promise<{ definition?: PluginDefinition; problems: Problem[] }>
  >();
  private readonly listings = new Map<string, Promise<string[]>>();

  constructor(private readonly repoRoot: string) {}

  /** Finds the plugin, or returns the places it looked (and problems of invalid plugin.yaml files there). */
  async locate(
    alias: string,
    ref: PluginRef,
    forkedRoot: string,
    pluginDirs: readonly string[],
    remote?: RemotePlugins,
  ): Promise<{
    plugin?: LocatedPlugin;
    looked: string[];
    /** Without a plugin: the plugins of that name found at other versions, and where. */
    otherVersions: { version: string; displayDir: string }[];
    /** With a plugin: what is wrong in its plugin.yaml; without: everything met on the way. */
    problems: Problem[];
  }> {
    const looked: string[] = [];
    const problems: Problem[] = [];
    const otherVersions: { version: string; displayDir: string }[] = [];
    const forked = join(forkedRoot, alias);
    looked.push(displayPath(this.repoRoot, forked));
    refuseLinkOut(this.repoRoot, forked, displayPath(this.repoRoot, forked));
    if (existsSync(join(forked, 'plugin.yaml'))) {
      const read = await this.read(forked);
      if (read.definition)
        return {
          plugin: this.located('forked', forked, read.definition),
          looked,
          otherVersions,
          problems: read.problems,
        };
      return { looked, otherVersions, problems: read.problems };
    }
    for (const root of pluginDirs) {
      looked.push(displayPath(this.repoRoot, root));
      refuseLinkOut(this.repoRoot, root, displayPath(this.repoRoot, root));
      for (const dir of await this.candidates(root)) {
        const read = await this.read(dir);
        if (read.problems.length > 0) problems.push(...read.problems);
        const d = read.definition;
        if (d && d.name === ref.name && d.version === ref.version) {
          // The plugin's own problems only: others' files are not this deployment's business.
          return {
            plugin: this.located('plugin-dir', dir, d),
            looked,
            otherVersions,
            problems: read.problems,
          };
        }
        if (d && d.name === ref.name)
          otherVersions.push({ version: d.version, displayDir: displayPath(this.repoRoot, dir) });
      }
    }
    if (remote) {
      looked.push(remote.place);
      const fetched = await remote.fetch(ref);
      if (fetched) {
        // Its plugin.yaml is checked like any other: the registry holds what a publisher wrote.
        const read = await this.read(fetched.dir, `${fetched.displayDir}/plugin.yaml`);
        const d = read.definition;
        if (d && d.name === ref.name && d.version === ref.version)
          return {
            plugin: { kind: 'registry', ...fetched, definition: d },
            looked,
            otherVersions,
            problems: read.problems,
          };
        const names = d ? `${d.name}@${d.version}` : 'no valid plugin';
        problems.push(...read.problems, {
          message: `This plugin.yaml names ${names}, but it is published as ${ref.studio}/${ref.name}@${ref.version}: refused.`,
          location: { file: `${fetched.displayDir}/plugin.yaml` },
        });
        return { looked, otherVersions, problems };
      }
      for (const version of await remote.versions(ref))
        otherVersions.push({ version, displayDir: 'registry' });
    }
    return { looked, otherVersions, problems };
  }

  private located(
    kind: LocatedPlugin['kind'],
    dir: string,
    definition: PluginDefinition,
  ): LocatedPlugin {
    return { kind, dir, displayDir: displayPath(this.repoRoot, dir), definition };
  }

  private candidates(root: string): Promise<string[]> {
    let listing = this.listings.get(root);
    if (!listing) {
      listing = (async () => {
        if (existsSync(join(root, 'plugin.yaml'))) return [root];
        if (!existsSync(root)) return [];
        const entries = await readdir(root, { withFileTypes: true });
        return entries
          .filter((e) => e.isDirectory() && existsSync(join(root, e.name, 'plugin.yaml')))
          .map((e) => join(root, e.name))
          .sort();
      })();
      this.listings.set(root, listing);
    }
    return listing;
  }

  private read(
    dir: string,
    display?: string,
  ): Promise<{ definition?: PluginDefinition; problems: Problem[] }> {
    let entry = this.cache.get(dir);
    if (!entry) {
      entry = (async () => {
        const file = display ?? displayPath(this.repoRoot, join(dir, 'plugin.yaml'));
        const { yaml, problems } = await readYamlFile(join(dir, 'plugin.yaml'), file);
        if (!yaml) return { problems };
        const parsed = parsePluginDefinition(yaml);
        return { definition: parsed.plugin, problems: parsed.problems };
      })();
      this.cache.set(dir, entry);
    }
    return entry;
  }
}
