/**
 * The tool-cache installer against a local HTTP server on 127.0.0.1 that serves a fake release:
 * a zip holding a `terraform` script, and its SHA256SUMS.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ToolCacheTerraformInstaller } from '@deploy-engine/action-kit';
import { locateTerraform, MemoryLogger } from '@deploy-engine/core';

let server: Server;
let baseUrl: string;
const files = new Map<string, Buffer>();
const requests: string[] = [];

function fakeRelease(version: string, tamper = false): void {
  const dir = mkdtempSync(join(tmpdir(), 'fake-tf-'));
  writeFileSync(join(dir, 'terraform'), `#!/bin/sh\necho '{"terraform_version":"${version}"}'\n`, {
    mode: 0o755,
  });
  const zip = join(dir, 'tf.zip');
  execFileSync('python3', [
    '-c',
    `import zipfile,os\nz=zipfile.ZipFile('${zip}','w')\ni=zipfile.ZipInfo('terraform')\ni.external_attr=0o755<<16\nz.writestr(i,open('${join(dir, 'terraform')}').read())\nz.close()`,
  ]);
  const body = readFileSync(zip);
  const name = `terraform_${version}_linux_amd64.zip`;
  const sum = createHash('sha256')
    .update(tamper ? Buffer.from('other') : body)
    .digest('hex');
  files.set(`/${version}/${name}`, body);
  files.set(
    `/${version}/terraform_${version}_SHA256SUMS`,
    Buffer.from(`${sum}  ${name}\n${'0'.repeat(64)}  terraform_${version}_darwin_arm64.zip\n`),
  );
}

beforeAll(async () => {
  process.env.RUNNER_TOOL_CACHE = mkdtempSync(join(tmpdir(), 'tool-cache-'));
  process.env.RUNNER_TEMP = mkdtempSync(join(tmpdir(), 'runner-temp-'));
  fakeRelease('9.9.1');
  fakeRelease('9.9.2', true);
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = files.get(req.url ?? '');
    res.writeHead(body ? 200 : 404);
    res.end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

it('installs a verified release into the tool cache, and reuses it', async () => {
  const installer = new ToolCacheTerraformInstaller(new MemoryLogger(), baseUrl, 'linux', 'amd64');
  const found = await locateTerraform({ version: '9.9.1', installer, logger: new MemoryLogger() });
  expect(found.version).toBe('9.9.1');
  expect(found.path).toContain(process.env.RUNNER_TOOL_CACHE as string);
  const before = requests.length;
  expect(await installer.install('9.9.1')).toBe(found.path);
  expect(requests.length).toBe(before);
});

it('refuses a zip whose SHA-256 does not match SHA256SUMS, installing nothing', async () => {
  const installer = new ToolCacheTerraformInstaller(new MemoryLogger(), baseUrl, 'linux', 'amd64');
  await expect(installer.install('9.9.2')).rejects.toThrow(
    /has SHA-256 [0-9a-f]{64}, but its SHA256SUMS says [0-9a-f]{64}: it was not installed/,
  );
  await expect(installer.install('9.9.2')).rejects.toThrow(/was not installed/);
});

it('says when a version cannot be downloaded, and refuses a malformed version', async () => {
  const installer = new ToolCacheTerraformInstaller(new MemoryLogger(), baseUrl, 'linux', 'amd64');
  await expect(installer.install('9.9.9')).rejects.toThrow(
    /Could not download Terraform 9\.9\.9 from http:\/\/127\.0\.0\.1/,
  );
  // A 404 is the server's answer, not a glitch: a re-run would get it again.
  await expect(installer.install('9.9.9')).rejects.toMatchObject({
    retryable: false,
    message: expect.stringContaining('404 (the server has no such release)'),
  });
  await expect(installer.install('latest')).rejects.toThrow(
    /TERRAFORM_VERSION 'latest' is not a Terraform version/,
  );
});
