/**
 * The real `hashicorp/aws` provider for tests and the demo, from the filesystem mirror this
 * machine image ships (no provider can be downloaded here), pointed at moto_server on 127.0.0.1.
 *
 * The engine needs nothing special for it: a self-hosted runner with a provider mirror has a
 * Terraform CLI configuration (TF_CLI_CONFIG_FILE) that installs from it, and the engine keeps the
 * runner's configuration (packages/core/src/terraform/cli-config.ts); AWS_ENDPOINT_URL reaches
 * Terraform with the credentials (packages/action-kit/src/aws-session.ts), so the provider sends
 * every call, STS's GetCallerIdentity included, to moto. Plugins need no test-only settings.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MotoServer } from './moto';

const AWS_PROVIDER = 'registry.terraform.io/hashicorp/aws';

/** Where check-tools.sh looks when TF_PROVIDER_MIRROR is not set. */
const CANDIDATES = [
  '/opt/tf-plugins',
  '/usr/local/share/terraform/plugins',
  '/usr/share/terraform/plugins',
  join(homedir(), '.terraform.d', 'plugins'),
];

function holdsAws(folder: string): boolean {
  const versions = join(folder, AWS_PROVIDER);
  if (!existsSync(versions)) return false;
  return readdirSync(versions).some((version) =>
    existsSync(join(versions, version, 'linux_amd64')),
  );
}

/**
 * The mirror folder holding hashicorp/aws (TF_PROVIDER_MIRROR, else the usual places). Throws,
 * failing the test, when there is none: a test that needs the real provider never skips.
 */
export function awsProviderMirror(): string {
  const named = process.env.TF_PROVIDER_MIRROR;
  const found = named ? (holdsAws(named) ? named : undefined) : CANDIDATES.find(holdsAws);
  if (found) return found;
  throw new Error(
    `The hashicorp/aws provider mirror is missing${named ? ` (TF_PROVIDER_MIRROR=${named} holds no ${AWS_PROVIDER}/<version>/linux_amd64)` : ` (looked in ${CANDIDATES.join(', ')})`}. ` +
      "Set TF_PROVIDER_MIRROR to a folder in Terraform's filesystem-mirror layout holding " +
      `${AWS_PROVIDER}/<version>/linux_amd64/ (this project's machines ship it at /opt/tf-plugins).`,
  );
}

let runnerConfig: string | undefined;

/**
 * A runner's Terraform CLI configuration installing hashicorp/aws from the mirror, and nothing
 * else from anywhere but the registry (which the engine's own mirror comes before).
 */
export function runnerCliConfigWithMirror(): string {
  if (runnerConfig) return runnerConfig;
  const mirror = awsProviderMirror();
  const file = join(mkdtempSync(join(tmpdir(), 'runner-tfrc-')), 'terraformrc');
  writeFileSync(
    file,
    `provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(mirror)}
    include = ["${AWS_PROVIDER}"]
  }
  direct {
    exclude = ["${AWS_PROVIDER}"]
  }
}
`,
  );
  runnerConfig = file;
  return file;
}

/**
 * The environment of a step whose plugins create real AWS resources: moto's, every AWS service
 * endpoint on moto (AWS_ENDPOINT_URL), and the runner's CLI configuration with the mirror.
 */
export function realAwsEnv(moto: MotoServer): Record<string, string> {
  return {
    ...moto.env,
    AWS_ENDPOINT_URL: moto.endpoint,
    TF_CLI_CONFIG_FILE: runnerCliConfigWithMirror(),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** A CLI configuration installing hashicorp/aws from the mirror: `{ path, text }`. */
export function awsProviderCliConfig(): { path: string; text: string } {
  const path = runnerCliConfigWithMirror();
  return { path, text: readFileSync(path, 'utf8') };
}

/**
 * A provider block for a cloud on 127.0.0.1 (`endpoint`, or per service `services`), one try per
 * call (no backoff).
 */
export function awsProviderBlock(
  endpoint: string,
  alias?: string,
  services: Record<string, string> = {},
): string {
  const endpoints = { sns: endpoint, sqs: endpoint, s3: endpoint, ...services };
  return `provider "aws" {\n${alias ? `  alias = "${alias}"\n` : ''}  region                      = "us-east-1"\n  access_key                  = "test"\n  secret_key                  = "test"\n  skip_credentials_validation = true\n  skip_requesting_account_id  = true\n  skip_metadata_api_check     = true\n  max_retries                 = 1\n  endpoints {\n${Object.entries(
    endpoints,
  )
    .map(([service, url]) => `    ${service} = "${url}"\n`)
    .join('')}  }\n}\n`;
}
