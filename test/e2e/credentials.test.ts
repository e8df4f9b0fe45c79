/**
 * The three credential sources of docs/actions.md#credentials through the built bundles, against moto's STS and
 * S3 behind a proxy that records who signed every request: what is assumed is what both our S3
 * calls and Terraform use, and a source that fails says which one it was and why.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2eFixture } from '../harness/e2e-fixture';
import { watchProcesses, type SeenProcess } from '../harness/process-environ';
import { startS3Proxy, type S3Proxy } from '../harness/s3-proxy';
import { runAction, type ActionResult } from '../harness/runner';

const ROLE = 'arn:aws:iam::123456789012:role/deployer';
const OIDC_REQUEST_TOKEN = 'oidc-request-token-0123456789abcdef';
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvb3JkZXJzIn0.c2lnbmF0dXJlLWZha2U';

const flow = e2eFixture({ name: 'cred' });
let proxy: S3Proxy;
let oidcAnswer: { status: number; body: string } = {
  status: 200,
  body: JSON.stringify({ value: JWT }),
};
const oidcRequests: { authorization: string; url: string }[] = [];

beforeAll(async () => {
  proxy = await startS3Proxy(flow.moto.endpoint, [
    (req, res) => {
      if (!req.url?.startsWith('/_oidc')) return false;
      oidcRequests.push({ authorization: req.headers.authorization ?? '', url: req.url });
      res.writeHead(oidcAnswer.status, { 'content-type': 'application/json' });
      res.end(oidcAnswer.body);
      return true;
    },
  ]);
});

afterAll(async () => {
  await proxy?.stop();
});

beforeEach(async () => {
  await flow.resetBuckets();
  proxy.clear();
  oidcRequests.length = 0;
});

/** The environment of a runner with no AWS credentials of its own: no keys, no profile. */
function bareRunner(extra: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: proxy.endpoint,
    AWS_ENDPOINT_URL_STS: proxy.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    HOME: mkdtempSync(join(tmpdir(), 'home-')),
    ...extra,
  };
}

const withOidc = (): Record<string, string> => ({
  ACTIONS_ID_TOKEN_REQUEST_URL: `${proxy.endpoint}/_oidc?api-version=2.0`,
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: OIDC_REQUEST_TOKEN,
});

const runnerKeys = {
  AWS_ACCESS_KEY_ID: 'AKIARUNNER0000000000',
  AWS_SECRET_ACCESS_KEY: 'runner-secret',
};

function orchestrate(env: Record<string, string>, extra: Record<string, string> = {}) {
  return runAction('orchestrate-and-plan', {
    workspace: flow.checkout,
    env,
    with: {
      TFSTATE_BUCKET_NAME: 'cred-tfstate',
      IAC_BUCKET_NAME: 'cred-iac',
      WORKSPACE: 'shop',
      ENVIRONMENT: 'dev',
      VERSION: 'v1',
      WORKDIR: 'single',
      PLUGINS_PATH: 'plugins',
      ...extra,
    },
  });
}

function apply(
  plan: ActionResult,
  env: Record<string, string>,
  extra: Record<string, string> = {},
) {
  return runAction('runtime-tasks', {
    workspace: flow.checkout,
    env,
    with: {
      RUN_ID: plan.outputs.run_id ?? '',
      TASK_LIST: plan.outputs.apply_tasks ?? '',
      ...extra,
    },
  });
}

const s3Signers = () =>
  new Set(proxy.seen.filter((r) => r.service === 's3').map((r) => r.accessKeyId));
const terraformSigners = () =>
  new Set(
    proxy.seen
      .filter((r) => r.service === 's3' && r.userAgent.includes('Terraform'))
      .map((r) => r.accessKeyId),
  );
const stsActions = () =>
  proxy.seen
    .filter((r) => r.form.includes('Action='))
    .map((r) => `${/Action=(\w+)/.exec(r.form)?.[1]} ${r.accessKeyId || 'unsigned'}`);

it('assumes the role with the GitHub OIDC token, and S3 and Terraform both use what STS returned', async () => {
  const env = bareRunner(withOidc());
  const plan = await orchestrate(env, { AWS_IAM_ROLE: ROLE });
  expect([plan.exitCode, plan.log]).toEqual([
    0,
    expect.stringContaining("with the job's GitHub OIDC token"),
  ]);
  const deployed = await apply(plan, env, { AWS_ROLE_ARN: ROLE });
  expect([deployed.exitCode, deployed.log]).toEqual([0, expect.any(String)]);

  expect(oidcRequests.length).toBeGreaterThanOrEqual(2);
  for (const request of oidcRequests) {
    expect(request.authorization).toBe(`Bearer ${OIDC_REQUEST_TOKEN}`);
    expect(request.url).toContain('audience=sts.amazonaws.com');
  }
  expect(new Set(stsActions())).toEqual(new Set(['AssumeRoleWithWebIdentity unsigned']));
  const signers = [...s3Signers()];
  expect(signers.length).toBeGreaterThan(0);
  for (const key of signers) expect(key).toMatch(/^ASIA/);
  expect([...terraformSigners()].length).toBeGreaterThan(0);
  for (const key of terraformSigners()) expect(key).toMatch(/^ASIA/);
  for (const result of [plan, deployed]) {
    expect(result.masks).toEqual(expect.arrayContaining([JWT, OIDC_REQUEST_TOKEN]));
    expect(result.log).not.toContain(JWT);
  }
});

