/**
 * The built bundles, run as the GitHub runner runs them. Until the engine is built, each action
 * validates its inputs and then fails honestly; cancel-run with no run succeeds.
 */
import { runAction } from '../harness/runner';

const orchestrateInputs = {
  TFSTATE_BUCKET_NAME: 'acme-tfstate',
  IAC_BUCKET_NAME: 'acme-iac',
  WORKSPACE: 'payments',
  ENVIRONMENT: 'prod',
  VERSION: 'v1',
};

describe('orchestrate-and-plan bundle', () => {
  it('validates its inputs, then fails honestly as not implemented yet', async () => {
    const result = await runAction('orchestrate-and-plan', { with: orchestrateInputs });
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain(
      'Inputs are valid: workspace payments, environment prod, version v1',
    );
    expect(result.annotations).toEqual([
      expect.objectContaining({
        level: 'error',
        message: expect.stringMatching(/^orchestrate-and-plan: not implemented yet\./),
      }),
    ]);
    expect(result.outputs).toEqual({});
  });

  it('names every missing required input, and uses action.yml defaults for the rest', async () => {
    const result = await runAction('orchestrate-and-plan', { with: { WORKSPACE: 'w' } });
    expect(result.exitCode).toBe(1);
    const message = result.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(message).toMatch(/configuration error/);
    for (const name of ['TFSTATE_BUCKET_NAME', 'IAC_BUCKET_NAME', 'ENVIRONMENT', 'VERSION']) {
      expect(message).toContain(`Input ${name} is required`);
    }
    expect(message).not.toContain('WORKSPACE is required');
  });

  it('masks secrets before anything can print them', async () => {
    const result = await runAction('orchestrate-and-plan', {
      with: {
        ...orchestrateInputs,
        AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEKEY0001',
        AWS_SECRET_ACCESS_KEY: 'very/secret+key',
        FEATURES_TERRAFORM_MODULES:
          '[{"sourceType":"gitHttps","path":"github.com/acme","private":true,"token":"ghp_tokenvalue"}]',
      },
    });
    expect(result.masks).toEqual(
      expect.arrayContaining(['AKIAEXAMPLEKEY0001', 'very/secret+key', 'ghp_tokenvalue']),
    );
    // The runner consumes ::add-mask:: lines; nothing else the step printed may hold a secret.
    const printed = result.stdout
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
    expect(printed + result.stderr).not.toMatch(
      /AKIAEXAMPLEKEY0001|very\/secret\+key|ghp_tokenvalue/,
    );
    expect(result.log).not.toMatch(/AKIAEXAMPLEKEY0001|very\/secret\+key|ghp_tokenvalue/);
  });
});

describe('runtime-tasks bundle', () => {
  it('rejects a malformed TASK_LIST, naming it', async () => {
    const result = await runAction('runtime-tasks', {
      with: { RUN_ID: 'r', TASK_LIST: "[{'runTaskId': " },
    });
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.message).toMatch(/Input TASK_LIST is not valid JSON/);
  });

  it('validates its inputs, then fails honestly as not implemented yet', async () => {
    const result = await runAction('runtime-tasks', {
      with: {
        RUN_ID: 'r',
        TASK_LIST:
          "[{'runTaskId': 'a', 'taskType': 'DEPLOY_SELF_HOSTED', 'pluginAppliedAlias': 'x'}]",
      },
    });
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain('Inputs are valid: run r, 1 task(s).');
    expect(result.annotations[0]?.message).toMatch(/^runtime-tasks: not implemented yet\./);
  });
});
