/**
 * Obtains AWS credentials for the chosen source (docs/actions.md#credentials), for our S3 client and for
 * Terraform alike:
 * - keys: the given static keys;
 * - role: AssumeRoleWithWebIdentity with the job's GitHub OIDC token when the job can mint one
 *   (`permissions: id-token: write`), otherwise AssumeRole from the runner's own credentials;
 * - ambient: the SDK's default chain (environment, shared profile, container or instance role).
 * Temporary credentials are cached until a minute before they expire. A failure says which source
 * was tried, why it failed and what to do about it.
 */
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import { ExternalError } from '../errors';
import {
  DEFAULT_CREDENTIAL_INPUTS,
  howToGiveCredentials,
  type AwsCredentialInputNames,
  type AwsCredentialSource,
} from './aws-credentials';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export type CredentialProvider = () => Promise<AwsCredentials>;

export interface CredentialProviderOptions {
  region: string;
  requestHandler: NodeHttpHandler;
  env: NodeJS.ProcessEnv;
  /** Mints the job's OIDC token for STS (GitHub Actions with `id-token: write`). */
  webIdentityToken?: () => Promise<string>;
  /** The step's credential input names, for the hint of a failure (default: orchestrate-and-plan's). */
  inputNames?: AwsCredentialInputNames;
}

/** How the credentials are obtained, in words for logs and errors. */
export function describeCredentialSource(
  source: AwsCredentialSource,
  withWebIdentity: boolean,
): string {
  switch (source.mode) {
    case 'keys':
      return 'the given access keys';
    case 'role':
      return withWebIdentity
        ? `assuming ${source.roleArn} with the job's GitHub OIDC token`
        : `assuming ${source.roleArn} from the runner's own credentials`;
    case 'ambient':
      return "the runner's own credentials (environment, shared profile, or container/instance role), since no role or keys were given";
  }
}

function hint(
  source: AwsCredentialSource,
  withWebIdentity: boolean,
  names: AwsCredentialInputNames,
): string {
  switch (source.mode) {
    case 'keys':
      return `Check the secrets given as ${names.keyId} / ${names.secret}.`;
    case 'role':
      return withWebIdentity
        ? "Check that the role's trust policy accepts token.actions.githubusercontent.com for this repository and the audience sts.amazonaws.com."
        : 'Give the job `permissions: id-token: write` so the role is assumed with the GitHub OIDC token, or make sure the runner has credentials allowed to assume it.';
    case 'ambient': {
      const how = howToGiveCredentials(names);
      return `${how.charAt(0).toUpperCase()}${how.slice(1)}.`;
    }
  }
}

function sessionName(env: NodeJS.ProcessEnv): string {
  return `deploy-engine-${env.GITHUB_RUN_ID ?? 'local'}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

function fromSts(
  credentials:
    | { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string; Expiration?: Date }
    | undefined,
  roleArn: string,
): AwsCredentials {
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey)
    throw new ExternalError(
      `AWS STS answered without credentials for ${roleArn}: assuming the role did not give any.`,
      { retryable: true },
    );
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
    ...(credentials.Expiration ? { expiration: credentials.Expiration } : {}),
  };
}

function obtain(
  source: AwsCredentialSource,
  options: CredentialProviderOptions,
): CredentialProvider {
  if (source.mode === 'keys') {
    const keys: AwsCredentials = {
      accessKeyId: source.accessKeyId,
      secretAccessKey: source.secretAccessKey,
      ...(source.sessionToken ? { sessionToken: source.sessionToken } : {}),
    };
    return () => Promise.resolve(keys);
  }
  if (source.mode === 'ambient') return defaultProvider();

  const endpoint = options.env.AWS_ENDPOINT_URL_STS;
  const webIdentityToken = options.webIdentityToken;
  const sts = new STSClient({
    region: options.region,
    requestHandler: options.requestHandler,
    // AssumeRoleWithWebIdentity is not signed (the token is the proof); AssumeRole is, with the
    // runner's own credentials.
    ...(webIdentityToken ? {} : { credentials: defaultProvider() }),
    ...(endpoint ? { endpoint } : {}),
  });
  const assume = {
    RoleArn: source.roleArn,
    RoleSessionName: sessionName(options.env),
    DurationSeconds: 3600,
  };
  return async () => {
    const response = webIdentityToken
      ? await sts.send(
          new AssumeRoleWithWebIdentityCommand({
            ...assume,
            WebIdentityToken: await webIdentityToken(),
          }),
        )
      : await sts.send(new AssumeRoleCommand(assume));
    return fromSts(response.Credentials, source.roleArn);
  };
}

/** The provider for `source`: cached, and failing with an ExternalError that names the source. */
export function credentialProvider(
  source: AwsCredentialSource,
  options: CredentialProviderOptions,
): CredentialProvider {
  const get = obtain(source, options);
  const withWebIdentity = source.mode === 'role' && options.webIdentityToken !== undefined;
  let cached: Promise<AwsCredentials> | undefined;
  return async () => {
    if (cached) {
      const current = await cached.catch(() => undefined);
      const fresh =
        current && (!current.expiration || current.expiration.getTime() - Date.now() > 60000);
      if (fresh) return current;
    }
    cached = get().catch((error: unknown) => {
      cached = undefined;
      const reason = (error as Error).message
        .replace(/\s+/g, ' ')
        .trim()
        .replace(/([^.])$/, '$1.');
      throw new ExternalError(
        `AWS credentials could not be obtained by ${describeCredentialSource(source, withWebIdentity)}: ${reason} ${hint(source, withWebIdentity, options.inputNames ?? DEFAULT_CREDENTIAL_INPUTS)}`,
        { cause: error },
      );
    });
    return cached;
  };
}
