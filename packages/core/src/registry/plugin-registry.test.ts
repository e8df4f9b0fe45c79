import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, StoredObjectError } from '../errors';
import { MemoryObjectStore } from '../store';
import { digestArchive, MAX_PLUGIN_BYTES, type PluginArchive } from './plugin-archive';
import { PluginRegistry } from './plugin-registry';
import { compareVersionsDescending } from './registry-ref';
import { contentKey, releaseKey } from '../bucket-layout';

const QUEUE = { studio: 'acme', name: 'queue', version: '1.0.0' };
const by = { actor: 'alice' };

function pluginFolder(version = '1.0.0', main = 'resource "null_resource" "q" {}\n'): string {
  const dir = mkdtempSync(join(tmpdir(), 'registry-plugin-'));
  mkdirSync(join(dir, 'templates-deploy', 'empty'), { recursive: true });
  writeFileSync(
    join(dir, 'plugin.yaml'),
    `schema-version: v3\nkind: plugin\nmetadata: { name: queue, version: ${version} }\nspec:\n  type: infra\n`,
  );
  writeFileSync(join(dir, 'templates-deploy', 'main.tf'), main);
  writeFileSync(join(dir, 'templates-deploy', 'run.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(dir, 'templates-deploy', 'run.sh'), 0o750);
  return dir;
}

function publish(registry: PluginRegistry, dir: string, extra: { version?: string } = {}) {
  return registry.publish(dir, { studio: 'acme', displayDir: 'queue', publisher: by, ...extra });
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('the plugin registry', () => {
  it('publishes a version that restores the folder exactly: files, folders, modes, digest', async () => {
    const store = new MemoryObjectStore();
    const registry = new PluginRegistry(store);
    const source = pluginFolder();
    const published = await publish(registry, source);
    expect(published.outcome).toBe('published');
    expect(published.release).toMatchObject({ ...QUEUE, publishedBy: by });
    expect(published.release.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(await store.list('plugins/')).toEqual([
      contentKey(QUEUE, published.release.digest),
      releaseKey(QUEUE),
    ]);
    // A plugin repository's checkout: its history is not part of the plugin.
    mkdirSync(join(source, '.git', 'objects'), { recursive: true });
    writeFileSync(join(source, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    expect((await publish(registry, source)).outcome).toBe('unchanged');
    const out = join(mkdtempSync(join(tmpdir(), 'fetched-')), 'p');
    await registry.fetch(QUEUE, out);
    expect(existsSync(join(out, '.git'))).toBe(false);
    for (const path of ['plugin.yaml', 'templates-deploy/main.tf', 'templates-deploy/run.sh'])
      expect(readFileSync(join(out, path))).toEqual(readFileSync(join(source, path)));
    expect(statSync(join(out, 'templates-deploy', 'run.sh')).mode & 0o777).toBe(0o750);
    expect(statSync(join(out, 'templates-deploy', 'empty')).isDirectory()).toBe(true);
    // Publishing the restored folder gives the same digest: nothing was lost or added.
    const again = await publish(registry, out);
    expect(again).toEqual({ outcome: 'unchanged', release: published.release });
  });

  it('never overwrites a version: the same files are a no-op, different files are refused', async () => {
    const store = new MemoryObjectStore();
    const registry = new PluginRegistry(store);
    const first = await publish(registry, pluginFolder(), {});
    const before = await store.getJson(releaseKey(QUEUE));
    expect((await publish(registry, pluginFolder())).outcome).toBe('unchanged');
    const message = await refusal(publish(registry, pluginFolder('1.0.0', '# changed\n')));
    expect(message).toContain('acme/queue@1.0.0 is already published with different files');
    expect(message).toContain(`by alice at ${first.release.publishedAt}`);
    expect(message).toContain('Raise metadata.version');
    expect(await store.getJson(releaseKey(QUEUE))).toEqual(before);
    expect((await store.list('plugins/')).length).toBe(2);
  });

  it('of two publishers racing for one version with different files, exactly one wins', async () => {
    const store = new MemoryObjectStore();
    const registry = new PluginRegistry(store);
    const results = await Promise.allSettled([
      publish(registry, pluginFolder('1.0.0', '# one\n')),
      publish(registry, pluginFolder('1.0.0', '# two\n')),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(String(lost.reason)).toContain('already published with different files');
    const release = (await registry.show(QUEUE))!;
    expect(release.digest).toBe(
      (won[0] as PromiseFulfilledResult<{ release: { digest: string } }>).value.release.digest,
    );
    // The loser's files are not left behind.
    expect(await store.list('plugins/')).toEqual([
      contentKey(QUEUE, release.digest),
      releaseKey(QUEUE),
    ]);
  });

  it('refuses a stored plugin whose files no longer match the recorded digest', async () => {
    const store = new MemoryObjectStore();
    const registry = new PluginRegistry(store);
    const { release } = await publish(registry, pluginFolder());
    const key = contentKey(QUEUE, release.digest);
    const archive = (await store.getJson<PluginArchive>(key))!.value;
    const main = archive.entries.find((e) => e.path === 'templates-deploy/main.tf')!;
    if (main.type === 'file') main.base64 = Buffer.from('# tampered\n').toString('base64');
    await store.putJson(key, archive);
    const out = join(mkdtempSync(join(tmpdir(), 'fetched-')), 'p');
    const message = await refusal(registry.fetch(QUEUE, out));
    expect(message).toContain('registry:acme/queue@1.0.0');
    expect(message).toContain('does not match the digest recorded when it was published');
    expect(() => statSync(out)).toThrow();
  });

  it('refuses a release record changed to name other files or another version', async () => {
    const store = new MemoryObjectStore();
    const registry = new PluginRegistry(store);
    const { release } = await publish(registry, pluginFolder());
    await store.putJson(releaseKey(QUEUE), { ...release, digest: 'f'.repeat(64) });
    const out = join(mkdtempSync(join(tmpdir(), 'fetched-')), 'p');
    // The bucket lost or changed them: an outside failure naming the object, not the user's.
    const missing = registry.fetch(QUEUE, out);
    await expect(missing).rejects.toBeInstanceOf(StoredObjectError);
    await expect(missing).rejects.toThrow(
      /^s3:\/\/memory\/plugins\/.* is missing: it holds the files of/,
    );
    await store.putJson(releaseKey(QUEUE), { ...release, version: '2.0.0' });
    const changed = registry.fetch(QUEUE, out);
    await expect(changed).rejects.toBeInstanceOf(StoredObjectError);
    await expect(changed).rejects.toThrow(
      `s3://memory/${releaseKey(QUEUE)} is the release record of acme/queue@1.0.0 but does not describe that version`,
    );
  });

  it.each([
    ['a parent segment', { type: 'file', path: '../escape.tf', mode: 0o644, base64: '' }],
    ['an absolute path', { type: 'file', path: '/tmp/escape.tf', mode: 0o644, base64: '' }],
    ['a setuid mode', { type: 'file', path: 'x.sh', mode: 0o4755, base64: '' }],
    ['an unreadable file', { type: 'file', path: 'x.sh', mode: 0o200, base64: '' }],
    ['a symbolic link', { type: 'symlink', path: 'x', mode: 0o777, target: '/etc' }],
    ['a null entry', null],
  ])(
    'refuses a stored plugin with %s even when its digest was recorded with it',
    async (_, entry) => {
      const store = new MemoryObjectStore();
      const registry = new PluginRegistry(store);
      const { release } = await publish(registry, pluginFolder());
      const archive = { schemaVersion: 1, entries: [entry] } as PluginArchive;
      // An entry no digest can be computed over: any recorded digest will do.
      const digest = entry === null ? 'a'.repeat(64) : digestArchive(archive);
      await store.putJson(contentKey(QUEUE, digest), archive);
      await store.putJson(releaseKey(QUEUE), { ...release, digest });
      const out = join(mkdtempSync(join(tmpdir(), 'fetched-')), 'p');
      expect(await refusal(registry.fetch(QUEUE, out))).toContain('An entry of the stored plugin');
      expect(() => statSync(out)).toThrow();
    },
  );

  it('refuses to publish symbolic links, FIFOs, unreadable files and oversized folders', async () => {
    const registry = new PluginRegistry(new MemoryObjectStore());
    const linked = pluginFolder();
    symlinkSync('/etc/passwd', join(linked, 'templates-deploy', 'passwd'));
    expect(await refusal(publish(registry, linked))).toContain(
      'queue/templates-deploy/passwd: Symbolic links cannot be published',
    );
    const fifo = pluginFolder();
    execFileSync('mkfifo', [join(fifo, 'pipe')]);
    expect(await refusal(publish(registry, fifo))).toContain('Only files and folders');
    const locked = pluginFolder();
    chmodSync(join(locked, 'templates-deploy', 'main.tf'), 0o200);
    expect(await refusal(publish(registry, locked))).toContain('must be able to read and write');
    const big = pluginFolder();
    writeFileSync(join(big, 'blob.bin'), '');
    truncateSync(join(big, 'blob.bin'), MAX_PLUGIN_BYTES + 1);
    expect(await refusal(publish(registry, big))).toContain('holds more than 20 MiB');
  });

  it('takes the name and version from plugin.yaml and refuses names stk.yaml could not hold', async () => {
    const registry = new PluginRegistry(new MemoryObjectStore());
    expect(await refusal(publish(registry, pluginFolder(), { version: '1.0.1' }))).toContain(
      'queue/plugin.yaml:3:26: --version 1.0.1 differs from metadata.version 1.0.0',
    );
    expect(await refusal(publish(registry, pluginFolder('latest')))).toContain(
      "Version 'latest' is not a semantic version",
    );
    expect(
      await refusal(
        registry.publish(pluginFolder(), { studio: 'a/b', displayDir: 'q', publisher: by }),
      ),
    ).toContain("Studio 'a/b' cannot name a published plugin");
  });

  it('lists studios and plugins with their versions, newest first', async () => {
    const registry = new PluginRegistry(new MemoryObjectStore());
    for (const v of ['1.9.0', '1.10.0', '1.10.0-rc.1', '0.1.0'])
      await publish(registry, pluginFolder(v));
    await registry.publish(pluginFolder(), { studio: 'beta', displayDir: 'q', publisher: by });
    expect(await registry.list()).toEqual([
      { studio: 'acme', name: 'queue', versions: ['1.10.0', '1.10.0-rc.1', '1.9.0', '0.1.0'] },
      { studio: 'beta', name: 'queue', versions: ['1.0.0'] },
    ]);
    expect(await registry.versions('beta', 'queue')).toEqual(['1.0.0']);
    expect(await registry.versions('acme', 'missing')).toEqual([]);
  });
});

describe('version order', () => {
  it('follows semantic versioning precedence, newest first', () => {
    const sorted = [
      '1.0.0-alpha.1',
      '1.0.0',
      '1.0.0-alpha',
      '1.0.0-beta',
      '2.0.0',
      'x',
      '1.0.0-alpha.beta',
    ].sort(compareVersionsDescending);
    expect(sorted).toEqual([
      '2.0.0',
      '1.0.0',
      '1.0.0-beta',
      '1.0.0-alpha.beta',
      '1.0.0-alpha.1',
      '1.0.0-alpha',
      'x',
    ]);
  });
});
