/**
 * The built bundles, run as the GitHub runner runs them, on bad input: every input is validated
 * before anything else, secrets are masked first, and a broken descriptor fails before any call
 * to S3. S3 points at a closed port on 127.0.0.1, so no test here can reach anything else.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runAction } from '../harness/runner';

const nowhere = {
  AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

const orchestrateInputs = {
  TFSTATE_BUCKET_NAME: 'acme-tfstate',
  IAC_BUCKET_NAME: 'acme-iac',
  WORKSPACE: 'payments',
  ENVIRONMENT: 'prod',
  VERSION: 'v1',
};

function checkout(stk?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-checkout-'));
  if (stk !== undefined) {
    mkdirSync(join(dir, '.stk'));
    writeFileSync(join(dir, '.stk', 'stk.yaml'), stk);
  }
  return dir;
}

describe('orchestrate-and-plan bundle', () => {
  it('names every missing required input, and uses action.yml defaults for the rest', async () => {
    const result = await runAction('orchestrate-and-plan', {
      with: { WORKSPACE: 'w' },
      env: nowhere,
    });
    expect(result.exitCode).toBe(1);
    const message = result.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(message).toMatch(/configuration error/);
    for (const name of ['TFSTATE_BUCKET_NAME', 'IAC_BUCKET_NAME', 'ENVIRONMENT', 'VERSION']) {
      expect(message).toContain(`Input ${name} is required`);
    }
    expect(message).not.toContain('WORKSPACE is required');
  });

  it('reports a broken stk.yaml with file and line as an annotation, before calling S3', async () => {
    const result = await runAction('orchestrate-and-plan', {
      workspace: checkout(
        'schema-version: v2\nkind: manifest\nmetadata: { name: x }\nspec:\n  type: service\n',
      ),
      with: orchestrateInputs,
      env: nowhere,
    });
    expect(result.exitCode).toBe(1);
    expect(result.annotations).toContainEqual(
      expect.objectContaining({
        level: 'error',
        properties: expect.objectContaining({ file: '.stk/stk.yaml', line: '5' }),
      }),
    );
    expect(result.log).not.toMatch(/S3 bucket/);
    expect(result.outputs.run_id ?? '').toBe('');
  });

  it('masks secrets before anything can print them', async () => {
    const result = await runAction('orchestrate-and-plan', {
      workspace: checkout(),
      env: nowhere,
      with: {
        ...orchestrateInputs,
        AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEKEY0001',
        AWS_SECRET_ACCESS_KEY: 'very/secret+key',
        FEATURES_TERRAFORM_MODULES:
          '[{"sourceType":"gitHttps","path":"github.com/acme","private":true,"token":"ghp_tokenvalue"}]',
      },
    });
    expect(result.exitCode).toBe(1);
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
  });
});

describe('runtime-tasks bundle', () => {
  it('rejects a malformed TASK_LIST, naming it', async () => {
    const result = await runAction('runtime-tasks', {
      with: { RUN_ID: 'r', TASK_LIST: "[{'runTaskId': " },
      env: nowhere,
    });
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.message).toMatch(/Input TASK_LIST is not valid JSON/);
  });

  it('rejects a RUN_ID that is not one of this engine, before calling S3', async () => {
    const result = await runAction('runtime-tasks', {
      with: {
        RUN_ID: '12345',
        TASK_LIST:
          "[{'runTaskId': 'a', 'taskType': 'DEPLOY_SELF_HOSTED', 'pluginAppliedAlias': 'x'}]",
      },
      env: nowhere,
    });
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.message).toMatch(/RUN_ID '12345' is not a run id of this engine/);
  });
});
