/**
 * What a Terraform command runs with besides its arguments: a minimal environment (the runner's
 * network settings, the project's own variables, a CLI configuration of ours) and a private folder
 * outside the project for its files, removed when it has ended.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliConfig, type RunnerCliConfig } from './cli-config';
import type { ProviderMirror } from './provider-mirror';

/**
 * The runner's proxy and certificate settings, which Terraform, its providers and git need to
 * reach anything on a corporate network; nothing else of the runner's environment is passed on.
 */
const NETWORK_SETTINGS = [
  'HTTPS_PROXY',
  'HTTP_PROXY',
  'NO_PROXY',
  'https_proxy',
  'http_proxy',
  'no_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'GIT_SSL_CAINFO',
];

function runnerNetworkSettings(): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const name of NETWORK_SETTINGS) {
    const value = process.env[name];
    if (value) settings[name] = value;
  }
  return settings;
}

/**
 * The environment of a command: a minimal base, then the project's own variables (`env`); its CLI
 * configuration is written into `privateDir` (always a file of ours: the runner may point
 * TF_CLI_CONFIG_FILE at a missing file).
 */
export async function commandEnvironment(
  options: {
    env: Record<string, string>;
    runnerCliConfig?: RunnerCliConfig;
    providerMirror?: ProviderMirror;
    tfLogProvider?: string;
  },
  privateDir: string,
): Promise<Record<string, string>> {
  const file = cliConfig(options.runnerCliConfig, await options.providerMirror?.ready());
  const config = join(privateDir, file.name);
  await writeFile(config, file.text, { mode: 0o600 });
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    ...runnerNetworkSettings(),
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    TF_CLI_CONFIG_FILE: config,
    ...(options.tfLogProvider ? { TF_LOG_PROVIDER: options.tfLogProvider } : {}),
    ...options.env,
  };
}

/** A folder of one command's own under `root` (0700; default: the system's temp folder), removed when it has ended. */
export async function withPrivateDir<T>(
  root: string | undefined,
  use: (dir: string) => Promise<T>,
): Promise<T> {
  const parent = root ?? tmpdir();
  await mkdir(parent, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(parent, 'terraform-'));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
