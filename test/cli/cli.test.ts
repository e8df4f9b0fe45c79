/**
 * The shipped CLI (dist/cli/index.js under node, as `deploy-engine` runs) against a real S3
 * (moto_server), with credentials from the environment as people use it.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createS3Client,
  MemoryLogger,
  RunStore,
  S3ObjectStore,
  SharedValueStore,
  type RunRecord,
} from '@deploy-engine/core';
import { e2eFixture } from '../harness/e2e-fixture';

const ROOT = join(__dirname, '..', '..');
const BUNDLE = join(ROOT, 'dist', 'cli', 'index.js');
const ORDERS = {
  workspace: 'shop',
  environment: 'prod',
  appKind: 'app' as const,
  appId: 'ORDERS',
  appName: 'orders',
};

const flow = e2eFixture({ name: 'cli', checkout: false, buckets: ['iac'] });
let runs: RunStore;
let run: RunRecord;
const saved = { ...process.env };

beforeAll(async () => {
  Object.assign(process.env, flow.moto.env);
  runs = new RunStore(
    new S3ObjectStore(
      createS3Client({ region: 'us-east-1', credentials: { mode: 'ambient' } }),
      'cli-iac',
    ),
    new MemoryLogger(),
  );
  run = await createRun(ORDERS);
});

afterAll(async () => {
  process.env = saved;
});

function createRun(target: typeof ORDERS): Promise<RunRecord> {
  return runs.createRun({
    type: 'DEPLOY',
    target,
    version: 'v7',
    workflowRunUrl: 'https://github.com/acme/orders/actions/runs/3',
    tfstate: { bucket: 'tf', region: 'us-east-1' },
    manifestDigest: 'd',
    tasks: [{ taskType: 'DEPLOY_SELF_HOSTED', pluginAppliedAlias: 'topic' }],
  });
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node dist/cli/index.js <args>` with moto's endpoint and credentials, nothing else of AWS. */
function cli(...args: string[]): Promise<Result> {
  return cliWith({}, ...args);
}

function cliWith(extra: Record<string, string>, ...args: string[]): Promise<Result> {
  const env = Object.fromEntries(
    Object.entries(saved).filter(([k]) => !k.startsWith('AWS_')),
  ) as Record<string, string>;
  // The SDK's notice that it will need node 22 (stderr is compared whole below).
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const child = spawn(process.execPath, [BUNDLE, ...args], {
    env: { ...env, ...flow.moto.env, ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) =>
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr })),
  );
}

it('prints its version, read from package.json at build time', async () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  expect(await cli('--version')).toEqual({
    code: 0,
    stdout: `deploy-engine ${version}\n`,
    stderr: '',
  });
});

it('shows a run and its tasks, from the run_id output or the bare id of the log line', async () => {
  const full = await cli('status', `${run.runId}@cli-iac`);
  expect(full.code).toBe(0);
  expect(full.stdout).toContain(`run ${run.runId}  DEPLOY  RUNNING`);
  expect(full.stdout).toContain('app orders (ORDERS) -> shop/prod, version v7');
  expect(full.stdout).toMatch(/1\. PENDING\s+DEPLOY_SELF_HOSTED\s+topic/);
  const bare = await cli('status', run.runId, '--bucket', 'cli-iac', '--region', 'us-east-1');
  expect(bare).toEqual({ ...full, stderr: '' });
});

it('refuses a bare run id without --bucket in one line and a hint, not the whole usage', async () => {
  const { code, stdout, stderr } = await cli('status', run.runId);
  expect([code, stdout]).toEqual([2, '']);
  expect(stderr.trim().split('\n')).toEqual([
    expect.stringMatching(
      new RegExp(`^deploy-engine status: run ${run.runId} is a bare id: add --bucket <iac-bucket>`),
    ),
    "Run 'deploy-engine status --help' for its arguments and options.",
  ]);
});

it('prints the run as JSON with --json', async () => {
  const { code, stdout } = await cli('status', `${run.runId}@cli-iac`, '--json');
  expect(code).toBe(0);
  const parsed = JSON.parse(stdout) as { run: RunRecord };
  expect(parsed.run).toMatchObject({ runId: run.runId, status: 'RUNNING', target: ORDERS });
});

it('lists recent runs under a header row, or as JSON', async () => {
  const { stdout } = await cli('list', '--bucket', 'cli-iac', '--workspace', 'shop');
  const [header, first] = stdout.trim().split('\n');
  expect(header).toMatch(/^RUN_ID\s+STATUS\s+TYPE\s+TARGET\s+VERSION\s+STARTED$/);
  expect(first).toMatch(new RegExp(`^${run.runId}\\s+RUNNING\\s+DEPLOY\\s+shop/prod/orders\\s+v7`));
  const json = JSON.parse((await cli('list', '--bucket', 'cli-iac', '--json')).stdout) as {
    runs: RunRecord[];
  };
  expect(json.runs.map((r) => r.runId)).toContain(run.runId);
});

