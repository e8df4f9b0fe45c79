/**
 * The run store against a real S3 server (moto_server on 127.0.0.1): conditional writes under
 * contention, clear errors for a missing bucket, bounded time when S3 hangs.
 */
import {
  ConfigurationError,
  createS3Client,
  DeploymentHistory,
  ExternalError,
  MemoryLogger,
  PreconditionFailedError,
  RunBlockedError,
  RunStore,
  S3ObjectStore,
  StoredObjectError,
  WorkspaceContextStore,
  type DeploymentTarget,
} from '@deploy-engine/core';
import { startMoto, type MotoServer } from '../harness/moto';

let moto: MotoServer;

beforeAll(async () => {
  moto = await startMoto();
  await moto.createBucket('runs-iac');
});

afterAll(async () => {
  await moto?.stop();
});

function objectStore(bucket = 'runs-iac', requestTimeoutMs = 5000) {
  const client = createS3Client({
    region: 'us-east-1',
    credentials: { mode: 'keys', accessKeyId: 'test', secretAccessKey: 'test' },
    requestTimeoutMs,
    connectionTimeoutMs: 1000,
    env: { AWS_ENDPOINT_URL_S3: moto.endpoint },
  });
  return new S3ObjectStore(client, bucket, { retries: 1, baseDelayMs: 10 });
}

const target = (appId: string): DeploymentTarget => ({
  workspace: 'shop',
  environment: 'prod',
  appKind: 'app',
  appId,
  appName: appId,
});

function createInput(appId: string) {
  return {
    type: 'DEPLOY' as const,
    target: target(appId),
    version: 'v1',
    workflowRunUrl: 'https://github.com/acme/orders/actions/runs/7',
    tfstate: { bucket: 'tf', region: 'us-east-1' },
    manifestDigest: 'd',
    tasks: [{ taskType: 'IAC_SELF_HOSTED' as const, pluginAppliedAlias: 'a' }],
  };
}

describe('S3ObjectStore on moto_server', () => {
  it('lets exactly one of 20 concurrent creators of one key win, every time', async () => {
    const store = objectStore();
    for (let round = 0; round < 5; round++) {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          store.putJson(`contention/${round}.json`, { i }, { ifNoneMatch: '*' }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(PreconditionFailedError);
      }
    }
  });

  it('lets only one of two updates based on the same ETag through', async () => {
    const store = objectStore();
    const etag = await store.putJson('record.json', { n: 0 });
    const results = await Promise.allSettled([
      store.putJson('record.json', { n: 1 }, { ifMatch: etag }),
      store.putJson('record.json', { n: 2 }, { ifMatch: etag }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(((await store.getJson<{ n: number }>('record.json'))?.value.n ?? 0) > 0).toBe(true);
  });

  it('keeps raw bytes exactly (plan files are binary) and says when they are absent', async () => {
    const store = objectStore();
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    await store.putBytes('files/plan.tfplan', bytes, 'application/zip');
    expect(Buffer.from((await store.getBytes('files/plan.tfplan')) ?? [])).toEqual(
      Buffer.from(bytes),
    );
    expect(await store.getBytes('files/missing.tfplan')).toBeUndefined();
  });

  it('names an object that is not JSON, once, as a StoredObjectError (not retried)', async () => {
    const store = objectStore();
    await store.putBytes('broken/record.json', Buffer.from('{"cut off'), 'application/json');
    const error = await store.getJson('broken/record.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoredObjectError);
    expect((error as StoredObjectError).key).toBe('broken/record.json');
    expect((error as Error).message).toMatch(
      /^s3:\/\/runs-iac\/broken\/record\.json is not valid JSON: .* Restore an earlier version/,
    );
  });

  it('names a missing bucket and what to do', async () => {
    const error = await objectStore('no-such-bucket')
      .putJson('x.json', {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(
      /The S3 bucket no-such-bucket does not exist \(while trying to write x\.json\)\. Create it/,
    );
  });

  it('fails within its timeouts, naming the bucket, when S3 hangs', async () => {
    const store = objectStore('runs-iac', 800);
    moto.process.kill('SIGSTOP');
    const started = Date.now();
    try {
      const error = await store.getJson('anything.json').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ExternalError);
      expect((error as Error).message).toMatch(
        /Could not read anything\.json in the S3 bucket runs-iac after 2 attempts/,
      );
      expect((error as ExternalError).retryable).toBe(true);
    } finally {
      moto.process.kill('SIGCONT');
    }
    expect(Date.now() - started).toBeLessThan(6000);
  });
});

describe('RunStore on moto_server', () => {
  it('gives the lock of a target to exactly one of 20 racing runs', async () => {
    for (let round = 0; round < 3; round++) {
      const runs = new RunStore(objectStore(), new MemoryLogger());
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () => runs.createRun(createInput(`race-${round}`))),
      );
      const winners = results.filter((r) => r.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(RunBlockedError);
      }
      // Losers removed their records: only the winner's run exists for this target.
      const listed = (await runs.listRuns({ limit: 100 })).filter(
        (r) => r.target.appId === `race-${round}`,
      );
      expect(listed).toHaveLength(1);
    }
  });

  it('keeps the workspace context and the deployment history', async () => {
    const store = objectStore();
    const context = new WorkspaceContextStore(store);
    const producer = {
      appKind: 'app' as const,
      appId: 'A',
      appName: 'a',
      alias: 'topic',
      runId: 'R',
    };
    await context.publish(target('A'), [
      {
        name: 'orders-sns',
        type: 'aws-sns-conn',
        attributes: { arn: 'arn:1' },
        producer,
        updatedAt: 't',
      },
      {
        name: 'orders sqs/é',
        type: 'aws-sqs-conn',
        attributes: { url: 'u' },
        producer,
        updatedAt: 't',
      },
    ]);
    expect((await context.list('shop', 'prod')).map((i) => i.name)).toEqual([
      'orders sqs/é',
      'orders-sns',
    ]);
    expect(await context.list('shop', 'dev')).toEqual([]);
    expect(await context.removeOwned(target('A'), ['orders-sns'])).toEqual([]);
    expect((await context.list('shop', 'prod')).map((i) => i.name)).toEqual(['orders sqs/é']);

    const history = new DeploymentHistory(store);
    const record = {
      runId: 'R1',
      version: 'v1.0.0',
      finishedAt: 't',
      manifestDigest: 'm',
      manifest: { a: 1 },
      iac: { topic: { key: 'k', digest: 'd' } },
    };
    await history.record(target('hist'), record, { keepVersion: true });
    await history.record(
      target('hist'),
      { ...record, runId: 'R2', version: 'v1.1.0' },
      { keepVersion: true },
    );
    expect((await history.getLast(target('hist')))?.runId).toBe('R2');
    expect((await history.getByVersion(target('hist'), 'v1.0.0'))?.runId).toBe('R1');
    expect(await history.listVersions(target('hist'))).toEqual(['v1.0.0', 'v1.1.0']);
  });
});
