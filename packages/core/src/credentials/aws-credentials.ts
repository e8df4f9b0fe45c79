/**
 * How the engine gets AWS credentials (docs/actions.md#credentials): a role to assume, static keys, or the runner's
 * ambient credentials. Only the choice lives here; obtaining them comes with the guardrails.
 */

export type AwsCredentialSource =
  | { mode: 'role'; roleArn: string }
  | { mode: 'keys'; accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | { mode: 'ambient' };

/** The input names an action reads its AWS credentials from (they differ between actions). */
export interface AwsCredentialInputNames {
  role: string;
  keyId: string;
  secret: string;
  token: string;
}

/** orchestrate-and-plan's names, StackSpot's; runtime-tasks and cancel-run name the role AWS_ROLE_ARN. */
export const DEFAULT_CREDENTIAL_INPUTS: AwsCredentialInputNames = {
  role: 'AWS_IAM_ROLE',
  keyId: 'AWS_ACCESS_KEY_ID',
  secret: 'AWS_SECRET_ACCESS_KEY',
  token: 'AWS_SESSION_TOKEN',
};

/** How to give a step credentials, in the step's own input names. */
export function howToGiveCredentials(names: AwsCredentialInputNames): string {
  return `give ${names.role} (with \`permissions: id-token: write\`) or ${names.keyId} and ${names.secret}`;
}

export interface AwsCredentialInputs {
  roleArn: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/**
 * Chooses the credential source. Returns the source and the warnings to show, or throws an Error
 * naming the inputs that do not fit together. `names` are the action's input names, for messages.
 */
export function chooseAwsCredentialSource(
  given: AwsCredentialInputs,
  names: AwsCredentialInputNames,
): { source: AwsCredentialSource; warnings: string[] } {
  const keysGiven = [given.accessKeyId, given.secretAccessKey, given.sessionToken].some(
    (v) => v !== '',
  );
  if (given.roleArn !== '') {
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(given.roleArn)) {
      throw new Error(
        `${names.role} must be an IAM role ARN like arn:aws:iam::123456789012:role/deployer.`,
      );
    }
    const warnings = keysGiven
      ? [
          `${names.role} is set, so ${names.keyId}/${names.secret}/${names.token} are ignored: the role is assumed from the runner's credentials (or the GitHub OIDC token).`,
        ]
      : [];
    return { source: { mode: 'role', roleArn: given.roleArn }, warnings };
  }
  if (keysGiven) {
    if (given.accessKeyId === '' || given.secretAccessKey === '') {
      const missing = given.accessKeyId === '' ? names.keyId : names.secret;
      throw new Error(
        `${missing} is missing: static credentials need both ${names.keyId} and ${names.secret} (${names.token} is optional).`,
      );
    }
    return {
      source: {
        mode: 'keys',
        accessKeyId: given.accessKeyId,
        secretAccessKey: given.secretAccessKey,
        ...(given.sessionToken ? { sessionToken: given.sessionToken } : {}),
      },
      warnings: [],
    };
  }
  return { source: { mode: 'ambient' }, warnings: [] };
}
