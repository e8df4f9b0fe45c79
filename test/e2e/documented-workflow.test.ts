/**
 * StackSpot's documented self-hosted workflow, verbatim except its three `uses:` lines
 * (test/fixtures/workflows/stackspot-self-hosted.yml), run the way GitHub runs it
 * (test/harness/workflow-runner.ts): the planning and approval jobs on a self-hosted runner that
 * reaches S3 (moto), the cancel job on ubuntu-latest without any AWS credential, as documented.
 * After each way a deployment can go wrong (approval rejected or never given, workflow cancelled
 * before or during the approved job, a failing apply) the next workflow run starts without anyone
 * running a command: no application is left locked. To stay within the CI budget the cases run as
 * one history of one application, each workflow run being the "next run" of the one before it
 * (so they run in order, and a failure stops the rest); two of them are approved and deploy.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { createS3Client, MemoryLogger, RunStore, S3ObjectStore } from '@deploy-engine/core';
import { REPO_ROOT } from '../harness/action-metadata';
import { runIdOf } from '../harness/deploy-flow';
import {
  HARNESS_GITHUB_TOKEN,
  startFakeGitHubApi,
  type FakeGitHubApi,
} from '../harness/github-api';
import { e2eFixture } from '../harness/e2e-fixture';
import { TEST_CREDENTIALS } from '../harness/moto';
import {
  WorkflowHarness,
  type WorkflowRunResult,
  type WorkflowHarnessOptions,
} from '../harness/workflow-runner';

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'workflows', 'stackspot-self-hosted.yml');
const IAC_BUCKET = '000000000000-iac-bucket';
const TFSTATE_BUCKET = '000000000000-tfstate-bucket';

/** What a user fills in when copying the documented workflow. */
const PLACEHOLDERS = {
  '<self-hosted-runner>': 'self-hosted',
  // The checkout root holds .stk/ (the documented absolute form, on the documented runner layout).
  '/path/to/parent-folder-of-.stk': '/home/runner/_work/orders/orders',
};

const SECRETS = {
  AWS_ACCESS_KEY_ID: 'AKIADOCUMENTEDWORKFLOW',
  AWS_SECRET_ACCESS_KEY: 'documented-workflow-secret-access-key',
  CLIENT_ID: 'stk-client-id',
  CLIENT_KEY: 'stk-client-key-0123456789',
  CLIENT_REALM: 'stk-realm',
};

// Its buckets are in sa-east-1 and named as the documented workflow's placeholders: made below.
const flow = e2eFixture({ name: 'wf', checkout: false, buckets: [] });
let api: FakeGitHubApi;
let cliConfig: string;