it('says when a run does not exist, with exit code 3', async () => {
  expect(await cli('status', '01J9V6MWFTWQ392331QBCS46KQ@cli-iac')).toEqual({
    code: 3,
    stdout: '',
    stderr: 'Run 01J9V6MWFTWQ392331QBCS46KQ does not exist in cli-iac.\n',
  });
});

it('follows a run with --watch in plain appended lines off a terminal, and exits with its outcome', async () => {
  const watched = await createRun({ ...ORDERS, appId: 'WATCHED', appName: 'watched' });
  const following = cli('status', `${watched.runId}@cli-iac`, '--watch', '--interval', '0.2');
  await new Promise((r) => setTimeout(r, 1500));
  const task = watched.tasks[0]?.runTaskId as string;
  await runs.startTask(watched.runId, task);
  await new Promise((r) => setTimeout(r, 600));
  await runs.finishTask(watched.runId, task, 'FAILED', {
    kind: 'RUNTIME_ERROR',
    message: 'apply failed',
  });
  // A plugin's text in the record (Terraform's error) with terminal sequences in it.
  await runs.finishRun(watched.runId, 'RUNTIME_ERROR', {
    kind: 'RUNTIME_ERROR',
    message: 'apply failed \x1b[2J\x1b]0;owned\x07',
  });
  const { code, stdout } = await following;
  expect(code).toBe(5);
  expect(stdout).not.toContain('\x1b[');
  expect(stdout).toMatch(/task 1 DEPLOY_SELF_HOSTED topic: PENDING -> RUNNING\n/);
  expect(stdout).toMatch(/task 1 DEPLOY_SELF_HOSTED topic: RUNNING -> FAILED: apply failed\n/);
  expect(stdout).toMatch(/run RUNNING -> RUNTIME_ERROR: apply failed /);
  expect(stdout).not.toContain('\x1b');
  expect(stdout).toContain('error (RUNTIME_ERROR): apply failed ?[2J?]0;owned?');
  // The view once at the start and once at the end, not once per poll.
  expect(stdout.match(/^run \S+ {2}DEPLOY/gm)).toHaveLength(2);
});

it('unlocks only with --yes', async () => {
  const args = [
    'unlock',
    '--bucket',
    'cli-iac',
    '--workspace',
    'shop',
    '--environment',
    'prod',
    '--app-id',
    'ORDERS',
  ];
  const refused = await cli(...args);
  expect(refused.code).toBe(4);
  expect(refused.stdout).toContain(`Lock held by run ${run.runId}`);
  expect(refused.stderr).toContain('Not removed: add --yes');
  expect(await flow.moto.listKeys('cli-iac', 'locks/')).toContainEqual(
    expect.stringContaining('ORDERS'),
  );
  const done = await cli(...args, '--yes');
  expect([done.code, done.stdout]).toEqual([0, expect.stringContaining('Lock removed.')]);
  expect(await flow.moto.listKeys('cli-iac', 'locks/')).not.toContainEqual(
    expect.stringContaining('ORDERS'),
  );
});

describe('unlock-state', () => {
  const BILLING = { ...ORDERS, appId: 'BILLING', appName: 'billing' };
  const stateKey = 'shop/prod/app/BILLING/topic/terraform.tfstate';
  beforeAll(() => flow.moto.createBucket('cli-tf'));

  /** A finished run of BILLING recording `tfstate`, and a lock Terraform left on its state. */
  async function leftLock(tfstate: RunRecord['tfstate']): Promise<RunRecord> {
    const opened = await runs.createRun({
      type: 'DEPLOY',
      target: BILLING,
      version: 'v1',
      workflowRunUrl: 'https://github.com/acme/billing/actions/runs/9',
      tfstate,
      manifestDigest: 'd',
      tasks: [{ taskType: 'DEPLOY_SELF_HOSTED', pluginAppliedAlias: 'topic' }],
    });
    await flow.moto.putObject(
      'cli-tf',
      `${stateKey}.tflock`,
      JSON.stringify({ ID: 'L1', Operation: 'OperationTypeApply', Who: 'runner@host' }),
    );
    return runs.finishRun(opened.runId, 'RUNTIME_ERROR');
  }

  const unlock = (closed: RunRecord) =>
    cli(
      'unlock-state',
      `${closed.runId}@cli-iac`,
      '--state',
      `cli-tf/${stateKey}`,
      '--lock-id',
      'L1',
    );

  it('releases the lock of a run recorded before state backends had a kind (S3 then)', async () => {
    const closed = await leftLock({ bucket: 'cli-tf', region: 'us-east-1' });
    expect(await unlock(closed)).toEqual({
      code: 0,
      stdout: `Released lock L1 (OperationTypeApply by runner@host) on s3://cli-tf/${stateKey}.tflock. Run the deployment again.\n`,
      stderr: '',
    });
    expect(await flow.moto.listKeys('cli-tf')).toEqual([]);
  });

  it('leaves the lock alone when the run names a state backend this engine does not know', async () => {
    const closed = await leftLock({ kind: 'gcs', bucket: 'cli-tf', region: 'us-east-1' });
    const refused = await unlock(closed);
    expect([refused.code, refused.stdout]).toEqual([1, '']);
    expect(refused.stderr).toContain(
      "backend of kind 'gcs', which this version of the engine does not know",
    );
    expect(await flow.moto.listKeys('cli-tf')).toEqual([`${stateKey}.tflock`]);
  });
});

