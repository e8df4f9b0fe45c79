/**
 * The CLI as a release tag ships it: only the files git tracks (what a checkout of the tag has),
 * no node_modules, no `npm ci`. Runs `node dist/cli/index.js` there, and installs it the two
 * ways the README gives (`npm install -g` of the folder, and of the package npm makes from it,
 * which is what `npm install -g github:<owner>/<repo>#<tag>` installs) with npm offline, an empty
 * cache and a registry on a closed loopback port: nothing may need fetching.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  createS3Client,
  MemoryLogger,
  RunStore,
  S3ObjectStore,
  type RunRecord,
} from '@deploy-engine/core';
import { e2eFixture } from '../harness/e2e-fixture';

const ROOT = join(__dirname, '..', '..');
const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

const flow = e2eFixture({ name: 'release', checkout: false, buckets: ['iac'] });
let run: RunRecord;
let scratch: string;
let checkout: string;
const saved = { ...process.env };

beforeAll(async () => {
  Object.assign(process.env, flow.moto.env);
  const runs = new RunStore(
    new S3ObjectStore(
      createS3Client({ region: 'us-east-1', credentials: { mode: 'ambient' } }),
      'release-iac',
    ),
    new MemoryLogger(),
  );
  run = await runs.createRun({
    type: 'DEPLOY',
    target: {
      workspace: 'shop',
      environment: 'prod',
      appKind: 'app',
      appId: 'ORDERS',
      appName: 'orders',
    },
    version: 'v1',
    workflowRunUrl: 'https://github.com/acme/orders/actions/runs/9',
    tfstate: { bucket: 'tf', region: 'us-east-1' },
    manifestDigest: 'd',
    tasks: [{ taskType: 'DEPLOY_SELF_HOSTED', pluginAppliedAlias: 'topic' }],
  });
  scratch = mkdtempSync(join(tmpdir(), 'deploy-engine-release-'));
  checkout = join(scratch, 'deploy-engine-actions');
  // The tracked files as they are in the working tree (in CI: the commit under test).
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file && existsSync(join(ROOT, file)));
  for (const file of tracked) {
    mkdirSync(dirname(join(checkout, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(checkout, file));
    chmodSync(join(checkout, file), statSync(join(ROOT, file)).mode);
  }
});

afterAll(async () => {
  process.env = saved;
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** The environment of a person's shell: moto's endpoint and credentials, no npm or jest state. */
function shellEnv(): Record<string, string> {
  const env = Object.fromEntries(
    Object.entries(saved).filter(([k]) => !/^(npm_|AWS_|NODE_PATH$|NODE_OPTIONS$|JEST_)/i.test(k)),
  ) as Record<string, string>;
  return { ...env, ...flow.moto.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
}

function exec(
  command: string,
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(command, args, { cwd, env: shellEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

/** npm with nothing to fetch from: offline, an empty cache, a registry on a closed port. */
function npm(args: string[], cwd: string) {
  const cache = join(scratch, 'npm-cache');
  const userconfig = join(scratch, 'npmrc');
  writeFileSync(userconfig, '');
  return exec(
    'npm',
    [
      ...args,
      '--offline',
      '--cache',
      cache,
      '--userconfig',
      userconfig,
      '--registry',
      'http://127.0.0.1:9/',
      '--no-audit',
      '--no-fund',
      '--no-update-notifier',
    ],
    cwd,
  );
}

/** The two commands every way of running it must answer. */
async function expectWorks(command: string, prefixArgs: string[]): Promise<void> {
  const version = await exec(command, [...prefixArgs, '--version'], scratch);
  expect(version).toEqual({ code: 0, stdout: `deploy-engine ${VERSION}\n`, stderr: '' });
  const status = await exec(
    command,
    [...prefixArgs, 'status', run.runId, '--bucket', 'release-iac'],
    scratch,
  );
  expect([status.code, status.stderr]).toEqual([0, '']);
  expect(status.stdout).toContain(`run ${run.runId}  DEPLOY  RUNNING`);
}

it('runs from a checkout of the tracked files with node alone', async () => {
  expect(existsSync(join(checkout, 'node_modules'))).toBe(false);
  expect(readFileSync(join(checkout, 'dist', 'cli', 'index.js'), 'utf8')).toMatch(
    /^#!\/usr\/bin\/env node\n/,
  );
  await expectWorks(process.execPath, [join(checkout, 'dist', 'cli', 'index.js')]);
});

it('installs with npm install -g from the checkout, fetching nothing', async () => {
  const prefix = join(scratch, 'global-folder');
  const installed = await npm(['install', '-g', '--prefix', prefix, checkout], scratch);
  expect([installed.code, installed.stderr]).toEqual([0, expect.any(String)]);
  await expectWorks(join(prefix, 'bin', 'deploy-engine'), []);
});

it('installs with npm install -g from the package npm makes of it (a git install), fetching nothing', async () => {
  const packed = await npm(['pack', checkout, '--pack-destination', scratch], scratch);
  expect(packed.code).toBe(0);
  const tarball = join(scratch, packed.stdout.trim().split('\n').pop() as string);
  const prefix = join(scratch, 'global-package');
  const installed = await npm(['install', '-g', '--prefix', prefix, tarball], scratch);
  expect([installed.code, installed.stderr]).toEqual([0, expect.any(String)]);
  expect(installed.stdout).toMatch(/added 1 package/);
  await expectWorks(join(prefix, 'bin', 'deploy-engine'), []);
});
