import { chooseAwsCredentialSource } from './aws-credentials';

const names = {
  role: 'AWS_IAM_ROLE',
  keyId: 'AWS_ACCESS_KEY_ID',
  secret: 'AWS_SECRET_ACCESS_KEY',
  token: 'AWS_SESSION_TOKEN',
};
const none = { roleArn: '', accessKeyId: '', secretAccessKey: '', sessionToken: '' };
const role = 'arn:aws:iam::123456789012:role/deployer';

describe('chooseAwsCredentialSource', () => {
  it('falls back to ambient credentials when nothing is given', () => {
    expect(chooseAwsCredentialSource(none, names)).toEqual({
      source: { mode: 'ambient' },
      warnings: [],
    });
  });

  it('uses static keys, with an optional session token', () => {
    expect(
      chooseAwsCredentialSource(
        { ...none, accessKeyId: 'AKIA', secretAccessKey: 's', sessionToken: 't' },
        names,
      ).source,
    ).toEqual({ mode: 'keys', accessKeyId: 'AKIA', secretAccessKey: 's', sessionToken: 't' });
  });

  it('prefers the role over keys and warns naming the ignored inputs', () => {
    const { source, warnings } = chooseAwsCredentialSource(
      { roleArn: role, accessKeyId: 'AKIA', secretAccessKey: 's', sessionToken: '' },
      names,
    );
    expect(source).toEqual({ mode: 'role', roleArn: role });
    expect(warnings).toEqual([
      expect.stringMatching(/AWS_IAM_ROLE is set, so AWS_ACCESS_KEY_ID.* are ignored/),
    ]);
  });

  it('refuses half a key pair, naming the missing input', () => {
    expect(() => chooseAwsCredentialSource({ ...none, accessKeyId: 'AKIA' }, names)).toThrow(
      /AWS_SECRET_ACCESS_KEY is missing/,
    );
    expect(() => chooseAwsCredentialSource({ ...none, sessionToken: 't' }, names)).toThrow(
      /AWS_ACCESS_KEY_ID is missing/,
    );
  });

  it('refuses a role that is not an ARN', () => {
    expect(() => chooseAwsCredentialSource({ ...none, roleArn: 'deployer' }, names)).toThrow(
      /must be an IAM role ARN/,
    );
  });
});