/** A runner of this machine kind: a fresh HOME (no ~/.aws), never the instance metadata service. */
function machine(extra: Record<string, string>): Record<string, string> {
  return {
    HOME: mkdtempSync(join(tmpdir(), 'wf-home-')),
    TF_CLI_CONFIG_FILE: cliConfig,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}

function harness(overrides: Partial<WorkflowHarnessOptions> = {}): WorkflowHarness {
  return new WorkflowHarness({
    file: FIXTURE,
    placeholders: PLACEHOLDERS,
    secrets: SECRETS,
    api,
    runners: {
      // Your runner: it reaches your S3 (here moto) with credentials of its own.
      'self-hosted': () => machine(flow.moto.env),
      // GitHub's runner: no AWS credentials, no endpoint; it cannot reach your S3.
      'ubuntu-latest': () => machine({}),
    },
    ...overrides,
  });
}

/**
 * The application repository at one commit: .stk/ at its root, its one infra plugin forked into
 * .stk/FORKED_PLUGINS (the documented workflow names no plugin folder). `failingApply` makes the
 * plugin's apply fail (a postcondition on a value known only once applied).
 */
function appCommit(app: string, appId: string, options: { failingApply?: boolean } = {}): string {
  const root = mkdtempSync(join(tmpdir(), `wf-app-${app}-`));
  const plugin = join(root, '.stk', 'FORKED_PLUGINS', 'note', 'templates-deploy');
  mkdirSync(plugin, { recursive: true });
  writeFileSync(
    join(root, '.stk', 'stk.yaml'),
    `schema-version: v3
kind: manifest
metadata: { name: ${app} }
spec:
  type: app
  app-id: ${appId}
  plugins:
    - name: acme/note@1.0.0
      alias: note
      type: infra
      inputs: { text: ${app} }
`,
  );
  writeFileSync(
    join(root, '.stk', 'FORKED_PLUGINS', 'note', 'plugin.yaml'),
    `schema-version: v3
kind: plugin
metadata: { name: note, version: 1.0.0, description: One terraform_data }
spec:
  type: infra
  inputs:
    - { name: text, type: text, required: true }
`,
  );
  // A new resource whose id Terraform knows only once it is created: the check fails at apply.
  const check = options.failingApply
    ? `
resource "terraform_data" "check" {
  input = "{{ text }}"
  lifecycle {
    postcondition {
      condition     = self.id == "never"
      error_message = "The note could not be written."
    }
  }
}
`
    : '';
  writeFileSync(
    join(plugin, 'main.tf'),
    `resource "terraform_data" "note" {
  input = "{{ text }}-{{ environment }}"
}
${check}
output "note" {
  value = terraform_data.note.output
}
`,
  );
  return root;
}

/** What GitHub's API says of a workflow run (the fake the harness keeps in step). */
async function workflowRunStatus(id: string): Promise<string> {
  const response = await fetch(`${api.url}/repos/acme/orders/actions/runs/${id}`, {
    headers: { authorization: `token ${HARNESS_GITHUB_TOKEN}` },
  });
  return ((await response.json()) as { status: string }).status;
}

interface RunRecord {
  runId: string;
  status: string;
  target?: { appId?: string };
  tasks?: { taskType: string; status: string }[];
}

/** Every run, as the engine reads it (the tasks' current states from their task objects). */
async function runRecords(): Promise<RunRecord[]> {
  const keys = (await flow.moto.listKeys(IAC_BUCKET, 'runs/')).filter((k) =>
    k.endsWith('/record.json'),
  );
  const client = createS3Client({
    region: 'us-east-1',
    credentials: { mode: 'keys', ...TEST_CREDENTIALS },
    env: { AWS_ENDPOINT_URL_S3: flow.moto.endpoint },
  });
  const runs = new RunStore(new S3ObjectStore(client, IAC_BUCKET), new MemoryLogger());
  const read = await Promise.all(keys.map((k) => runs.getRun(k.split('/')[1] as string)));
  return read.filter((r) => r !== undefined);
}

async function recordOf(result: WorkflowRunResult): Promise<RunRecord> {
  const ref = result.jobs.orchestrate_and_plan?.outputs.run_id ?? '';
  expect(ref).not.toBe('');
  const record = (await runRecords()).find((r) => r.runId === runIdOf(ref));
  if (!record) throw new Error(`no run record for ${ref}`);
  return record;
}

function logs(result: WorkflowRunResult): string {
  return Object.values(result.jobs)
    .flatMap((job) => job.steps.flatMap((s) => [s.main?.log ?? '', s.post?.log ?? '']))
    .join('\n');
}

/** The workflow run deployed: apply succeeded, its run SUCCEEDED, the cancel job did not run. */
async function expectDeployed(result: WorkflowRunResult): Promise<void> {
  const summary = Object.values(result.jobs).map((j) => `${j.id}: ${j.result}`);
  const errors = Object.values(result.jobs).flatMap((j) =>
    j.steps.flatMap((s) =>
      [...(s.main?.annotations ?? []), ...(s.post?.annotations ?? [])]
        .filter((a) => a.level === 'error')
        .map((a) => `${j.id}/${s.name}: ${a.message}`),
    ),
  );
  expect({ conclusion: result.conclusion, jobs: summary, errors }).toEqual({
    conclusion: 'success',
    jobs: ['orchestrate_and_plan: success', 'approve_plan_apply: success', 'cancel: skipped'],
    errors: [],
  });
  expect(result.jobs.orchestrate_and_plan?.droppedOutputs).toEqual([]);
  const apply = result.jobs.approve_plan_apply?.steps.find((s) => s.id === 'run-task');
  expect(apply?.outcome).toBe('success');
  expect((await recordOf(result)).status).toBe('SUCCEEDED');
}

/**
 * The cancel job ran on ubuntu-latest, where no AWS credential exists: its step succeeds and says
 * in one annotation what it could not do, why the next run still starts, and the inputs to give.
 */
function expectCancelExplained(result: WorkflowRunResult): void {
  const cancel = result.jobs.cancel;
  expect(cancel?.runsOn).toBe('ubuntu-latest');
  const step = cancel?.steps.find((s) => s.id === 'run-cancel');
  expect(step?.outcome).toBe('success');
  const runId = runIdOf(result.jobs.orchestrate_and_plan?.outputs.run_id ?? '');
  const about = (step?.main?.annotations ?? []).filter((a) => a.message.includes(runId));
  expect(about).toHaveLength(1);
  const message = about[0]?.message ?? '';
  expect(about[0]?.level).toBe('warning');
  expect(message).toContain(IAC_BUCKET);
  expect(message).toMatch(/no AWS credentials/i);
  expect(message).toMatch(/next .*orchestrate-and-plan.* (start|proceed)/i);
  expect(message).toMatch(/workflow run .*(ended|completed)/i);
  expect(message).toContain('AWS_ROLE_ARN');
  expect(message).toContain('AWS_ACCESS_KEY_ID');
  expect(message).not.toContain('AWS_IAM_ROLE');
}

beforeAll(async () => {
  api = await startFakeGitHubApi();
  cliConfig = join(mkdtempSync(join(tmpdir(), 'wf-tf-')), 'terraform.rc');
  writeFileSync(cliConfig, '');
  const s3 = new S3Client({
    endpoint: flow.moto.endpoint,
    region: 'sa-east-1',
    forcePathStyle: true,
    credentials: TEST_CREDENTIALS,
  });
  for (const bucket of [IAC_BUCKET, TFSTATE_BUCKET])
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        CreateBucketConfiguration: { LocationConstraint: 'sa-east-1' },
      }),
    );
  s3.destroy();
});