it("assumes the role from the runner's credentials when the job cannot mint an OIDC token", async () => {
  const env = bareRunner(runnerKeys);
  const plan = await orchestrate(env, { AWS_IAM_ROLE: ROLE });
  expect([plan.exitCode, plan.log]).toEqual([
    0,
    expect.stringContaining("from the runner's own credentials"),
  ]);
  expect(new Set(stsActions())).toEqual(new Set(['AssumeRole AKIARUNNER0000000000']));
  for (const key of s3Signers()) expect(key).toMatch(/^ASIA/);
  expect([...terraformSigners()].length).toBeGreaterThan(0);
  for (const key of terraformSigners()) expect(key).toMatch(/^ASIA/);
});

it('lets the role win over keys, with a warning, and uses static keys when only they are given', async () => {
  const env = bareRunner(runnerKeys);
  const both = await orchestrate(env, {
    AWS_IAM_ROLE: ROLE,
    AWS_ACCESS_KEY_ID: 'AKIAINPUT00000000000',
    AWS_SECRET_ACCESS_KEY: 'input-secret',
  });
  expect(both.exitCode).toBe(0);
  expect(both.annotations).toContainEqual(
    expect.objectContaining({ level: 'warning', message: expect.stringContaining('are ignored') }),
  );
  expect(s3Signers().has('AKIAINPUT00000000000')).toBe(false);

  await flow.resetBuckets();
  proxy.clear();
  const keys = await orchestrate(env, {
    AWS_ACCESS_KEY_ID: 'AKIAINPUT00000000000',
    AWS_SECRET_ACCESS_KEY: 'input-secret',
  });
  expect([keys.exitCode, keys.log]).toEqual([0, expect.stringContaining('the given access keys')]);
  expect(stsActions()).toEqual([]);
  expect(s3Signers()).toEqual(new Set(['AKIAINPUT00000000000']));
  expect(terraformSigners()).toEqual(new Set(['AKIAINPUT00000000000']));
});

it('says which source failed and why: the OIDC token service refusing, and no credentials at all', async () => {
  oidcAnswer = { status: 500, body: '{"message":"token service down"}' };
  try {
    const refused = await orchestrate(bareRunner(withOidc()), { AWS_IAM_ROLE: ROLE });
    expect(refused.exitCode).toBe(1);
    const error = refused.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(error).toContain(
      `AWS credentials could not be obtained by assuming ${ROLE} with the job's GitHub OIDC token`,
    );
    expect(error).toContain('500');
  } finally {
    oidcAnswer = { status: 200, body: JSON.stringify({ value: JWT }) };
  }
  expect(await flow.moto.listKeys('cred-iac')).toEqual([]);

  const none = await orchestrate(bareRunner());
  expect(none.exitCode).toBe(1);
  const error = none.annotations.find((a) => a.level === 'error')?.message ?? '';
  expect(error).toContain("AWS credentials could not be obtained by the runner's own credentials");
  expect(error).toContain('Give AWS_IAM_ROLE');
  expect(await flow.moto.listKeys('cred-iac')).toEqual([]);
});

