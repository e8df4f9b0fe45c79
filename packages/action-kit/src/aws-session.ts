/**
 * One set of AWS credentials for the whole step: the S3 client of our records and, resolved once,
 * the environment Terraform's S3 backend gets. Every credential value is masked before use.
 */
import * as core from '@actions/core';
import {
  createS3Client,
  describeCredentialSource,
  type AwsCredentialSource,
  type Logger,
} from '@deploy-engine/core';
import type { S3Client } from '@aws-sdk/client-s3';
import { registerSecret } from './register-secret';

export interface TerraformCredentials {
  /** AWS_* variables for Terraform (credentials, region, custom endpoints). */
  env: Record<string, string>;
  /** Values to mask in anything Terraform prints. */
  secrets: string[];
}

export interface AwsSession {
  s3: S3Client;
  /** An S3 client with the same credentials for a bucket in `region` (the step's own if equal). */
  s3In(region: string): S3Client;
  /** Resolves the credentials for Terraform (once; masked before they are returned). */
  terraform(): Promise<TerraformCredentials>;
}

/**
 * The job's OIDC token for STS, when the job may mint one (`permissions: id-token: write` makes the
 * runner set ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN). `core.getIDToken` masks the token it returns.
 */
function githubOidcToken(): (() => Promise<string>) | undefined {
  if (!process.env.ACTIONS_ID_TOKEN_REQUEST_URL || !process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN)
    return undefined;
  registerSecret(process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
  return () => core.getIDToken('sts.amazonaws.com');
}

/**
 * An S3 client that calls nothing until its first request, so a step can validate its input before
 * touching AWS, and `terraform()`, which resolves the credentials (once) for Terraform's
 * environment, masking them first.
 */
export async function openAwsSession(
  region: string,
  credentials: AwsCredentialSource,
  logger: Logger,
): Promise<AwsSession> {
  const webIdentityToken = credentials.mode === 'role' ? githubOidcToken() : undefined;
  logger.info(
    `AWS credentials: ${describeCredentialSource(credentials, webIdentityToken !== undefined)}.`,
  );
  const s3 = createS3Client({
    region,
    credentials,
    ...(webIdentityToken ? { webIdentityToken } : {}),
  });
  let forTerraform: Promise<TerraformCredentials> | undefined;
  const others = new Map<string, S3Client>([[region, s3]]);
  return {
    s3,
    s3In(other) {
      let client = others.get(other);
      if (!client) {
        client = createS3Client({
          region: other,
          credentials,
          ...(webIdentityToken ? { webIdentityToken } : {}),
        });
        others.set(other, client);
      }
      return client;
    },
    terraform: () => (forTerraform ??= resolveForTerraform(s3, region, logger)),
  };
}

async function resolveForTerraform(
  s3: S3Client,
  region: string,
  logger: Logger,
): Promise<TerraformCredentials> {
  // The provider names the source and the reason when it fails (an ExternalError).
  const resolved = await s3.config.credentials();
  const secrets = [resolved.accessKeyId, resolved.secretAccessKey, resolved.sessionToken].filter(
    (v): v is string => typeof v === 'string' && v !== '',
  );
  secrets.forEach((secret) => logger.addSecret(secret));
  const env: Record<string, string> = {
    AWS_ACCESS_KEY_ID: resolved.accessKeyId,
    AWS_SECRET_ACCESS_KEY: resolved.secretAccessKey,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  if (resolved.sessionToken) env.AWS_SESSION_TOKEN = resolved.sessionToken;
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('AWS_ENDPOINT_URL') && value) env[name] = value;
  }
  return { env, secrets };
}
