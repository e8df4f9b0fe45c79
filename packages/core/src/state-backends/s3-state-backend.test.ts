import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { ExternalError } from '../errors';
import { MemoryLogger } from '../logging';
import { TerraformProject } from '../terraform';
import { MemoryObjectStore, PreconditionFailedError } from '../store';
import { openStateBackend } from './open-state-backend';
import { S3StateBackend } from './s3-state-backend';

const KEY = 'shop/dev/app/01JAPP0000000000000000000A/topic/terraform.tfstate';

describe('S3StateBackend', () => {
  it("gives init today's S3 settings, in order, with Terraform's lock file and no credential", () => {
    const plain = new S3StateBackend(new MemoryObjectStore('tf'), 'sa-east-1').settings(KEY);
    expect(plain.type).toBe('s3');
    expect(Object.entries(plain.settings)).toEqual([
      ['bucket', 'tf'],
      ['key', KEY],
      ['region', 'sa-east-1'],
      ['use_lockfile', true],
    ]);
    const local = new S3StateBackend(
      new MemoryObjectStore('tf'),
      'us-east-1',
      'http://127.0.0.1:5000',
    );
    expect(Object.entries(local.settings(KEY).settings)).toEqual([
      ['bucket', 'tf'],
      ['key', KEY],
      ['region', 'us-east-1'],
      ['use_lockfile', true],
      ['endpoints', { s3: 'http://127.0.0.1:5000' }],
      ['use_path_style', true],
      ['skip_credentials_validation', true],
      ['skip_requesting_account_id', true],
      ['skip_metadata_api_check', true],
      ['skip_region_validation', true],
      ['skip_s3_checksum', true],
    ]);
    expect(JSON.stringify(local.settings(KEY))).not.toMatch(/secret|access_key|token/i);
  });

  it('reads a state object, and nothing where there is none yet', async () => {
    const store = new MemoryObjectStore('tf');
    const backend = new S3StateBackend(store, 'us-east-1');
    await expect(backend.settings(KEY).readState?.()).resolves.toBeUndefined();
    await store.putBytes(KEY, Buffer.from('{"serial":3}'), 'application/json');
    await expect(backend.settings(KEY).readState?.()).resolves.toBe('{"serial":3}');
  });

  it("maps Terraform's Lock Info path to a key of its own bucket only", () => {
    const backend = new S3StateBackend(new MemoryObjectStore('tf'), 'us-east-1');
    expect(backend.keyOfLockPath(`tf/${KEY}`)).toBe(KEY);
    expect(backend.keyOfLockPath(`tf-other/${KEY}`)).toBeUndefined();
    expect(backend.keyOfLockPath(KEY)).toBeUndefined();
    expect(backend.locationOf(KEY)).toBe(`s3://tf/${KEY}`);
    expect(backend.description).toBe('S3 bucket tf (us-east-1)');
  });

  it('releases only the lock version it read', async () => {
    const store = new MemoryObjectStore('tf');
    const backend = new S3StateBackend(store, 'us-east-1');
    expect(await backend.readLock(KEY)).toBeUndefined();
    await store.putJson(`${KEY}.tflock`, { ID: 'a', Operation: 'OperationTypeApply', Who: 'me' });
    const read = await backend.readLock(KEY);
    expect(read).toMatchObject({ id: 'a', operation: 'OperationTypeApply', who: 'me' });
    // Another Terraform took the lock again between the read and the release.
    await store.putJson(`${KEY}.tflock`, { ID: 'b' });
    await expect(backend.releaseLock(KEY, read!)).rejects.toThrow(PreconditionFailedError);
    expect(await store.list('')).toEqual([`${KEY}.tflock`]);
  });

  it.each([
    ['a lock without an ID', { Who: 'me' }],
    ['an ID that is not text', { ID: { $ne: '' } }],
    ['not an object', ['x']],
  ])('refuses %s as an outside failure naming the object', async (_what, content) => {
    const store = new MemoryObjectStore('tf');
    await store.putJson(`${KEY}.tflock`, content);
    const read = new S3StateBackend(store, 'us-east-1').readLock(KEY);
    await expect(read).rejects.toThrow(ExternalError);
    await expect(read).rejects.toThrow(`s3://tf/${KEY}.tflock is not a Terraform lock file`);
  });
});