describe('separate credentials for the plans made before approval (PLAN_AWS_*)', () => {
  const MAIN = {
    AWS_ACCESS_KEY_ID: 'AKIAMAIN000000000000',
    AWS_SECRET_ACCESS_KEY: 'main-secret-key',
  };
  const PLAN_ROLE = 'arn:aws:iam::123456789012:role/plan-read-only';
  /** What the runner holds besides: none of it may reach Terraform. */
  const githubSecrets = {
    GITHUB_TOKEN: 'ghs_envGithubToken0000',
    ACTIONS_RUNTIME_TOKEN: 'actions-runtime-token-0000',
  };
  const forbidden = [
    MAIN.AWS_SECRET_ACCESS_KEY,
    OIDC_REQUEST_TOKEN,
    githubSecrets.GITHUB_TOKEN,
    githubSecrets.ACTIONS_RUNTIME_TOKEN,
    'ghs_inputGithubToken000',
  ];

  /** Runs orchestrate-and-plan, recording the environment of every Terraform process it starts. */
  async function watchedOrchestrate(env: Record<string, string>, extra: Record<string, string>) {
    const watch = watchProcesses('terraform', (e) => e.HOME === env.HOME);
    try {
      const plan = await orchestrate(env, { GITHUB_TOKEN: 'ghs_inputGithubToken000', ...extra });
      return { plan, terraform: watch.stop() };
    } finally {
      watch.stop();
    }
  }

  /** The Terraform commands on the project (`terraform version` runs with no credentials). */
  function withCredentials(terraform: SeenProcess[]): SeenProcess[] {
    const found = terraform.filter((p) => p.env.AWS_ACCESS_KEY_ID !== undefined);
    // orchestrate-and-plan runs init and plan at least.
    expect(found.length).toBeGreaterThanOrEqual(2);
    return found;
  }

  function expectMinimal(terraform: SeenProcess[]): void {
    expect(terraform.length).toBeGreaterThanOrEqual(3);
    for (const { env } of terraform) {
      const names = Object.keys(env);
      expect(names.filter((n) => /^(INPUT_|ACTIONS_|GITHUB_)/.test(n))).toEqual([]);
      const text = JSON.stringify(env);
      for (const value of forbidden) expect(text).not.toContain(value);
    }
  }

  it('Terraform signs every request with the assumed plan role, the engine with the main keys', async () => {
    const env = bareRunner({ ...withOidc(), ...githubSecrets });
    const { plan, terraform } = await watchedOrchestrate(env, {
      ...MAIN,
      PLAN_AWS_IAM_ROLE: PLAN_ROLE,
    });
    expect([plan.exitCode, plan.log]).toEqual([
      0,
      expect.stringContaining(`AWS credentials for Terraform (PLAN_AWS_IAM_ROLE/`),
    ]);
    expect(new Set(stsActions())).toEqual(new Set(['AssumeRoleWithWebIdentity unsigned']));
    const engine = proxy.seen.filter(
      (r) => r.service === 's3' && !r.userAgent.includes('Terraform'),
    );
    expect(engine.length).toBeGreaterThan(0);
    expect(new Set(engine.map((r) => r.accessKeyId))).toEqual(new Set([MAIN.AWS_ACCESS_KEY_ID]));
    const signers = [...terraformSigners()];
    expect(signers.length).toBeGreaterThan(0);
    for (const key of signers) expect(key).toMatch(/^ASIA/);
    expectMinimal(terraform);
    for (const { env: tfEnv } of withCredentials(terraform)) {
      expect(tfEnv.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/);
      expect(plan.masks).toContain(tfEnv.AWS_SECRET_ACCESS_KEY);
    }
  }, 120000);

  it('Terraform signs with the plan keys, the engine with the main role', async () => {
    const env = bareRunner({ ...withOidc(), ...githubSecrets });
    const { plan, terraform } = await watchedOrchestrate(env, {
      AWS_IAM_ROLE: ROLE,
      PLAN_AWS_ACCESS_KEY_ID: 'AKIAPLAN000000000000',
      PLAN_AWS_SECRET_ACCESS_KEY: 'plan-secret-key',
    });
    expect([plan.exitCode, plan.log]).toEqual([0, expect.any(String)]);
    expect(terraformSigners()).toEqual(new Set(['AKIAPLAN000000000000']));
    const engine = proxy.seen.filter(
      (r) => r.service === 's3' && !r.userAgent.includes('Terraform'),
    );
    for (const r of engine) expect(r.accessKeyId).toMatch(/^ASIA/);
    expectMinimal(terraform);
    for (const { env: tfEnv } of withCredentials(terraform)) {
      expect(tfEnv.AWS_SECRET_ACCESS_KEY).toBe('plan-secret-key');
      // The main role's temporary keys stay with the engine.
      expect(tfEnv.AWS_ACCESS_KEY_ID).toBe('AKIAPLAN000000000000');
    }

    // The approved job runs with its own (main) credentials only: nothing of PLAN_* exists there.
    const deployed = await apply(plan, env, { AWS_ROLE_ARN: ROLE });
    expect([deployed.exitCode, deployed.log]).toEqual([0, expect.any(String)]);
  }, 120000);

  it('refuses half a plan key pair, naming the input', async () => {
    const refused = await orchestrate(bareRunner(runnerKeys), {
      PLAN_AWS_ACCESS_KEY_ID: 'AKIAPLAN000000000000',
    });
    expect(refused.exitCode).toBe(1);
    expect(refused.annotations.find((a) => a.level === 'error')?.message ?? '').toContain(
      'PLAN_AWS_SECRET_ACCESS_KEY is missing',
    );
    expect(await flow.moto.listKeys('cred-iac')).toEqual([]);
  });
});
