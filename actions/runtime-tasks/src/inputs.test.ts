import { ConfigurationError } from '@deploy-engine/core';
import { fakeInputs } from '../../../test/support/fake-inputs';
import { parseRuntimeInputs } from './inputs';

const tasks =
  '[{"runTaskId":"01J9V6MWFTWQ392331QBCS46KQ","taskType":"DEPLOY_SELF_HOSTED","pluginAppliedAlias":"topic"}]';
const valid = { RUN_ID: '01J9V6MWFTWQ392331QBCS46KQ@acme-iac', TASK_LIST: tasks };

function problemsOf(values: Record<string, string>): string[] {
  try {
    parseRuntimeInputs(fakeInputs(values).parser);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems.map((p) => p.message);
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('runtime-tasks inputs', () => {
  it('leaves AWS_REGION empty when not given (the planned region is used) and checks its form', () => {
    expect(parseRuntimeInputs(fakeInputs(valid).parser).inputs.awsRegion).toBe('');
    expect(
      parseRuntimeInputs(fakeInputs({ ...valid, AWS_REGION: 'eu-west-1' }).parser).inputs.awsRegion,
    ).toBe('eu-west-1');
    expect(problemsOf({ ...valid, AWS_REGION: 'eu west' })).toEqual([
      expect.stringMatching(/^Input AWS_REGION "eu west" is not allowed: an AWS region name/),
    ]);
  });

  it('refuses a PATH_TO_MOUNT that does not exist, naming it', () => {
    expect(problemsOf({ ...valid, PATH_TO_MOUNT: '/no/such/checkout' })).toEqual([
      expect.stringMatching(/^Input PATH_TO_MOUNT '\/no\/such\/checkout' does not exist/),
    ]);
  });

  it('parses valid inputs', () => {
    const { inputs } = parseRuntimeInputs(fakeInputs(valid).parser);
    expect(inputs).toMatchObject({
      runId: valid.RUN_ID,
      tasks: [
        {
          runTaskId: '01J9V6MWFTWQ392331QBCS46KQ',
          taskType: 'DEPLOY_SELF_HOSTED',
          pluginAppliedAlias: 'topic',
        },
      ],
      terraformParallelism: 10,
      localExecEnabled: false,
      outputFileSuffix: 'outputs.json',
      credentials: { mode: 'ambient' },
    });
  });

  it('reads WORKERS (default 1: this job alone) and WORKER_LEASE_SECONDS (default 300, at least 10)', () => {
    expect(parseRuntimeInputs(fakeInputs(valid).parser).inputs).toMatchObject({
      workers: 1,
      workerLeaseMs: 300_000,
    });
    const pool = parseRuntimeInputs(
      fakeInputs({ ...valid, WORKERS: '3', WORKER_LEASE_SECONDS: '60' }).parser,
    ).inputs;
    expect([pool.workers, pool.workerLeaseMs]).toEqual([3, 60_000]);
    expect(problemsOf({ ...valid, WORKERS: '0', WORKER_LEASE_SECONDS: '5' })).toEqual([
      expect.stringMatching(/WORKERS.*must be a whole number from 1 to 256, got '0'/),
      expect.stringMatching(
        /WORKER_LEASE_SECONDS.*must be a whole number from 10 to 3600, got '5'/,
      ),
    ]);
    expect(problemsOf({ ...valid, WORKERS: 'two' })).toEqual([
      expect.stringMatching(/WORKERS.*got 'two'/),
    ]);
  });

  it('names both missing required inputs', () => {
    expect(problemsOf({})).toEqual([
      'Input RUN_ID is required but was not given.',
      'Input TASK_LIST is required but was not given.',
    ]);
  });

  it('rejects a TASK_LIST that is not JSON, naming the input', () => {
    expect(problemsOf({ ...valid, TASK_LIST: '[{runTaskId: ' })).toEqual([
      expect.stringMatching(/^Input TASK_LIST is not valid JSON/),
    ]);
  });

  it('rejects an unknown task type, naming the element', () => {
    expect(problemsOf({ ...valid, TASK_LIST: '[{"runTaskId":"a","taskType":"APPLY"}]' })).toEqual([
      expect.stringMatching(/^Input TASK_LIST element 0 has taskType "APPLY"/),
    ]);
  });

  it('accepts the StackSpot single-quoted task list', () => {
    const { inputs } = parseRuntimeInputs(
      fakeInputs({ ...valid, TASK_LIST: tasks.replace(/"/g, "'") }).parser,
    );
    expect(inputs.tasks).toHaveLength(1);
  });

  it('rejects booleans that are not booleans', () => {
    expect(problemsOf({ ...valid, LOCALEXEC_ENABLED: '1' })).toEqual([
      "Input LOCALEXEC_ENABLED must be true or false, got '1'.",
    ]);
  });

  it('uses AWS_ROLE_ARN over keys with a warning', () => {
    const { inputs, warnings } = parseRuntimeInputs(
      fakeInputs({
        ...valid,
        AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/deployer',
        AWS_ACCESS_KEY_ID: 'AKIA',
        AWS_SECRET_ACCESS_KEY: 's',
      }).parser,
    );
    expect(inputs.credentials.mode).toBe('role');
    expect(warnings[0]).toMatch(/AWS_ROLE_ARN is set/);
  });

  it('prefers OUTPUT_FILE over BASE_PATH_OUTPUT', () => {
    const { inputs } = parseRuntimeInputs(
      fakeInputs({ ...valid, OUTPUT_FILE: 'out.json', BASE_PATH_OUTPUT: 'outputs.json' }).parser,
    );
    expect(inputs.outputFileSuffix).toBe('out.json');
  });

  it('rejects malformed FEATURES_TERRAFORM_MODULES', () => {
    expect(problemsOf({ ...valid, FEATURES_TERRAFORM_MODULES: '{}' })).toEqual([
      'Input FEATURES_TERRAFORM_MODULES must be a JSON list of module sources.',
    ]);
  });
});

describe('TERRAFORM_RELEASES_URL', () => {
  const url = (value?: string) =>
    parseRuntimeInputs(
      fakeInputs({ ...valid, ...(value === undefined ? {} : { TERRAFORM_RELEASES_URL: value }) })
        .parser,
    ).inputs.terraformReleasesUrl;

  it('is HashiCorp by default; a mirror over https, or http to this machine only', () => {
    expect(url()).toBe('https://releases.hashicorp.com/terraform');
    expect(url('https://mirror.example.com/terraform/')).toBe(
      'https://mirror.example.com/terraform',
    );
    expect(url('http://127.0.0.1:8080/tf')).toBe('http://127.0.0.1:8080/tf');
    expect(url('http://localhost:9/tf')).toBe('http://localhost:9/tf');
  });

  it.each([
    ['http://mirror.example.com/terraform', /must be an https:\/\/ URL/],
    ['http://127.0.0.1.example.com/terraform', /must be an https:\/\/ URL/],
    ['file:///etc/terraform', /must be an https:\/\/ URL/],
    ['https://user:pass@mirror.example.com/terraform', /must not hold credentials/],
    ['https://mirror.example.com/terraform?token=x', /must not have a query/],
    ['mirror.example.com', /is not a URL/],
  ])('refuses %s', (value, message) => {
    expect(problemsOf({ ...valid, TERRAFORM_RELEASES_URL: value })).toEqual([
      expect.stringMatching(message),
    ]);
  });
});

describe('TERRAFORM_VERSION', () => {
  it('is empty (the terraform on PATH) or a release the S3 state locks work with', () => {
    expect(parseRuntimeInputs(fakeInputs(valid).parser).inputs.terraformVersion).toBe('');
    expect(
      parseRuntimeInputs(fakeInputs({ ...valid, TERRAFORM_VERSION: '1.10.5' }).parser).inputs
        .terraformVersion,
    ).toBe('1.10.5');
    expect(problemsOf({ ...valid, TERRAFORM_VERSION: '1.4.7' })).toEqual([
      expect.stringMatching(
        /^Input TERRAFORM_VERSION 1\.4\.7 is older than 1\.10\.0: .*use_lockfile/,
      ),
    ]);
    expect(problemsOf({ ...valid, TERRAFORM_VERSION: 'latest' })).toEqual([
      "Input TERRAFORM_VERSION 'latest' is not a Terraform version like 1.11.4.",
    ]);
  });

  it('reads POLICY_COMMAND and POLICY_TIMEOUT_SECONDS: none by default, bounds checked', () => {
    expect(parseRuntimeInputs(fakeInputs(valid).parser).inputs.policy).toBeUndefined();
    const { inputs } = parseRuntimeInputs(
      fakeInputs({ ...valid, POLICY_COMMAND: 'conftest test "$DEPLOY_ENGINE_PLAN_JSON"' }).parser,
    );
    expect(inputs.policy).toEqual({
      command: 'conftest test "$DEPLOY_ENGINE_PLAN_JSON"',
      timeoutSeconds: 300,
      checkoutDir: inputs.pathToMount,
    });
    expect(problemsOf({ ...valid, POLICY_COMMAND: 'exit 0', POLICY_TIMEOUT_SECONDS: '0' })).toEqual(
      ["Input POLICY_TIMEOUT_SECONDS must be a whole number from 1 to 3600, got '0'."],
    );
    expect(problemsOf({ ...valid, POLICY_COMMAND: 'echo a\0b' })).toEqual([
      expect.stringContaining('POLICY_COMMAND'),
    ]);
  });
});
