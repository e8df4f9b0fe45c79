/**
 * `deploy-engine prune` against a real S3 (moto_server): a dry run first, then --yes deletes the
 * old finished run's objects (its record with If-Match) and nothing the history needs.
 */
import { ulid } from 'ulid';
import type { CliIo } from '../../packages/cli/src/command';
import { main } from '../../packages/cli/src/main';
import { e2eFixture } from '../harness/e2e-fixture';

const flow = e2eFixture({ name: 'prune', checkout: false, buckets: ['iac'] });
const saved = { ...process.env };
const DAY = 24 * 60 * 60 * 1000;
const BUCKET = flow.iacBucket;

beforeAll(() => {
  Object.assign(process.env, flow.moto.env);
});

afterAll(() => {
  process.env = saved;
});

async function cli(...argv: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const io: CliIo = {
    out: (line) => lines.push(line),
    err: (line) => lines.push(line),
    terminal: { isTTY: false, columns: 80, write: (text) => lines.push(text) },
    readStdin: async () => '',
    sleep: async () => undefined,
  };
  const code = await main(argv, io);
  return { code, text: lines.join('\n') };
}

/** A finished run of `days` ago with a record, an artifact and a task log. */
async function oldRun(days: number, status: string): Promise<string> {
  const at = new Date(Date.now() - days * DAY).toISOString();
  const runId = ulid(Date.now() - days * DAY);
  await flow.moto.putObject(
    BUCKET,
    `runs/${runId}/record.json`,
    JSON.stringify({ runId, status, createdAt: at, updatedAt: at, finishedAt: at, tasks: [] }),
  );
  await flow.moto.putObject(BUCKET, `runs/${runId}/artifacts/iac/topic.json`, '{}');
  await flow.moto.putObject(BUCKET, `runs/${runId}/logs/T.log`, 'log');
  return runId;
}

it('lists what it would delete, then deletes only old finished runs the history does not need', async () => {
  const old = await oldRun(100, 'SUCCEEDED');
  const deployed = await oldRun(200, 'SUCCEEDED');
  const running = await oldRun(150, 'RUNNING');
  const recent = await oldRun(5, 'USER_ERROR');
  const last = `history/shop/prod/app/A1/last.json`;
  await flow.moto.putObject(
    BUCKET,
    last,
    JSON.stringify({
      runId: deployed,
      iac: { topic: { key: `runs/${deployed}/artifacts/iac/topic.json` } },
    }),
  );
  const before = await flow.moto.listKeys(BUCKET);

  const dry = await cli('prune', '--older-than', '30d', '--bucket', BUCKET);
  expect(dry.code).toBe(0);
  expect(dry.text).toContain(`  delete ${old}  SUCCEEDED`);
  expect(dry.text).toContain(`  keep   ${deployed}  the deployment history points to it (${last})`);
  expect(dry.text).toContain(`  keep   ${running}  RUNNING`);
  expect(dry.text).not.toContain(recent);
  expect(dry.text).toContain(
    `Dry run: nothing was deleted. To delete them: deploy-engine prune --older-than 30d --bucket ${BUCKET} --yes`,
  );
  expect(await flow.moto.listKeys(BUCKET)).toEqual(before);

  const done = await cli('prune', '--older-than', '30d', '--bucket', BUCKET, '--yes');
  expect([done.code, done.text]).toEqual([0, expect.stringContaining('Deleted 1 run(s).')]);
  expect(await flow.moto.listKeys(BUCKET)).toEqual(
    before.filter((k) => !k.startsWith(`runs/${old}/`)),
  );
});
