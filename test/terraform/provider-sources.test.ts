/**
 * Where Terraform may install providers from, with real Terraform: only from the runner's
 * configured mirrors and the step's own, never from a plugin's own folders. A plugin can ship a
 * provider in `terraform.d/plugins` (and a runner may hold one in the HOME Terraform sees); without
 * an explicit `provider_installation`, or with a CLI configuration it cannot read, Terraform
 * installs it from there and `terraform plan` runs it, before anyone approved anything. The
 * planted package here is the real marker provider that also records each time it runs.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigurationError,
  MemoryLogger,
  ProviderMirror,
  stateKey,
  TerraformProject,
  type RunnerCliConfig,
} from '@deploy-engine/core';
import { startMoto, type MotoServer } from '../harness/moto';
import { localStateBackend } from '../harness/terraform';
import {
  markerResource,
  startProviderMirror,
  writeMarkerPackage,
  type ProviderMirror as NetworkMirror,
} from '../harness/provider-mirror';

let moto: MotoServer;
let network: NetworkMirror;
let sentinel: string;
const saved = { HOME: process.env.HOME, HTTPS_PROXY: process.env.HTTPS_PROXY };

beforeAll(async () => {
  [moto, network] = await Promise.all([startMoto(), startProviderMirror()]);
  await moto.createBucket('tf-states');
  sentinel = join(mkdtempSync(join(tmpdir(), 'planted-')), 'ran');
  // The HOME Terraform sees holds the planted provider in both implicit user folders.
  const home = mkdtempSync(join(tmpdir(), 'home-'));
  writeMarkerPackage(join(home, '.terraform.d', 'plugins'), sentinel);
  writeMarkerPackage(join(home, '.local', 'share', 'terraform', 'plugins'), sentinel);
  process.env.HOME = home;
  // Direct installation would look deploy-engine.test up: through a closed port on loopback.
  process.env.HTTPS_PROXY = 'http://127.0.0.1:9';
});

afterAll(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await Promise.all([moto?.stop(), network?.stop()]);
});

/** A project using the marker provider, with the planted package in its terraform.d/plugins. */
function plantedProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'planted-project-'));
  writeFileSync(join(dir, 'main.tf'), `${markerResource('v', '"hello"')}`);
  writeMarkerPackage(join(dir, 'terraform.d', 'plugins'), sentinel);
  return dir;
}

function runnerConfig(name: string, text: string): RunnerCliConfig {
  const path = join(mkdtempSync(join(tmpdir(), 'runner-tfrc-')), name);
  writeFileSync(path, text);
  return { path, text };
}

function project(dir: string, runner: RunnerCliConfig | undefined, withMirror: boolean) {
  return new TerraformProject({
    binary: 'terraform',
    dir,
    env: {
      ...moto.env,
      SSL_CERT_FILE: network.env.SSL_CERT_FILE as string,
      NO_PROXY: '127.0.0.1',
    },
    logger: new MemoryLogger(),
    ...(runner ? { runnerCliConfig: runner } : {}),
    ...(withMirror
      ? {
          providerMirror: new ProviderMirror(
            mkdtempSync(join(tmpdir(), 'step-mirror-')),
            new MemoryLogger(),
          ),
        }
      : {}),
  });
}

const backend = (alias: string) =>
  localStateBackend(moto, 'tf-states').settings(
    stateKey({ workspace: 'w', environment: 'e', appKind: 'app', appId: 'PLANTED', alias }),
  );

const ranPlanted = (): boolean => existsSync(sentinel) && readFileSync(sentinel, 'utf8') !== '';

beforeEach(() => writeFileSync(sentinel, ''));

it('with no runner configuration and no step mirror: the planted provider is not installed', async () => {
  const tf = project(plantedProject(), undefined, false);
  await expect(tf.init(backend('none'))).rejects.toThrow(/deploy-engine\.test\/bench\/marker/);
  await expect(tf.plan({ out: 'plan.bin' })).rejects.toThrow();
  expect(ranPlanted()).toBe(false);
});

const mirrorUrl = () => network.url;

it.each([
  ['an empty JSON configuration (.json)', 'terraformrc.json', () => '{}', false],
  [
    'a JSON network mirror written as a bare object, which Terraform itself refuses',
    'config.json',
    () => JSON.stringify({ provider_installation: { network_mirror: { url: mirrorUrl() } } }),
    true,
  ],
  [
    'JSON without provider_installation in a file not named .json',
    'terraformrc',
    () => JSON.stringify({ credentials: { 'registry.acme.example': { token: 't' } } }),
    false,
  ],
  [
    'a JSON network mirror in a file not named .json',
    'terraformrc',
    () => JSON.stringify({ provider_installation: { network_mirror: [{ url: mirrorUrl() }] } }),
    true,
  ],
  [
    'an HCL network mirror, with the step mirror (the usual case)',
    'terraformrc',
    () => `provider_installation {\n  network_mirror {\n    url = "${mirrorUrl()}"\n  }\n}\n`,
    true,
  ],
])(
  'with %s: the planted provider is never installed nor run',
  async (_, name, text, works) => {
    const tf = project(plantedProject(), runnerConfig(name, text()), true);
    const planned = tf.init(backend(name)).then(() => tf.plan({ out: 'plan.bin' }));
    if (works) {
      // Installed from the runner's network mirror, and that copy ran.
      expect((await planned).added).toBe(1);
    } else {
      await expect(planned).rejects.toThrow();
    }
    expect(ranPlanted()).toBe(false);
  },
  60000,
);

it('a runner configuration Terraform cannot read stops init, naming the file', async () => {
  const runner = runnerConfig('broken.tfrc', 'credentials "x" {\n  token = \n');
  const tf = project(plantedProject(), runner, true);
  const failure = tf.init(backend('broken'));
  await expect(failure).rejects.toBeInstanceOf(ConfigurationError);
  await expect(failure).rejects.toThrow(runner.path);
  expect(ranPlanted()).toBe(false);
});
