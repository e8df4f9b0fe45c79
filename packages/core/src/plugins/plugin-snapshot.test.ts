import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoredObjectError } from '../errors';
import { restoreSnapshot, snapshotDirectory } from './plugin-snapshot';

const FROM = { bucket: 'iac', key: 'runs/R/artifacts/sources/p.json' };

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
    await restoreSnapshot(JSON.parse(JSON.stringify(snapshot)), out, FROM);
    expect(readFileSync(join(out, 'templates-deploy', 'mod', 'bin.zip'))).toEqual(
      Buffer.from([0, 1, 2, 255]),
    );
    expect((await snapshotDirectory(out, 'x')).digest).toBe(snapshot.digest);
  });

  it('refuses a snapshot whose content does not match its digest', async () => {
    const snapshot = await snapshotDirectory(pluginDir(), 'plugins/p');
    snapshot.files[0]!.base64 = Buffer.from('tampered').toString('base64');
    const restored = restoreSnapshot(snapshot, mkdtempSync(join(tmpdir(), 'r-')), FROM);
    await expect(restored).rejects.toBeInstanceOf(StoredObjectError);
    await expect(restored).rejects.toThrow(
      's3://iac/runs/R/artifacts/sources/p.json is not a plugin snapshot this engine wrote: its files do not match its digest.',
    );
  });

  it('refuses unsafe paths', async () => {
    const snapshot = await snapshotDirectory(pluginDir(), 'plugins/p');
    snapshot.files[0]!.path = '../escape.tf';
    const restored = restoreSnapshot(snapshot, mkdtempSync(join(tmpdir(), 'r-')), FROM);
    await expect(restored).rejects.toBeInstanceOf(StoredObjectError);
    await expect(restored).rejects.toThrow(/p\.json is .* unsafe path: \.\.\/escape\.tf/);
  });

  it.each([
    ['not an object', null],
    ['no files', { digest: 'd' }],
    ['an entry without content', { digest: 'd', files: [{ path: 'a.tf' }] }],
    ['a null entry', { digest: 'd', files: [null] }],
  ])('refuses a stored snapshot of the wrong shape (%s), naming it', async (_what, stored) => {
    const out = mkdtempSync(join(tmpdir(), 'r-'));
    const restored = restoreSnapshot(stored as never, out, FROM);
    await expect(restored).rejects.toBeInstanceOf(StoredObjectError);
    await expect(restored).rejects.toThrow(
      /^s3:\/\/iac\/runs\/R\/artifacts\/sources\/p\.json is not a plugin snapshot/,
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
