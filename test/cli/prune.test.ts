/**
 * `deploy-engine prune` against a real S3 (moto_server): a dry run first, then --yes deletes the
 * old finished run's objects (its record with If-Match) and nothing the history needs.
 */
import { ulid } from 'ulid';
import type { CliIo } from '../../packages/cli/src/command';
import { main } from '../../packages/cli/src/main';
import { startMoto, type MotoServer } from '../harness/moto';

let moto: MotoServer;
const saved = { ...process.env };
const DAY = 24 * 60 * 60 * 1000;
const BUCKET = 'prune-iac';

beforeAll(async () => {
  moto = await startMoto();
  await moto.createBucket(BUCKET);
  Object.assign(process.env, moto.env);
});

afterAll(async () => {
  process.env = saved;
  await moto?.stop();
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
  await moto.putObject(
    BUCKET,
    `runs/${runId}/record.json`,
    JSON.stringify({ runId, status, createdAt: at, updatedAt: at, finishedAt: at, tasks: [] }),
  );
  await moto.putObject(BUCKET, `runs/${runId}/artifacts/iac/topic.json`, '{}');
  await moto.putObject(BUCKET, `runs/${runId}/logs/T.log`, 'log');
  return runId;
}

it('lists what it would delete, then deletes only old finished runs the history does not need', async () => {
  const old = await oldRun(100, 'SUCCEEDED');
  const deployed = await oldRun(200, 'SUCCEEDED');
  const running = await oldRun(150, 'RUNNING');
  const recent = await oldRun(5, 'USER_ERROR');
  const last = `history/shop/prod/app/A1/last.json`;
  await moto.putObject(
    BUCKET,
    last,
    JSON.stringify({
      runId: deployed,
      iac: { topic: { key: `runs/${deployed}/artifacts/iac/topic.json` } },
    }),
  );
  const before = await moto.listKeys(BUCKET);

  const dry = await cli('prune', '--older-than', '30d', '--bucket', BUCKET);
  expect(dry.code).toBe(0);
  expect(dry.text).toContain(`  delete ${old}  SUCCEEDED`);
  expect(dry.text).toContain(`  keep   ${deployed}  the deployment history points to it (${last})`);
  expect(dry.text).toContain(`  keep   ${running}  RUNNING`);
  expect(dry.text).not.toContain(recent);
  expect(dry.text).toContain(
    `Dry run: nothing was deleted. To delete them: deploy-engine prune --older-than 30d --bucket ${BUCKET} --yes`,
  );
  expect(await moto.listKeys(BUCKET)).toEqual(before);

  const done = await cli('prune', '--older-than', '30d', '--bucket', BUCKET, '--yes');
  expect([done.code, done.text]).toEqual([0, expect.stringContaining('Deleted 1 run(s).')]);
  expect(await moto.listKeys(BUCKET)).toEqual(before.filter((k) => !k.startsWith(`runs/${old}/`)));
});
