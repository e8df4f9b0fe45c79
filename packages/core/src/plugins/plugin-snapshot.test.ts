import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { restoreSnapshot, snapshotDirectory } from './plugin-snapshot';

function pluginDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'plugin-'));
  mkdirSync(join(dir, 'templates-deploy', 'mod'), { recursive: true });
  writeFileSync(join(dir, 'plugin.yaml'), 'kind: plugin\n');
  writeFileSync(join(dir, 'templates-deploy', 'main.tf'), '{{ x }}\n');
  writeFileSync(join(dir, 'templates-deploy', 'mod', 'bin.zip'), Buffer.from([0, 1, 2, 255]));
  return dir;
}

describe('plugin snapshots', () => {
  it('round-trips every file byte for byte, digest checked', async () => {
    const snapshot = await snapshotDirectory(pluginDir(), 'plugins/p');
    expect(snapshot.files.map((f) => f.path)).toEqual([
      'plugin.yaml',
      'templates-deploy/main.tf',
      'templates-deploy/mod/bin.zip',
    ]);
    const out = mkdtempSync(join(tmpdir(), 'restored-'));
    await restoreSnapshot(JSON.parse(JSON.stringify(snapshot)), out);
    expect(readFileSync(join(out, 'templates-deploy', 'mod', 'bin.zip'))).toEqual(
      Buffer.from([0, 1, 2, 255]),
    );
    expect((await snapshotDirectory(out, 'x')).digest).toBe(snapshot.digest);
  });

  it('refuses a snapshot whose content does not match its digest', async () => {
    const snapshot = await snapshotDirectory(pluginDir(), 'plugins/p');
    snapshot.files[0]!.base64 = Buffer.from('tampered').toString('base64');
    await expect(restoreSnapshot(snapshot, mkdtempSync(join(tmpdir(), 'r-')))).rejects.toThrow(
      /does not match its digest/,
    );
  });

  it('refuses unsafe paths', async () => {
    const snapshot = await snapshotDirectory(pluginDir(), 'plugins/p');
    snapshot.files[0]!.path = '../escape.tf';
    await expect(restoreSnapshot(snapshot, mkdtempSync(join(tmpdir(), 'r-')))).rejects.toThrow(
      /unsafe path: \.\.\/escape\.tf/,
    );
  });

  it('refuses symbolic links in the plugin', async () => {
    const dir = pluginDir();
    symlinkSync('/etc/hostname', join(dir, 'templates-deploy', 'link.tf'));
    await expect(snapshotDirectory(dir, 'plugins/p')).rejects.toThrow(
      /plugins\/p\/templates-deploy\/link\.tf: Symbolic links are not allowed/,
    );
  });
});
