/**
 * One set of AWS credentials for the whole step: the S3 client of our records and, resolved once,
 * the environment Terraform's S3 backend gets. Every credential value is masked before use.
 */
import {
  createS3Client,
  ExternalError,
  type AwsCredentialSource,
  type Logger,
} from '@deploy-engine/core';
import type { S3Client } from '@aws-sdk/client-s3';

export interface TerraformCredentials {
  /** AWS_* variables for Terraform (credentials, region, custom endpoints). */
  env: Record<string, string>;
  /** Values to mask in anything Terraform prints. */
  secrets: string[];
}

export interface AwsSession {
  s3: S3Client;
  /** Resolves the credentials for Terraform (once; masked before they are returned). */
  terraform(): Promise<TerraformCredentials>;
}

const DESCRIPTIONS: Record<AwsCredentialSource['mode'], string> = {
  role: 'assuming the given role',
  keys: 'the given access keys',
  ambient:
    "the runner's own credentials (environment, profile or instance role), since no role or keys were given",
};

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
  logger.info(`AWS credentials: ${DESCRIPTIONS[credentials.mode]}.`);
  const s3 = createS3Client({ region, credentials });
  let forTerraform: Promise<TerraformCredentials> | undefined;
  return {
    s3,
    terraform: () => (forTerraform ??= resolveForTerraform(s3, region, credentials, logger)),
  };
}

async function resolveForTerraform(
  s3: S3Client,
  region: string,
  credentials: AwsCredentialSource,
  logger: Logger,
): Promise<TerraformCredentials> {
  let resolved: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  try {
    resolved = await s3.config.credentials();
  } catch (error) {
    throw new ExternalError(
      `No AWS credentials could be obtained with ${DESCRIPTIONS[credentials.mode]}: ${(error as Error).message}`,
    );
  }
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
