/**
 * The registry as the last place a deployment looks for a plugin (after `.stk/FORKED_PLUGINS` and
 * PLUGINS_PATH): each version is fetched once per step into a scratch folder, checked against its
 * digest, and from there treated exactly like a plugin folder of the checkout (plugin.yaml read
 * and checked, files snapshotted with the run, templates guarded when rendered).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PluginRef, RemotePlugins } from '../plugins';
import type { PluginRegistry } from './plugin-registry';
import { formatRef, isPublishableRef, registryDisplayDir } from './registry-ref';

export class FetchedPlugins implements RemotePlugins {
  private scratch: Promise<string> | undefined;
  private readonly fetched = new Map<
    string,
    Promise<{ dir: string; displayDir: string } | undefined>
  >();

  constructor(private readonly registry: PluginRegistry) {}

  get place(): string {
    return `the plugin registry ${this.registry.place}`;
  }

  fetch(ref: PluginRef): Promise<{ dir: string; displayDir: string } | undefined> {
    // A name without a studio (`plugin@1.0.0`), or one like `../x@1.0.0`, cannot be published,
    // so it is never there: not asking keeps stk.yaml from naming keys outside `plugins/`.
    if (!isPublishableRef(ref)) return Promise.resolve(undefined);
    const id = formatRef(ref);
    let entry = this.fetched.get(id);
    if (!entry) {
      const folder = String(this.fetched.size);
      entry = (async () => {
        this.scratch ??= mkdtemp(join(tmpdir(), 'deploy-engine-registry-'));
        const dir = join(await this.scratch, folder);
        const release = await this.registry.fetch(ref, dir);
        return release ? { dir, displayDir: registryDisplayDir(ref) } : undefined;
      })();
      this.fetched.set(id, entry);
    }
    return entry;
  }

  versions(ref: PluginRef): Promise<string[]> {
    return isPublishableRef({ ...ref, version: '0.0.0' })
      ? this.registry.versions(ref.studio, ref.name)
      : Promise.resolve([]);
  }

  /** Removes the scratch folder (the run keeps its own snapshot of every plugin). */
  async dispose(): Promise<void> {
    if (this.scratch) await rm(await this.scratch, { recursive: true, force: true });
  }
}
