/**
 * A module from a private git server (FEATURES_TERRAFORM_MODULES, private gitHttps with a token)
 * through the built bundles: git gets the token through its environment only, the server sees it,
 * and it appears nowhere else: not in the logs, outputs, summary or any file left behind.
 * Git over HTTPS is real (git http-backend on 127.0.0.1 with a throwaway certificate).
 */
import { e2eFixture } from '../harness/e2e-fixture';
import { startGitHttpsServer, type GitHttpsServer } from '../harness/git-https-server';
import { leaksOf } from '../harness/leaks';
import type { ActionResult } from '../harness/runner';

const TOKEN = 'ghp_privateModuleToken0123456789abcdefXYZ';
const BASIC = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');

let git: GitHttpsServer;
const flow = e2eFixture({ name: 'pm', env: () => ({ GIT_SSL_CAINFO: git.caFile }) });

beforeAll(async () => {
  git = await startGitHttpsServer(TOKEN, {
    'platform/greeting': {
      'main.tf': 'output "greeting" {\n  value = "hello from a private module"\n}\n',
    },
  });
});

afterAll(async () => {
  await git?.stop();
});

function modules(entry: Record<string, unknown>): string {
  return JSON.stringify([{ sourceType: 'gitHttps', path: `${git.host}/platform`, ...entry }]);
}

function orchestrate(allowed: string): Promise<ActionResult> {
  return flow.orchestrate(
    'private-module',
    {
      LOCAL_EXEC_ENABLED: 'false',
      DYNAMIC_INPUTS: `--module_host ${git.host}`,
      FEATURES_TERRAFORM_MODULES: allowed,
    },
    { timeoutMs: 120000 },
  );
}

function expectNoToken(result: ActionResult): void {
  expect([TOKEN, BASIC].flatMap((secret) => leaksOf(result, secret))).toEqual([]);
  expect(result.masks).toEqual(expect.arrayContaining([TOKEN, BASIC]));
}

it('fetches a private module with the token through git only, and leaves the token nowhere', async () => {
  const plan = await orchestrate(modules({ private: true, token: TOKEN }));
  expect([plan.exitCode, plan.log]).toEqual([0, expect.any(String)]);
  expect(git.requests.length).toBeGreaterThan(0);
  expect(git.requests.every((r) => r.authorized)).toBe(true);
  expectNoToken(plan);

  const deployed = await flow.apply(plan, {
    timeoutMs: 120000,
    with: {
      LOCALEXEC_ENABLED: 'false',
      FEATURES_TERRAFORM_MODULES: modules({ private: true, token: TOKEN }),
    },
  });
  expect([deployed.exitCode, deployed.log]).toEqual([0, expect.any(String)]);
  expect(deployed.log).toContain('hello from a private module');
  expectNoToken(deployed);
});

it('fails at once, without a prompt, when the private server refuses: the entry has no token', async () => {
  git.requests.length = 0;
  const started = Date.now();
  const plan = await orchestrate(modules({ private: false }));
  expect(plan.exitCode).toBe(1);
  expect(Date.now() - started).toBeLessThan(60000);
  expect(git.requests.length).toBeGreaterThan(0);
  expect(git.requests.some((r) => r.authorized)).toBe(false);
  expect(plan.log).toMatch(/module|git/i);
  expect(plan.annotations.map((a) => a.message).join('\n')).toContain('terminal prompts disabled');
  expect(plan.log).toContain('a "token" that can read it');
});
