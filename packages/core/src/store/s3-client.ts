/**
 * The S3 client of the engine, from the credential source the inputs chose (docs/actions.md#credentials).
 * AWS_ENDPOINT_URL_S3 points it at an S3-compatible server (path-style addressing then).
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  credentialProvider,
  type AwsCredentialInputNames,
  type AwsCredentialSource,
} from '../credentials';
import { ConfigurationError } from '../errors';

export interface S3ClientOptions {
  region: string;
  credentials: AwsCredentialSource;
  /** Per request; a hung server fails the call instead of hanging the job. */
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Mints the job's OIDC token: a role is then assumed with it (AssumeRoleWithWebIdentity). */
  webIdentityToken?: () => Promise<string>;
  /** The step's credential input names, named when credentials cannot be obtained. */
  credentialInputs?: AwsCredentialInputNames;
}

/**
 * DEPLOY_ENGINE_S3_TIMEOUT_MS overrides the per-request timeout (30 s), e.g. to fail faster against
 * a local S3 server or wait longer on a slow link.
 */
function timeoutFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.DEPLOY_ENGINE_S3_TIMEOUT_MS;
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 100)
    throw new ConfigurationError({
      message: `DEPLOY_ENGINE_S3_TIMEOUT_MS must be a whole number of milliseconds >= 100, not "${raw.slice(0, 40)}".`,
      hint: 'Fix or remove the environment variable DEPLOY_ENGINE_S3_TIMEOUT_MS of the step (default 30000).',
    });
  return value;
}

function requestHandler(options: S3ClientOptions): NodeHttpHandler {
  return new NodeHttpHandler({
    requestTimeout: options.requestTimeoutMs ?? timeoutFromEnv(options.env ?? process.env) ?? 30000,
    connectionTimeout: options.connectionTimeoutMs ?? 5000,
    throwOnRequestTimeout: true,
  });
}

export function createS3Client(options: S3ClientOptions): S3Client {
  const env = options.env ?? process.env;
  const config: S3ClientConfig = {
    region: options.region,
    requestHandler: requestHandler(options),
    // Our own store retries (S3ObjectStore); the SDK's retries would multiply its timeouts.
    maxAttempts: 1,
  };
  const endpoint = env.AWS_ENDPOINT_URL_S3;
  if (endpoint) {
    config.endpoint = endpoint;
    config.forcePathStyle = true;
    config.requestChecksumCalculation = 'WHEN_REQUIRED';
    config.responseChecksumValidation = 'WHEN_REQUIRED';
  }
  config.credentials = credentialProvider(options.credentials, {
    region: options.region,
    requestHandler: requestHandler(options),
    env,
    ...(options.webIdentityToken ? { webIdentityToken: options.webIdentityToken } : {}),
    ...(options.credentialInputs ? { inputNames: options.credentialInputs } : {}),
  });
  return new S3Client(config);
}
