import { NodeHttpHandler } from '@smithy/node-http-handler';
import { DEFAULT_CREDENTIAL_INPUTS, type AwsCredentialInputNames } from './aws-credentials';
import { credentialProvider } from './credential-provider';

/** runtime-tasks' and cancel-run's names: the role input is AWS_ROLE_ARN there. */
const ROLE_ARN_INPUTS: AwsCredentialInputNames = {
  ...DEFAULT_CREDENTIAL_INPUTS,
  role: 'AWS_ROLE_ARN',
};

describe('credentialProvider failures', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    // A runner with no credentials at all: no keys, no profile files, no instance role.
    for (const name of Object.keys(process.env))
      if (name.startsWith('AWS_')) delete process.env[name];
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
    process.env.AWS_CONFIG_FILE = '/nonexistent/config';
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  const options = (inputNames?: AwsCredentialInputNames) => ({
    region: 'us-east-1',
    requestHandler: new NodeHttpHandler(),
    env: process.env,
    ...(inputNames ? { inputNames } : {}),
  });

  it("names the step's own credential inputs when the runner has none", async () => {
    const error = await credentialProvider({ mode: 'ambient' }, options(ROLE_ARN_INPUTS))().catch(
      (e: Error) => e,
    );
    expect((error as Error).message).toMatch(
      /Give AWS_ROLE_ARN \(with `permissions: id-token: write`\) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\.$/,
    );
    expect((error as Error).message).not.toContain('AWS_IAM_ROLE');
  });

  it("names orchestrate-and-plan's inputs by default", async () => {
    const error = await credentialProvider({ mode: 'ambient' }, options())().catch((e: Error) => e);
    expect((error as Error).message).toContain('Give AWS_IAM_ROLE');
  });
});
