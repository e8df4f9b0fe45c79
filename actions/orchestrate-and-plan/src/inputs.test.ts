import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '@deploy-engine/core';
import { fakeInputs } from '../../../test/support/fake-inputs';
import { parseOrchestrateInputs } from './inputs';

/** PATH_TO_MOUNT must exist: a fresh folder stands for the checkout. */
const repo = mkdtempSync(join(tmpdir(), 'orchestrate-inputs-'));

const valid = {
  TFSTATE_BUCKET_NAME: 'acme-tfstate',
  IAC_BUCKET_NAME: 'acme-iac',
  WORKSPACE: 'payments',
  ENVIRONMENT: 'prod',
  VERSION: 'v1.2.0',
  PATH_TO_MOUNT: repo,
};

function parse(values: Record<string, string>) {
  const fake = fakeInputs(values);
  return { ...fake, result: () => parseOrchestrateInputs(fake.parser, { cwd: repo }) };
}

function problemsOf(values: Record<string, string>): string[] {
  try {
    parse(values).result();
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems.map((p) => p.message);
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('orchestrate-and-plan inputs', () => {
  it('takes PREVIEW for a deployment only: never with DESTROY or ROLLBACK_TO', () => {
    expect(parse({ ...valid, PREVIEW: 'true' }).result().inputs).toMatchObject({
      preview: true,
      operation: { type: 'DEPLOY' },
    });
    expect(parse(valid).result().inputs.preview).toBe(false);
    expect(problemsOf({ ...valid, PREVIEW: 'true', DESTROY: 'true' })).toEqual([
      expect.stringMatching(/PREVIEW is true, but DESTROY is true; a preview plans a deployment/),
    ]);
    expect(problemsOf({ ...valid, PREVIEW: 'true', ROLLBACK_TO: 'v1' })).toEqual([
      expect.stringMatching(/PREVIEW is true, but ROLLBACK_TO is set \(v1\)/),
    ]);
    expect(problemsOf({ ...valid, PREVIEW: 'auto' })).toEqual([expect.stringMatching(/PREVIEW/)]);
  });

  it('needs a token for PR_COMMENT, and masks it', () => {
    expect(problemsOf({ ...valid, PR_COMMENT: 'true' })).toEqual([
      expect.stringMatching(/GITHUB_TOKEN.*is empty, but PR_COMMENT is true/),
    ]);
    const fake = parse({ ...valid, PR_COMMENT: 'true', GITHUB_TOKEN: 'ghs_x' });
    expect(fake.result().inputs).toMatchObject({ prComment: true, githubToken: 'ghs_x' });
    expect(fake.masked).toContain('ghs_x');
  });

  it('DRIFT_CHECK reads only: not with DESTROY or ROLLBACK_TO; FAIL_ON_DRIFT alone is a warning', () => {
    expect(
      parse({ ...valid, DRIFT_CHECK: 'true', FAIL_ON_DRIFT: 'true' }).result().inputs,
    ).toMatchObject({ driftCheck: true, failOnDrift: true });
    expect(problemsOf({ ...valid, DRIFT_CHECK: 'true', DESTROY: 'true' })).toEqual([
      expect.stringMatching(/DRIFT_CHECK is true, but DESTROY is also set/),
    ]);
    expect(problemsOf({ ...valid, DRIFT_CHECK: 'true', ROLLBACK_TO: 'v1' })).toEqual([
      expect.stringMatching(/DRIFT_CHECK is true, but ROLLBACK_TO is also set/),
    ]);
    expect(parse({ ...valid, FAIL_ON_DRIFT: 'true' }).result().warnings).toEqual([
      expect.stringMatching(/FAIL_ON_DRIFT is true but DRIFT_CHECK is not/),
    ]);
  });

  it('picks the run type: DEPLOY (with SKIP_DEPLOY), ROLLBACK_TO a version, or DESTROY; never two', () => {
    expect(parse(valid).result().inputs.operation).toEqual({
      type: 'DEPLOY',
      skipUnchanged: false,
    });
    expect(parse({ ...valid, SKIP_DEPLOY: 'true' }).result().inputs.operation).toEqual({
      type: 'DEPLOY',
      skipUnchanged: true,
    });
    expect(parse({ ...valid, ROLLBACK_TO: 'v1.1.0' }).result().inputs.operation).toEqual({
      type: 'ROLLBACK',
      version: 'v1.1.0',
    });
    expect(parse({ ...valid, DESTROY: 'true' }).result().inputs).toMatchObject({
      operation: { type: 'DESTROY' },
      forceDestroy: false,
    });
    expect(problemsOf({ ...valid, DESTROY: 'true', ROLLBACK_TO: 'v1' })).toEqual([
      expect.stringMatching(/DESTROY is true, but ROLLBACK_TO is also set \(v1\)/),
    ]);
    expect(problemsOf({ ...valid, ROLLBACK_TO: 'v 1' })).toEqual([
      expect.stringMatching(/ROLLBACK_TO "v 1" is not allowed: use a tag or commit SHA/),
    ]);
    expect(problemsOf({ ...valid, DESTROY: 'yes please' })).toEqual([
      expect.stringMatching(/DESTROY/),
    ]);
  });

  it('parses valid inputs with the documented defaults', () => {
    const { inputs, warnings } = parse(valid).result();
    expect(inputs).toMatchObject({
      stateBackend: { kind: 's3', bucket: 'acme-tfstate', region: 'us-east-1' },
      iacBucket: { name: 'acme-iac', region: 'us-east-1' },
      workdir: './',
      credentials: { mode: 'ambient' },
      terraformParallelism: 10,
      localExecEnabled: false,
      skipDeploy: false,
      basePathOutput: 'outputs.json',
      dynamicInputs: {},
      allowedModules: [],
      logLevel: 'info',
      tfLogProvider: '',
    });
    expect(warnings).toEqual([]);
  });

  it('reads PLUGINS_PATH as folders under PATH_TO_MOUNT, one per line or comma-separated', () => {
    const { inputs } = parse({
      ...valid,
      PLUGINS_PATH: 'plugins, vendor/plugins\n/opt/shared-plugins\n',
    }).result();
    expect(inputs.pluginDirs).toEqual([
      join(repo, 'plugins'),
      join(repo, 'vendor/plugins'),
      '/opt/shared-plugins',
    ]);
  });

  it('names every missing required input at once', () => {
    expect(problemsOf({})).toEqual([
      'Input TFSTATE_BUCKET_NAME is required but was not given.',
      'Input IAC_BUCKET_NAME is required but was not given.',
      'Input WORKSPACE is required but was not given.',
      'Input ENVIRONMENT is required but was not given.',
      'Input VERSION is required but was not given.',
    ]);
  });

  it('rejects malformed FEATURES_TERRAFORM_MODULES, naming the input', () => {
    expect(problemsOf({ ...valid, FEATURES_TERRAFORM_MODULES: '[{"sourceType":' })).toEqual([
      expect.stringMatching(/^Input FEATURES_TERRAFORM_MODULES is not valid JSON/),
    ]);
  });

  it('masks module tokens and the raw list before returning', () => {
    const raw =
      '[{"sourceType":"gitHttps","path":"github.com/acme","private":true,"token":"ghp_abc"}]';
    const fake = parse({ ...valid, FEATURES_TERRAFORM_MODULES: raw });
    fake.result();
    expect(fake.masked).toEqual(expect.arrayContaining([raw, 'ghp_abc']));
  });

  it.each(['LOCAL_EXEC_ENABLED', 'SKIP_DEPLOY', 'VERBOSE'])(
    'rejects a %s that is not a boolean',
    (name) => {
      expect(problemsOf({ ...valid, [name]: 'yes' })).toEqual([
        `Input ${name} must be true or false, got 'yes'.`,
      ]);
    },
  );

  it('accepts the boolean spellings of core.getBooleanInput', () => {
    expect(
      parse({ ...valid, LOCAL_EXEC_ENABLED: 'True', SKIP_DEPLOY: 'TRUE' }).result().inputs,
    ).toMatchObject({
      localExecEnabled: true,
      skipDeploy: true,
    });
  });

  it('rejects a parallelism that is not a positive whole number', () => {
    expect(problemsOf({ ...valid, TERRAFORM_PARALLELISM: '0' })).toEqual([
      "Input TERRAFORM_PARALLELISM must be a whole number from 1 to 256, got '0'.",
    ]);
  });

  it('prefers the role over keys, masks the keys and warns', () => {
    const fake = parse({
      ...valid,
      AWS_IAM_ROLE: 'arn:aws:iam::123456789012:role/deployer',
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'sekret',
    });
    const { inputs, warnings } = fake.result();
    expect(inputs.credentials).toEqual({
      mode: 'role',
      roleArn: 'arn:aws:iam::123456789012:role/deployer',
    });
    expect(warnings).toEqual([
      expect.stringContaining('AWS_IAM_ROLE is set, so AWS_ACCESS_KEY_ID'),
    ]);
    expect(fake.masked).toEqual(expect.arrayContaining(['AKIAEXAMPLE', 'sekret']));
  });

  it('reports half a key pair against the credential inputs', () => {
    expect(problemsOf({ ...valid, AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE' })).toEqual([
      expect.stringMatching(/AWS_SECRET_ACCESS_KEY is missing/),
    ]);
  });

  it('rejects malformed DYNAMIC_INPUTS', () => {
    expect(problemsOf({ ...valid, DYNAMIC_INPUTS: '--name' })).toEqual([
      'Input DYNAMIC_INPUTS gives no value for --name. Write --name <value>.',
    ]);
  });

  it('warns once about the StackSpot inputs it ignores, masking the secret', () => {
    const fake = parse({
      ...valid,
      STK_CLIENT_ID: 'id',
      STK_CLIENT_SECRET: 'shh',
      STK_REALM: 'acme',
    });
    expect(fake.result().warnings).toEqual([
      expect.stringMatching(/^STK_CLIENT_ID, STK_CLIENT_SECRET, STK_REALM are ignored/),
    ]);
    expect(fake.masked).toContain('shh');
  });

  it('reads AWS_REGION for Terraform apart from the bucket regions, which default to it', () => {
    expect(
      parse({ ...valid, AWS_REGION: 'us-west-2', IAC_BUCKET_REGION: 'sa-east-1' }).result().inputs,
    ).toMatchObject({
      awsRegion: 'us-west-2',
      iacBucket: { region: 'sa-east-1' },
      stateBackend: { kind: 's3', region: 'us-west-2' },
    });
    expect(
      problemsOf({ ...valid, AWS_REGION: 'us-west-2\n::x', TFSTATE_BUCKET_REGION: 'a b' }),
    ).toEqual([
      expect.stringMatching(/^Input AWS_REGION .* is not allowed: an AWS region name/),
      expect.stringMatching(/^Input TFSTATE_BUCKET_REGION "a b" is not allowed/),
    ]);
  });

  it('reads VERBOSE or LEVEL_LOG debug as the debug level', () => {
    expect(parse({ ...valid, VERBOSE: 'true' }).result().inputs.logLevel).toBe('debug');
    expect(parse({ ...valid, LEVEL_LOG: 'debug' }).result().inputs.logLevel).toBe('debug');
  });

  it('rejects an unknown log level', () => {
    expect(problemsOf({ ...valid, LEVEL_LOG: 'loud' })).toEqual([
      "Input LEVEL_LOG must be one of debug, info, warn, error, got 'loud'.",
    ]);
  });
});
