/**
 * The AWS credentials of a step: the S3 client of our records and, resolved once, the environment
 * Terraform gets (its S3 backend, its providers). Terraform gets the same credentials unless the
 * step was given separate ones for it (orchestrate-and-plan's PLAN_* inputs: plans made before
 * approval run with read-only credentials, while the engine keeps writing its records with the
 * main ones). Every credential value is masked before use.
 */
import * as core from '@actions/core';
import {
  createS3Client,
  describeCredentialSource,
  type AwsCredentialInputNames,
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
  /**
   * Resolves the credentials for Terraform (once; masked before they are returned), with `region`
   * as AWS_REGION / AWS_DEFAULT_REGION: the region Terraform's providers work in (the AWS_REGION
   * input), which need not be a bucket's region (the S3 backend is given its own).
   */
  terraform(region: string): Promise<TerraformCredentials>;
}

export interface AwsSessionOptions {
  /**
   * Separate credentials for every Terraform process of the step (PLAN_AWS_IAM_ROLE, ...); the
   * engine's own S3 client keeps `credentials`. Ambient (none given): Terraform gets the step's.
   */
  terraformCredentials?: AwsCredentialSource;
  /** The input names of terraformCredentials, for the log. */
  terraformCredentialsLabel?: string;
  /** The step's own credential input names, which a failure to obtain credentials names. */
  credentialInputs?: AwsCredentialInputNames;
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
  options: AwsSessionOptions = {},
): Promise<AwsSession> {
  const planSource =
    options.terraformCredentials?.mode === 'ambient' ? undefined : options.terraformCredentials;
  const webIdentityToken =
    credentials.mode === 'role' || planSource?.mode === 'role' ? githubOidcToken() : undefined;
  logger.info(
    `AWS credentials: ${describeCredentialSource(credentials, credentials.mode === 'role' && webIdentityToken !== undefined)}.`,
  );
  // Terraform's own client: it sends nothing, it only resolves the credentials Terraform gets.
  const forTerraformClient = planSource
    ? createS3Client({
        region,
        credentials: planSource,
        ...(webIdentityToken && planSource.mode === 'role' ? { webIdentityToken } : {}),
      })
    : undefined;
  if (planSource)
    logger.info(
      `AWS credentials for Terraform (${options.terraformCredentialsLabel ?? 'separate credentials'}): ${describeCredentialSource(planSource, planSource.mode === 'role' && webIdentityToken !== undefined)}; the engine's own records keep the credentials above.`,
    );
  const named = options.credentialInputs ? { credentialInputs: options.credentialInputs } : {};
  const s3 = createS3Client({
    region,
    credentials,
    ...(webIdentityToken && credentials.mode === 'role' ? { webIdentityToken } : {}),
    ...named,
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
          ...(webIdentityToken && credentials.mode === 'role' ? { webIdentityToken } : {}),
          ...named,
        });
        others.set(other, client);
      }
      return client;
    },
    terraform: async (terraformRegion) => {
      const resolved = await (forTerraform ??= resolveForTerraform(
        forTerraformClient ?? s3,
        logger,
      ));
      return {
        env: { ...resolved.env, AWS_REGION: terraformRegion, AWS_DEFAULT_REGION: terraformRegion },
        secrets: resolved.secrets,
      };
    },
  };
}

async function resolveForTerraform(s3: S3Client, logger: Logger): Promise<TerraformCredentials> {
  // The provider names the source and the reason when it fails (an ExternalError).
  const resolved = await s3.config.credentials();
  const secrets = [resolved.accessKeyId, resolved.secretAccessKey, resolved.sessionToken].filter(
    (v): v is string => typeof v === 'string' && v !== '',
  );
  secrets.forEach((secret) => logger.addSecret(secret));
  const env: Record<string, string> = {
    AWS_ACCESS_KEY_ID: resolved.accessKeyId,
    AWS_SECRET_ACCESS_KEY: resolved.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  if (resolved.sessionToken) env.AWS_SESSION_TOKEN = resolved.sessionToken;
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('AWS_ENDPOINT_URL') && value) env[name] = value;
  }
  return { env, secrets };
}
