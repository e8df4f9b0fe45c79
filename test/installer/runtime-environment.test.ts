/**
 * Plugins' runtime environments from plugin.yaml to an installed Terraform: the manifest of a
 * repository whose plugins name terraform-1-10, terraform-1-11-2, terraform-1-12 and terraform-1-11,
 * the versions chosen, and the real tool-cache installer against a releases server on 127.0.0.1
 * serving the real terraform (test/harness/terraform-releases.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ToolCacheTerraformInstaller } from '@deploy-engine/action-kit';
import {
  buildManifest,
  chooseTerraformVersions,
  ExternalError,
  installTerraformVersions,
  locateTerraform,
  MemoryLogger,
  terraformBinaryFor,
  withTerraformVersions,
  type Manifest,
} from '@deploy-engine/core';
import { startReleaseServer, type ReleaseServer } from '../harness/terraform-releases';

let releases: ReleaseServer;
let repo: string;
const logger = new MemoryLogger();

function writePlugin(name: string, environment: string): void {
  const dir = join(repo, 'plugins', name);
  mkdirSync(join(dir, 'templates-deploy'), { recursive: true });
  writeFileSync(
    join(dir, 'plugin.yaml'),
    `schema-version: v3
kind: plugin
metadata:
  name: ${name}
  version: 1.0.0
spec:
  type: infra
  runtime:
    environment:
      - aws-cli-2
      - ${environment}
`,
  );
  writeFileSync(join(dir, 'templates-deploy', 'main.tf'), 'resource "terraform_data" "x" {}\n');
}

async function manifestOf(...plugins: string[]): Promise<Manifest> {
  const workdir = plugins.join('-');
  mkdirSync(join(repo, workdir, '.stk'), { recursive: true });
  writeFileSync(
    join(repo, workdir, '.stk', 'stk.yaml'),
    `schema-version: v3
kind: manifest
metadata: { name: ${workdir} }
spec:
  type: app
  app-id: 01JTFVER000000000000000000
  plugins:
${plugins.map((p) => `    - { name: acme/${p}@1.0.0, alias: ${p}, type: infra }`).join('\n')}
`,
  );
  const manifest = await buildManifest({
    repoRoot: repo,
    workdir,
    pluginDirs: [join(repo, 'plugins')],
    workspace: 'w',
    environment: 'dev',
    version: 'v1',
    dynamicInputs: {},
    connectionInterfaces: [],
    logger,
  });
  return withTerraformVersions(
    manifest,
    chooseTerraformVersions(manifest, 'classic', undefined).versions,
  );
}

function resolver() {
  const installer = new ToolCacheTerraformInstaller(logger, releases.url, 'linux', 'amd64');
  return (version: string) =>
    locateTerraform({ version, installer, logger }).then((found) => found.path);
}

beforeAll(async () => {
  process.env.RUNNER_TOOL_CACHE = mkdtempSync(join(tmpdir(), 'tool-cache-'));
  process.env.RUNNER_TEMP = mkdtempSync(join(tmpdir(), 'runner-temp-'));
  releases = await startReleaseServer(['1.10.5'], ['1.12.2']);
  repo = mkdtempSync(join(tmpdir(), 'runtime-env-'));
  writePlugin('old', 'terraform-1-10');
  writePlugin('newer', 'terraform-1-11-2');
  writePlugin('tampered', 'terraform-1-12');
  writePlugin('current', 'terraform-1-11');
}, 60000);

afterAll(async () => {
  await releases?.stop();
});

it('installs the version a plugin names into the tool cache, verified, once; the PATH one when it matches', async () => {
  const manifest = await manifestOf('old', 'current');
  expect(manifest.terraformVersions).toEqual({ old: '1.10.5', current: '1.11.4' });
  const binaries = await installTerraformVersions(manifest, resolver());
  const old = terraformBinaryFor(manifest, binaries, 'old', 'terraform');
  expect(old).toBe(
    join(process.env.RUNNER_TOOL_CACHE as string, 'terraform/1.10.5/amd64/terraform'),
  );
  expect(
    execFileSync(old, ['version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
  ).toMatch(/^Terraform v1\.11/);
  // terraform-1-11 is the terraform on PATH: nothing downloaded for it.
  expect(terraformBinaryFor(manifest, binaries, 'current', 'x')).toBe('terraform');
  expect(releases.requests).toEqual([
    '/1.10.5/terraform_1.10.5_SHA256SUMS',
    '/1.10.5/terraform_1.10.5_linux_amd64.zip',
  ]);
  // The served binary is the real one on PATH, so it says it is that version (a mirror's fault).
  expect(logger.messages('warning')).toContain(
    'The release installed as Terraform 1.10.5 says it is Terraform 1.11.4: check the releases mirror.',
  );
  await installTerraformVersions(manifest, resolver());
  expect(releases.requests).toHaveLength(2);
}, 60000);

it('a version the server does not have: an outside failure, not retried, naming the plugin, its line and what to do', async () => {
  const failure = installTerraformVersions(await manifestOf('newer'), resolver());
  await expect(failure).rejects.toBeInstanceOf(ExternalError);
  await expect(failure).rejects.toMatchObject({
    retryable: false,
    message: expect.stringMatching(
      /^Terraform 1\.11\.2 could not be installed for newer \(terraform-1-11-2 at plugins\/newer\/plugin\.yaml:11:9\): Could not download Terraform 1\.11\.2 from http:\/\/127\.0\.0\.1:\d+\/1\.11\.2: Unexpected HTTP response: 404 \(the server has no such release\)\. Set TERRAFORM_VERSION on orchestrate-and-plan/,
    ),
  });
}, 60000);

it('a zip whose SHA-256 is not the listed one: refused, not retryable, nothing installed', async () => {
  const failure = installTerraformVersions(await manifestOf('tampered'), resolver());
  await expect(failure).rejects.toMatchObject({
    retryable: false,
    message: expect.stringMatching(
      /^Terraform 1\.12\.2 could not be installed for tampered \(terraform-1-12 at plugins\/tampered\/plugin\.yaml:11:9\): The downloaded terraform_1\.12\.2_linux_amd64\.zip has SHA-256 [0-9a-f]{64}, but its SHA256SUMS says f{64}: it was not installed/,
    ),
  });
  expect(existsSync(join(process.env.RUNNER_TOOL_CACHE as string, 'terraform', '1.12.2'))).toBe(
    false,
  );
}, 60000);