afterAll(async () => {
  await api?.close();
});

describe('the documented self-hosted workflow, one failure after another', () => {
  const appId = '01JWF000000000000000000001';
  const app = appCommit('orders', appId);
  let documented: WorkflowHarness;
  let previous: WorkflowRunResult | undefined;

  beforeAll(() => {
    documented = harness({ firstRunId: 1000 });
  });

  /** This workflow run started: the one before it left nothing locked, and is closed now. */
  async function expectStartedAfterPrevious(result: WorkflowRunResult): Promise<void> {
    const orchestrate = result.jobs.orchestrate_and_plan;
    const step = orchestrate?.steps.find((s) => s.id === 'orchestrate_and_plan');
    expect([
      orchestrate?.result,
      step?.main?.annotations.filter((a) => a.level === 'error'),
    ]).toEqual(['success', []]);
    if (previous) expect((await recordOf(previous)).status).not.toBe('RUNNING');
  }

  it('approval rejected: the cancel job, without credentials, explains itself', async () => {
    const rejected = await documented.trigger({ checkout: app, approval: 'reject' }).finished;
    await expectStartedAfterPrevious(rejected);
    expect(rejected.conclusion).toBe('failure');
    expect(rejected.jobs.approve_plan_apply?.result).toBe('failure');
    expect(rejected.jobs.approve_plan_apply?.steps).toEqual([]);
    expectCancelExplained(rejected);
    expect((await recordOf(rejected)).status).toBe('RUNNING');
    previous = rejected;
  });

  it('the next run starts; this one is cancelled before the approved job', async () => {
    const cancelled = await documented.trigger({
      checkout: app,
      cancelBeforeJob: 'approve_plan_apply',
    }).finished;
    await expectStartedAfterPrevious(cancelled);
    expect((await recordOf(previous as WorkflowRunResult)).status).toBe('ABORTED');
    expect(cancelled.conclusion).toBe('cancelled');
    expect(cancelled.jobs.approve_plan_apply?.result).toBe('cancelled');
    expectCancelExplained(cancelled);
    previous = cancelled;
  });

  it('the next run starts and waits for an approval never given: it keeps the lock, and the run queued behind it deploys once it times out', async () => {
    const waiting = documented.trigger({ checkout: app, approval: 'never' });
    await waiting.waitingOrDone;
    expect(await workflowRunStatus(waiting.runId)).toBe('waiting');
    expect((await recordOf(previous as WorkflowRunResult)).status).toBe('ABORTED');

    // Another workflow of the team (its own file, so its own concurrency group) is refused.
    const hotfix = harness({
      firstRunId: 1500,
      placeholders: { ...PLACEHOLDERS, 'name: Stk Self Hosted': 'name: Stk Hotfix' },
    });
    const refused = await hotfix.trigger({ checkout: app }).finished;
    expect(refused.jobs.orchestrate_and_plan?.result).toBe('failure');
    const refusal =
      refused.jobs.orchestrate_and_plan?.steps
        .find((s) => s.id === 'orchestrate_and_plan')
        ?.main?.annotations.map((a) => a.message)
        .join('\n') ?? '';
    expect(refusal).toMatch(/Another run is deploying/);
    expect(refusal).toContain(`/actions/runs/${waiting.runId}`);

    // A push meanwhile waits in the concurrency group, as GitHub holds it ...
    const queued = documented.trigger({ checkout: app });
    expect(await workflowRunStatus(queued.runId)).toBe('pending');
    // ... and starts once the waiting run has timed out, deploying without any command.
    waiting.timeOutApproval();
    const timedOut = await waiting.finished;
    await expectStartedAfterPrevious(timedOut);
    expect(timedOut.conclusion).toBe('failure');
    expectCancelExplained(timedOut);
    previous = timedOut;
    const next = await queued.finished;
    await expectDeployed(next);
    expect((await recordOf(timedOut)).status).toBe('ABORTED');
    previous = next;
  });

  it('the next run starts; this one is cancelled while Terraform applies', async () => {
    // Cancelled once the run's DEPLOY task is seen running.
    const applying = async (stepEnded: AbortSignal): Promise<void> => {
      while (!stepEnded.aborted) {
        const records = await runRecords();
        const deploying = records.some(
          (r) =>
            r.target?.appId === appId &&
            r.tasks?.some((t) => t.taskType === 'DEPLOY_SELF_HOSTED' && t.status === 'RUNNING'),
        );
        if (deploying) return;
        await new Promise((done) => setTimeout(done, 100));
      }
      throw new Error('the apply ended before it was seen running');
    };
    const cancelled = await documented.trigger({
      checkout: app,
      cancelDuringJob: { job: 'approve_plan_apply', when: applying },
    }).finished;
    await expectStartedAfterPrevious(cancelled);
    expect(cancelled.conclusion).toBe('cancelled');
    expect(cancelled.jobs.approve_plan_apply?.result).toBe('cancelled');
    expectCancelExplained(cancelled);
    previous = cancelled;
  });

  it('the next run starts; its apply fails, and the run is closed as failed', async () => {
    const failed = await documented.trigger({
      checkout: appCommit('orders', appId, { failingApply: true }),
    }).finished;
    await expectStartedAfterPrevious(failed);
    expect(failed.conclusion).toBe('failure');
    expect(failed.jobs.approve_plan_apply?.result).toBe('failure');
    expect(logs(failed)).toContain('The note could not be written.');
    expect(['RUNTIME_ERROR', 'USER_ERROR']).toContain((await recordOf(failed)).status);
    expectCancelExplained(failed);
    previous = failed;
  });

  it('the next run deploys, keeping every secret out of the logs and job outputs', async () => {
    const next = await documented.trigger({ checkout: app }).finished;
    await expectStartedAfterPrevious(next);
    await expectDeployed(next);
    const output = logs(next);
    for (const secret of Object.values(SECRETS)) expect(output).not.toContain(secret);
  });
});
