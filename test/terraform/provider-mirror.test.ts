/**
 * The step's provider mirror with real Terraform, a real provider (test/provider, served by a
 * network mirror on 127.0.0.1) and the S3 backend on moto_server.
 */
import { lstatSync, mkdtempSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MemoryLogger,
  ProviderMirror,
  readRunnerCliConfig,
  stateKey,
  TerraformProject,
} from '@deploy-engine/core';
import { startMoto, type MotoServer } from '../harness/moto';
import {
  markerResource,
  startProviderMirror,
  type ProviderMirror as NetworkMirror,
} from '../harness/provider-mirror';
import { localStateBackend, terraform as terraformCli } from '../harness/terraform';

let moto: MotoServer;
let network: NetworkMirror;

beforeAll(async () => {
  [moto, network] = await Promise.all([startMoto(), startProviderMirror()]);
  await moto.createBucket('tf-states');
});

afterAll(async () => {
  await Promise.all([moto?.stop(), network?.stop()]);
});

const PACKAGE = 'deploy-engine.test/bench/marker/1.0.0/linux_amd64';

function projects(count: number, prefix: string): string[] {
  return Array.from({ length: count }, (_, i) => {
    const dir = mkdtempSync(join(tmpdir(), `mirror-${prefix}-${i}-`));
    writeFileSync(
      join(dir, 'main.tf'),
      `${markerResource('v', `"${prefix}-${i}"`)}output "id" { value = marker_value.v.id }\noutput "out" { value = marker_value.v.output }\n`,
    );
    return dir;
  });
}

function backend(alias: string) {
  return localStateBackend(moto, 'tf-states').settings(
    stateKey({ workspace: 'w', environment: 'e', appKind: 'app', appId: 'MIRROR', alias }),
  );
}

function project(dir: string, mirror: ProviderMirror | undefined, logger = new MemoryLogger()) {
  const runnerCliConfig = readRunnerCliConfig(network.env);
  return new TerraformProject({
    binary: 'terraform',
    dir,
    env: { ...moto.env, SSL_CERT_FILE: network.env.SSL_CERT_FILE as string },
    logger,
    ...(runnerCliConfig ? { runnerCliConfig } : {}),
    ...(mirror ? { providerMirror: mirror } : {}),
  });
}

it('downloads a provider once per step: the other inits, even at once, install it from the mirror', async () => {
  const before = network.downloads();
  const mirror = new ProviderMirror(
    mkdtempSync(join(tmpdir(), 'step-mirror-')),
    new MemoryLogger(),
  );
  const dirs = projects(4, 'once');
  const all = dirs.map((dir) => project(dir, mirror));
  await Promise.all(all.map((tf, i) => tf.init(backend(`once-${i}`))));
  expect(network.downloads() - before).toBe(1);

  // One project holds the package Terraform unpacked; the others link to the mirror's copy.
  const installed = dirs.map((dir) => join(dir, '.terraform', 'providers', PACKAGE));
  const links = installed.filter((path) => lstatSync(path).isSymbolicLink());
  expect(links).toHaveLength(3);
  for (const path of links) expect(readlinkSync(path)).toBe(join(mirror.dir, PACKAGE));

  // The provider really runs from there.
  await Promise.all(all.map((tf) => tf.apply()));
  const outputs = await Promise.all(all.map((tf) => tf.output()));
  expect(outputs.map((o) => o.out?.value)).toEqual(['once-0', 'once-1', 'once-2', 'once-3']);
  expect(outputs[0]?.id?.value).toMatch(/^[0-9a-f]{16}$/);
});

it("without the mirror every init downloads the provider again, even with Terraform's plugin cache", async () => {
  const before = network.downloads();
  const cache = mkdtempSync(join(tmpdir(), 'tf-plugin-cache-'));
  const config = join(cache, 'terraformrc');
  writeFileSync(
    config,
    `plugin_cache_dir = "${cache}"\nprovider_installation {\n  network_mirror {\n    url = "${network.url}"\n  }\n}\n`,
  );
  for (const dir of projects(3, 'cache')) {
    const init = await terraformCli(['init', '-input=false', '-backend=false'], dir, {
      ...network.env,
      TF_CLI_CONFIG_FILE: config,
    });
    expect(init.stderr).toBe('');
  }
  // Terraform (>= 1.4) does not trust its cache for a project without a lock file entry.
  expect(network.downloads() - before).toBe(3);
});

it('a failed first init lets the others go on, and they still share the mirror', async () => {
  const before = network.downloads();
  const mirror = new ProviderMirror(
    mkdtempSync(join(tmpdir(), 'step-mirror-')),
    new MemoryLogger(),
  );
  const [broken, ...good] = projects(3, 'fail');
  writeFileSync(join(broken as string, 'main.tf'), 'terraform {\n  required_providers {\n');
  const results = await Promise.allSettled(
    [broken as string, ...good].map((dir, i) => project(dir, mirror).init(backend(`fail-${i}`))),
  );
  expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
  expect(network.downloads() - before).toBeLessThanOrEqual(2);
});

it('a mirror that cannot be created is said once and the inits go on without it', async () => {
  const before = network.downloads();
  const blocker = join(mkdtempSync(join(tmpdir(), 'blocked-')), 'a-file');
  writeFileSync(blocker, 'not a folder');
  const logger = new MemoryLogger();
  const mirror = new ProviderMirror(join(blocker, 'mirror'), logger);
  const all = projects(2, 'blocked').map((dir) => project(dir, mirror, logger));
  for (const [i, tf] of all.entries()) await tf.init(backend(`blocked-${i}`));
  await Promise.all(all.map((tf) => tf.apply()));
  expect(network.downloads() - before).toBe(2);
  const warnings = logger.messages('warning');
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(/provider mirror .* cannot be created .*every init downloads/);
});