it('reports an unreachable S3 as an outside failure (exit 1) in one message', async () => {
  const { code, stderr } = await cliWith(
    { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' },
    'list',
    '--bucket',
    'cli-iac',
  );
  expect(code).toBe(1);
  expect(stderr).toMatch(/^deploy-engine list: Could not list history\/ in the S3 bucket cli-iac/);
  expect(stderr).not.toContain('Commands:');
});

it('never prints a secret shared value, not even with --json', async () => {
  const secret = 'tok-5f1e9c0d2b7a';
  const store = new SharedValueStore(
    new S3ObjectStore(
      createS3Client({ region: 'us-east-1', credentials: { mode: 'ambient' } }),
      'cli-iac',
    ),
  );
  await store.set({ workspace: 'shop' }, 'API_KEY', secret, { secret: true, by: 'ann' });
  await store.set({ workspace: 'shop' }, 'PREFIX', 'acme', { secret: false, by: 'ann' });
  const where = ['--bucket', 'cli-iac', '--workspace', 'shop'];
  const outputs = await Promise.all([
    cli('values', 'list', ...where, '--json'),
    cli('values', 'list', ...where, '--environment', 'prod', '--json'),
    cli('values', 'show', 'API_KEY', ...where, '--json'),
    cli('values', 'list', ...where),
  ]);
  for (const { code, stdout, stderr } of outputs) {
    expect(code).toBe(0);
    expect(stdout + stderr).not.toContain(secret);
  }
  const [listed, resolved, shown] = outputs
    .slice(0, 3)
    .map((o) => JSON.parse(o.stdout) as Record<string, unknown>);
  expect(listed).toEqual({
    values: [
      expect.not.objectContaining({ value: expect.anything() }),
      expect.objectContaining({ key: 'PREFIX', value: 'acme', secret: false }),
    ],
  });
  expect(resolved).toMatchObject({
    values: [
      { key: 'API_KEY', secret: true, scope: 'workspace' },
      { key: 'PREFIX', value: 'acme', scope: 'workspace' },
    ],
  });
  expect((resolved?.values as object[])[0]).not.toHaveProperty('digest');
  expect(shown).toMatchObject({
    value: { key: 'API_KEY', secret: true, history: [{ by: 'ann' }] },
  });
  expect(shown?.value).not.toHaveProperty('value');
});

it('answers the other read commands in JSON, and says what is not there with exit code 3', async () => {
  const where = ['--bucket', 'cli-iac', '--workspace', 'shop'];
  const history = await cli(
    'history',
    ...where,
    '--environment',
    'prod',
    '--app-id',
    'NEW',
    '--json',
  );
  expect([history.code, JSON.parse(history.stdout)]).toEqual([0, { deployed: null, versions: [] }]);
  const types = await cli('types', 'list', ...where, '--json');
  expect([types.code, JSON.parse(types.stdout)]).toEqual([0, { types: [] }]);
  const graph = await cli('workspace', ...where, '--environment', 'prod', '--json');
  expect([graph.code, JSON.parse(graph.stdout)]).toEqual([0, { interfaces: [], consumers: [] }]);
  const app = await cli('apps', 'show', 'NEW', ...where, '--json');
  expect([app.code, app.stdout]).toEqual([3, '']);
  expect(app.stderr).toContain('app NEW is not bound in workspace shop');
  const value = await cli('values', 'show', 'MISSING', ...where);
  expect([value.code, value.stderr]).toEqual([
    3,
    'MISSING is not set in shop (every environment).\n',
  ]);
});
