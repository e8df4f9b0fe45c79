/** The status CLI against a real S3 (moto_server), with credentials from the environment as people use it. */
import { main } from '../../packages/cli/src/main';
import {
  createS3Client,
  MemoryLogger,
  RunStore,
  S3ObjectStore,
  type RunRecord,
} from '@deploy-engine/core';
import { startMoto, type MotoServer } from '../harness/moto';

let moto: MotoServer;
let run: RunRecord;
const saved = { ...process.env };

beforeAll(async () => {
  moto = await startMoto();
  await moto.createBucket('cli-iac');
  Object.assign(process.env, moto.env);
  const runs = new RunStore(
    new S3ObjectStore(
      createS3Client({ region: 'us-east-1', credentials: { mode: 'ambient' } }),
      'cli-iac',
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
    version: 'v7',
    workflowRunUrl: 'https://github.com/acme/orders/actions/runs/3',
    tfstate: { bucket: 'tf', region: 'us-east-1' },
    manifestDigest: 'd',
    tasks: [{ taskType: 'DEPLOY_SELF_HOSTED', pluginAppliedAlias: 'topic' }],
  });
});

afterAll(async () => {
  process.env = saved;
  await moto?.stop();
});

async function cli(...argv: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await main(argv, (line) => lines.push(line));
  return { code, text: lines.join('\n') };
}

it('shows a run and its tasks', async () => {
  const { code, text } = await cli('status', `${run.runId}@cli-iac`);
  expect(code).toBe(0);
  expect(text).toContain(`run ${run.runId}  DEPLOY  RUNNING`);
  expect(text).toContain('app orders (ORDERS) -> shop/prod, version v7');
  expect(text).toMatch(/1\. PENDING\s+DEPLOY_SELF_HOSTED\s+topic/);
});

it('lists recent runs', async () => {
  const { text } = await cli('list', '--bucket', 'cli-iac', '--workspace', 'shop');
  expect(text).toContain(`${run.runId}  RUNNING`);
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
  expect(refused.code).toBe(1);
  expect(refused.text).toContain(`Lock held by run ${run.runId}`);
  expect(await moto.listKeys('cli-iac', 'locks/')).toHaveLength(1);
  const done = await cli(...args, '--yes');
  expect([done.code, done.text]).toEqual([0, expect.stringContaining('Lock removed.')]);
  expect(await moto.listKeys('cli-iac', 'locks/')).toEqual([]);
});

it('says when a run does not exist', async () => {
  const { code, text } = await cli('status', '01J9V6MWFTWQ392331QBCS46KQ@cli-iac');
  expect([code, text]).toEqual([1, 'Run 01J9V6MWFTWQ392331QBCS46KQ does not exist in cli-iac.']);
});
