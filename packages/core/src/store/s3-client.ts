/**
 * The S3 client of the engine, from the credential source the inputs chose (CONTRACT.md §1).
 * AWS_ENDPOINT_URL_S3 points it at an S3-compatible server (path-style addressing then).
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialSource } from '../credentials';

export interface S3ClientOptions {
  region: string;
  credentials: AwsCredentialSource;
  /** Per request; a hung server fails the call instead of hanging the job. */
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

function requestHandler(options: S3ClientOptions): NodeHttpHandler {
  return new NodeHttpHandler({
    requestTimeout: options.requestTimeoutMs ?? 30000,
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
  const source = options.credentials;
  if (source.mode === 'keys') {
    config.credentials = {
      accessKeyId: source.accessKeyId,
      secretAccessKey: source.secretAccessKey,
      ...(source.sessionToken ? { sessionToken: source.sessionToken } : {}),
    };
  } else if (source.mode === 'role') {
    config.credentials = assumeRoleProvider(source.roleArn, options, env);
  }
  return new S3Client(config);
}

/** Assumes the role from the runner's own credentials, once per expiry. */
function assumeRoleProvider(roleArn: string, options: S3ClientOptions, env: NodeJS.ProcessEnv) {
  const sts = new STSClient({
    region: options.region,
    requestHandler: requestHandler(options),
    ...(env.AWS_ENDPOINT_URL_STS ? { endpoint: env.AWS_ENDPOINT_URL_STS } : {}),
  });
  let cached:
    | { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }
    | undefined;
  return async () => {
    if (cached?.expiration && cached.expiration.getTime() - Date.now() > 60000) return cached;
    const session = `deploy-engine-${env.GITHUB_RUN_ID ?? 'local'}`.slice(0, 64);
    const response = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: session, DurationSeconds: 3600 }),
    );
    const c = response.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey)
      throw new Error(`STS returned no credentials for ${roleArn}`);
    cached = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
      ...(c.Expiration ? { expiration: c.Expiration } : {}),
    };
    return cached;
  };
}
