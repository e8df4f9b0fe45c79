import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '../errors';
import { MemoryLogger } from '../logging';
import { buildManifest } from '../manifest';
import { MemoryObjectStore } from '../store';
import { FetchedPlugins } from './fetched-plugins';
import { digestArchive, type PluginArchive } from './plugin-archive';
import { PluginRegistry } from './plugin-registry';
import { contentKey, releaseKey } from '../bucket-layout';

const pluginYaml = (name: string, version: string) =>
  `schema-version: v3\nkind: plugin\nmetadata: { name: ${name}, version: ${version} }\nspec:\n  type: infra\n`;

function folder(root: string, name: string, version: string, main = '# from the checkout\n') {
  mkdirSync(join(root, 'templates-deploy'), { recursive: true });
  writeFileSync(join(root, 'plugin.yaml'), pluginYaml(name, version));
  writeFileSync(join(root, 'templates-deploy', 'main.tf'), main);
  return root;
}

function app(ref: string): string {
  const root = mkdtempSync(join(tmpdir(), 'registry-app-'));
  mkdirSync(join(root, '.stk'), { recursive: true });
  mkdirSync(join(root, 'plugins'));
  writeFileSync(
    join(root, '.stk', 'stk.yaml'),
    `schema-version: v3\nkind: manifest\nmetadata: { name: shop }\nspec:\n  type: app\n  app-id: 01J9V6MWFTWQ392331QBCS46KQ\n  plugins:\n    - name: ${ref}\n      alias: q\n      type: infra\n`,
  );
  return root;
}

async function setup() {
  const store = new MemoryObjectStore('acme-iac');
  const registry = new PluginRegistry(store);
  const source = mkdtempSync(join(tmpdir(), 'published-'));
  await registry.publish(folder(source, 'queue', '2.0.0', '# from the registry\n'), {
    studio: 'acme',
    displayDir: 'queue',
    publisher: { actor: 'alice' },
  });
  return { store, registry, fetched: new FetchedPlugins(registry) };
}

function build(root: string, fetched: FetchedPlugins) {
  return buildManifest({
    repoRoot: root,
    workdir: '.',
    pluginDirs: [join(root, 'plugins')],
    registry: fetched,
    workspace: 'w',
    environment: 'dev',
    version: 'v1',
    dynamicInputs: {},
    connectionInterfaces: [],
    logger: new MemoryLogger(),
  });
}

async function problems(promise: Promise<unknown>): Promise<string[]> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConfigurationError)
      return error.problems.map(
        (p) =>
          `${p.location?.file ?? ''}${p.location?.line ? `:${p.location.line}` : ''} ${p.message}${p.hint ? ` HINT ${p.hint}` : ''}`,
      );
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('plugins from the registry', () => {
  it('are found after the checkout, and the checkout wins', async () => {
    const { fetched } = await setup();
    const root = app('acme/queue@2.0.0');
    const manifest = await build(root, fetched);
    const plugin = manifest.plugins[0]!;
    expect(plugin.source).toMatchObject({
      kind: 'registry',
      displayDir: 'registry:acme/queue@2.0.0',
    });
    expect(plugin.pluginFile).toBe('registry:acme/queue@2.0.0/plugin.yaml');
    expect(existsSync(join(plugin.source!.dir, 'templates-deploy', 'main.tf'))).toBe(true);
    // The same version in PLUGINS_PATH, or forked, is used instead.
    folder(join(root, 'plugins', 'queue'), 'queue', '2.0.0');
    expect((await build(root, fetched)).plugins[0]!.source?.kind).toBe('plugin-dir');
    folder(join(root, '.stk', 'FORKED_PLUGINS', 'q'), 'queue', '2.0.0');
    expect((await build(root, fetched)).plugins[0]!.source?.kind).toBe('forked');
    await fetched.dispose();
    expect(existsSync(plugin.source!.dir)).toBe(false);
  });

  it('not found: names every place looked in, the versions there, and the publish command', async () => {
    const { fetched } = await setup();
    const root = app('acme/queue@3.0.0');
    folder(join(root, 'plugins', 'queue'), 'queue', '1.0.0');
    expect(await problems(build(root, fetched))).toEqual([
      '.stk/stk.yaml:8 Plugin acme/queue@3.0.0 (alias q) was not found at version 3.0.0; queue is there at version 1.0.0 (plugins/queue), 2.0.0 (registry). Looked in: .stk/FORKED_PLUGINS/q, plugins, the plugin registry s3://acme-iac/plugins/. HINT Ask for a version that is there in stk.yaml (queue@1.0.0), or add version 3.0.0 of the plugin to a PLUGINS_PATH directory or publish it to the registry (deploy-engine plugins publish <plugin folder> --studio acme --bucket <IAC_BUCKET_NAME>).',
    ]);
    const other = await problems(build(app('beta/cache@1.0.0'), fetched));
    expect(other[0]).toContain(
      'Looked in: .stk/FORKED_PLUGINS/q, plugins, the plugin registry s3://acme-iac/plugins/.',
    );
    expect(other[0]).toContain('deploy-engine plugins publish <plugin folder> --studio beta');
  });

  it('refuses a registry version whose plugin.yaml names another plugin', async () => {
    const { store, fetched } = await setup();
    const ref = { studio: 'acme', name: 'queue', version: '2.1.0' };
    const archive: PluginArchive = {
      schemaVersion: 1,
      entries: [
        {
          type: 'file',
          path: 'plugin.yaml',
          mode: 0o644,
          base64: Buffer.from(pluginYaml('other', '2.1.0')).toString('base64'),
        },
      ],
    };
    const digest = digestArchive(archive);
    await store.putJson(contentKey(ref, digest), archive);
    await store.putJson(releaseKey(ref), { schemaVersion: 1, ...ref, digest, files: [], bytes: 0 });
    expect(await problems(build(app('acme/queue@2.1.0'), fetched))).toEqual([
      expect.stringContaining(
        'registry:acme/queue@2.1.0/plugin.yaml This plugin.yaml names other@2.1.0, but it is published as acme/queue@2.1.0: refused.',
      ),
      expect.stringContaining('was not found'),
    ]);
  });

  it('never asks the bucket for a name that could not have been published', async () => {
    const { store, fetched } = await setup();
    const asked: string[] = [];
    const get = store.getJson.bind(store);
    const list = store.list.bind(store);
    store.getJson = (key) => (asked.push(key), get(key));
    store.list = (prefix) => (asked.push(prefix), list(prefix));
    for (const ref of ['../queue@2.0.0', 'acme/..@2.0.0', 'acme/queue@..', 'queue@2.0.0'])
      expect(await problems(build(app(ref), fetched))).toEqual([
        expect.stringContaining('was not found'),
      ]);
    // Only the versions of acme/queue (for the message), never a key a name made up.
    expect(asked).toEqual(['plugins/acme/queue/']);
  });
});