describe('TerraformProject.init with S3 settings', () => {
  /** A project whose terraform records its arguments, so init's files and argv can be read. */
  function project() {
    const dir = mkdtempSync(join(tmpdir(), 'backend-'));
    const bin = join(mkdtempSync(join(tmpdir(), 'fake-tf-')), 'terraform');
    writeFileSync(bin, `#!/bin/sh\necho "$@" > '${dir}.args'\n`);
    chmodSync(bin, 0o755);
    const env = { AWS_ACCESS_KEY_ID: 'AKIAKEY', AWS_SECRET_ACCESS_KEY: 'the-secret' };
    return { dir, tf: new TerraformProject({ binary: bin, dir, env, logger: new MemoryLogger() }) };
  }

  it('writes the same override and -backend-config file as before the seam, credentials in neither nor on argv', async () => {
    const { dir, tf } = project();
    const backend = new S3StateBackend(
      new MemoryObjectStore('tf'),
      'us-east-1',
      'http://127.0.0.1:5000',
    );
    await tf.init(backend.settings(KEY));
    expect(readFileSync(join(dir, 'zz_deploy_engine_backend_override.tf'), 'utf8')).toBe(
      'terraform {\n  backend "s3" {}\n}\n',
    );
    expect(readFileSync(join(dir, '.deploy-engine.s3.tfbackend'), 'utf8')).toBe(
      [
        'bucket = "tf"',
        `key = "${KEY}"`,
        'region = "us-east-1"',
        'use_lockfile = true',
        'endpoints = { s3 = "http://127.0.0.1:5000" }',
        'use_path_style = true',
        'skip_credentials_validation = true',
        'skip_requesting_account_id = true',
        'skip_metadata_api_check = true',
        'skip_region_validation = true',
        'skip_s3_checksum = true',
        '',
      ].join('\n'),
    );
    expect(readFileSync(`${dir}.args`, 'utf8')).toBe(
      'init -input=false -no-color -reconfigure -backend-config=.deploy-engine.s3.tfbackend\n',
    );
  });

  it.each([
    ['a type that closes the block', { type: 's3" {}\n}\nresource "x" "y" {\n#', settings: {} }],
    ['a setting name that adds a line', { type: 's3', settings: { 'bucket = "x"\nkey': 'k' } }],
    [
      'a map key that adds a line',
      { type: 's3', settings: { endpoints: { 's3 = "x"\nsts': 'y' } } },
    ],
  ])('refuses %s before writing anything', async (_what, settings) => {
    const { dir, tf } = project();
    await expect(tf.init(settings)).rejects.toThrow(
      /is not a (Terraform backend type|backend setting name)/,
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('openStateBackend', () => {
  const regions: string[] = [];
  const access = {
    s3In: (region: string) => {
      regions.push(region);
      return new S3Client({ region });
    },
  };

  it('opens S3 from a tagged record, and from a record written before backends had a kind', () => {
    const tagged = openStateBackend({ kind: 's3', bucket: 'tf', region: 'sa-east-1' }, access);
    const old = openStateBackend({ bucket: 'tf', region: 'sa-east-1' }, access);
    for (const backend of [tagged, old]) {
      expect(backend.description).toBe('S3 bucket tf (sa-east-1)');
      expect(backend.settings(KEY).settings).toMatchObject({ bucket: 'tf', region: 'sa-east-1' });
    }
    expect(regions).toEqual(['sa-east-1', 'sa-east-1']);
  });

  it.each([
    [{ kind: 'gcs', bucket: 'tf', region: 'x' }, /of kind 'gcs', which this version .* knows s3/],
    [{ kind: 'toString', bucket: 'tf', region: 'x' }, /of kind 'toString'/],
    [{ kind: 's3', region: 'us-east-1' }, /state backend \(s3\) has no bucket/],
    [{ bucket: 'tf', region: '' }, /has no region/],
  ])('refuses a record it cannot read as an outside failure: %j', (stored, message) => {
    expect(() => openStateBackend(stored, access)).toThrow(ExternalError);
    expect(() => openStateBackend(stored, access)).toThrow(message);
  });
});
