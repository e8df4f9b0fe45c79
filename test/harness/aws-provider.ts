/**
 * The real hashicorp/aws provider from the machine's filesystem mirror (TF_PROVIDER_MIRROR, else
 * /opt/tf-plugins; see /work/shared/docs/TESTING.md), as a runner's Terraform CLI configuration
 * would offer it. Tests that use it fail loudly when it is missing, as they do for `terraform`.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const AWS = 'registry.terraform.io/hashicorp/aws';

/** The mirror folder holding registry.terraform.io/hashicorp/aws/<version>/linux_amd64/. */
export function awsProviderMirror(): string {
  const candidates = [process.env.TF_PROVIDER_MIRROR, '/opt/tf-plugins'].filter(
    (c): c is string => !!c,
  );
  const found = candidates.find((c) => existsSync(join(c, AWS)));
  if (!found)
    throw new Error(
      `The hashicorp/aws provider mirror is missing (looked in ${candidates.join(', ')}): set TF_PROVIDER_MIRROR to a folder in Terraform's filesystem-mirror layout (scripts/check-tools.sh).`,
    );
  return found;
}

/** A CLI configuration installing hashicorp/aws from the mirror: `{ path, text }`. */
export function awsProviderCliConfig(): { path: string; text: string } {
  const text = `provider_installation {\n  filesystem_mirror {\n    path    = "${awsProviderMirror()}"\n    include = ["${AWS}"]\n  }\n  direct {\n    exclude = ["${AWS}"]\n  }\n}\n`;
  const path = join(mkdtempSync(join(tmpdir(), 'aws-rc-')), 'terraformrc');
  writeFileSync(path, text);
  return { path, text };
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
