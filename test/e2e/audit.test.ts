/**
 * The audit trail through the bundles, the way the runner runs them, on moto and the fake GitHub
 * API: the run records who started it, from which commit, and who approved it; the history keeps
 * it; each task's log is stored with the run, masked (a plugin printing the job's AWS secret and
 * its base64 stores neither), and `deploy-engine logs` prints it. An approvals API that refuses
 * is recorded as the reason, and the deployment succeeds all the same.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, runIdOf } from '../harness/deploy-flow';
import {
  HARNESS_GITHUB_TOKEN,
  startFakeGitHubApi,
  type FakeGitHubApi,
} from '../harness/github-api';
import { e2eFixture } from '../harness/e2e-fixture';

const APP = '01JAUD1T000000000000000000';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYAUDITKEY1';
const AWS_KEYS = {
  AWS_ACCESS_KEY_ID: 'AKIAAUDITTESTKEY0001',
  AWS_SECRET_ACCESS_KEY: SECRET,
};

let api: FakeGitHubApi;
const flow = e2eFixture({
  name: 'audit',
  env: () => ({
    GITHUB_API_URL: api.url,
    GITHUB_TRIGGERING_ACTOR: 'hubot',
  }),
});

beforeAll(async () => {
  api = await startFakeGitHubApi();
  // A plugin that prints the job's AWS secret key, plainly and in base64.
  const plugin = join(flow.checkout, 'plugins', 'leaky');
  mkdirSync(join(plugin, 'templates-deploy'), { recursive: true });
  writeFileSync(
    join(plugin, 'plugin.yaml'),
    'schema-version: v3\nkind: plugin\nmetadata: { name: leaky, version: 1.0.0, description: Prints a secret }\nspec:\n  type: infra\n',
  );
  writeFileSync(
    join(plugin, 'templates-deploy', 'main.tf'),
    `resource "terraform_data" "leak" {
  input = "{{ version }}"
  provisioner "local-exec" {
    command = "echo \\"leaked $AWS_SECRET_ACCESS_KEY\\"; printf %s \\"$AWS_SECRET_ACCESS_KEY\\" | base64"
  }
}
`,
  );
  flow.writeApp('leaky', APP, '    - { name: acme/leaky@1.0.0, alias: leak, type: infra }\n');
}, 120000);

afterAll(async () => {
  await api?.close();
});

async function recordOf(runRef: string): Promise<Record<string, unknown>> {
  const text = await flow.moto.getObjectText(flow.iacBucket, `runs/${runIdOf(runRef)}/record.json`);
  return JSON.parse(text) as Record<string, unknown>;
}

it('one deploy records who started and approved it, keeps it in the history, and stores the task logs masked', async () => {
  api.setApprovals('acme/orders', '4242', [
    { state: 'approved', login: 'alice', environments: ['production'], comment: 'ship it' },
  ]);
  const plan = await flow.orchestrate('leaky', { ...AWS_KEYS, REPOSITORY_NAME: 'someone/else' });
  expect([plan.exitCode, plan.log]).toEqual([0, expect.any(String)]);
  const applied = await flow.apply(plan, { with: AWS_KEYS });
  expect([applied.exitCode, applied.log]).toEqual([
    0,
    expect.stringContaining('Approval: approved by alice'),
  ]);
  const runRef = plan.outputs.run_id ?? '';

  const audit = {
    source: 'github',
    actor: 'octocat',
    triggeringActor: 'hubot',
    repository: 'acme/orders',
    repositoryNameInput: 'someone/else',
    commit: '0123456789abcdef0123456789abcdef01234567',
    ref: 'refs/heads/main',
    eventName: 'push',
    workflowRunUrl: 'https://github.com/acme/orders/actions/runs/4242',
    approval: {
      readAt: expect.any(String),
      reviews: [
        { state: 'approved', login: 'alice', environments: ['production'], comment: 'ship it' },
      ],
    },
  };
  expect((await recordOf(runRef)).audit).toEqual(audit);
  expect(api.requests).toContainEqual({
    method: 'GET',
    path: '/repos/acme/orders/actions/runs/4242/approvals',
    token: HARNESS_GITHUB_TOKEN,
  });
  const last = JSON.parse(
    await flow.moto.getObjectText(flow.iacBucket, `history/shop/dev/app/${APP}/last.json`),
  ) as { audit?: unknown };
  expect(last.audit).toEqual(audit);

  // One log per task (the PLAN of orchestrate-and-plan, IAC, DEPLOY), the DEPLOY's holding the
  // provisioner's output, masked.
  const tasks = (await recordOf(runRef)).tasks as { runTaskId: string; taskType: string }[];
  expect(tasks.map((t) => t.taskType)).toEqual(['PLAN', 'IAC_SELF_HOSTED', 'DEPLOY_SELF_HOSTED']);
  const logKeys = await flow.moto.listKeys(flow.iacBucket, `runs/${runIdOf(runRef)}/logs/`);
  expect(logKeys.sort()).toEqual(
    tasks.map((t) => `runs/${runIdOf(runRef)}/logs/${t.runTaskId}.log`).sort(),
  );
  const logs = await Promise.all(logKeys.map((k) => flow.moto.getObjectText(flow.iacBucket, k)));
  const deployLog = logs.find((t) => t.includes('leaked')) ?? '';
  expect(deployLog).toContain('leaked ***');
  const base64 = Buffer.from(SECRET).toString('base64');
  for (const text of logs) {
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(base64);
  }

  const printed = await runCli(['logs', runRef, '--task', 'leak'], flow.stepEnv());
  expect([printed.code, printed.output]).toEqual([0, expect.stringContaining('leaked ***')]);
  expect(printed.output).toContain('== DEPLOY_SELF_HOSTED leak');
  expect(printed.output).not.toContain(SECRET);
  const history = await flow.cli(['history', '--environment', 'dev', '--app-id', APP]);
  expect(history.output).toContain('by octocat (this attempt by hubot), acme/orders@0123456789ab');
  expect(history.output).toContain(
    'Approval: approved by alice (environment production): "ship it".',
  );
}, 240000);

it('an approvals API that refuses (403) is recorded as the reason, and the deployment succeeds', async () => {
  api.fail(403);
  try {
    const plan = await flow.orchestrate('leaky', { ...AWS_KEYS, VERSION: 'v2' });
    expect([plan.exitCode, plan.log]).toEqual([0, expect.any(String)]);
    const applied = await flow.apply(plan, { with: AWS_KEYS });
    expect([applied.exitCode, applied.log]).toEqual([
      0,
      expect.stringContaining('Approval not recorded: GitHub answered 403'),
    ]);
    const audit = (await recordOf(plan.outputs.run_id ?? '')).audit as {
      approval?: { unavailable?: string; reviews?: unknown };
    };
    expect(audit.approval?.unavailable).toContain('permissions: actions: read');
    expect(audit.approval?.reviews).toBeUndefined();
    expect((await recordOf(plan.outputs.run_id ?? '')).status).toBe('SUCCEEDED');
  } finally {
    api.fail(undefined);
  }
}, 240000);
