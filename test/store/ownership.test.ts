/**
 * Who owns what in a workspace, against a real S3 server (moto_server on 127.0.0.1) and the real
 * S3 store: Connection Interfaces published by two applications at once have exactly one owner,
 * the name is free again once the owner removed it, and an application id is bound to exactly one
 * of two repositories racing for it.
 */
import {
  AppBindingStore,
  checkRepositoryBinding,
  ConfigurationError,
  DeploymentHistory,
  MemoryLogger,
  RunStore,
  createS3Client,
  S3ObjectStore,
  WorkspaceContextStore,
  type ConnectionInterfaceInstance,
  type DeploymentTarget,
  type WriteCondition,
} from '@deploy-engine/core';
import { startMoto, type MotoServer } from '../harness/moto';

let moto: MotoServer;

beforeAll(async () => {
  moto = await startMoto();
  await moto.createBucket('own-iac');
});

afterAll(async () => {
  await moto?.stop();
});

function objectStore() {
  const client = createS3Client({
    region: 'us-east-1',
    credentials: { mode: 'keys', accessKeyId: 'test', secretAccessKey: 'test' },
    requestTimeoutMs: 5000,
    connectionTimeoutMs: 1000,
    env: { AWS_ENDPOINT_URL_S3: moto.endpoint },
  });
  return new S3ObjectStore(client, 'own-iac', { retries: 1, baseDelayMs: 10 });
}

/**
 * Stores on the real S3 server whose `writers` first all read, then write one at a time: the
 * interleaving of a race in which every writer saw the same state, without relying on timing
 * (moto checks a condition and writes without a lock, so truly simultaneous writes can both pass
 * it there under load, which S3 itself never lets happen).
 */
function interleaved(writers: number) {
  let read = 0;
  let allRead!: () => void;
  const reads = new Promise<void>((done) => (allRead = done));
  let turn = Promise.resolve();
  return {
    store: () => {
      const real = objectStore();
      let first = true;
      return Object.assign(Object.create(real) as S3ObjectStore, {
        getJson: async <T>(key: string) => {
          const found = await real.getJson<T>(key);
          if (first && writers > 0) {
            first = false;
            if (++read === writers) allRead();
            await reads;
          }
          return found;
        },
        putJson: async (key: string, value: unknown, condition?: WriteCondition) => {
          const mine = turn.then(() => real.putJson(key, value, condition));
          turn = mine.then(
            () => undefined,
            () => undefined,
          );
          return mine;
        },
      });
    },
  };
}

const app = (appId: string, environment = 'dev'): DeploymentTarget => ({
  workspace: 'shop',
  environment,
  appKind: 'app',
  appId,
  appName: `name-${appId}`,
});

function instance(name: string, by: DeploymentTarget, value: string): ConnectionInterfaceInstance {
  return {
    name,
    type: 'aws-sns-conn',
    attributes: { arn: value },
    producer: { ...by, alias: 'topic', runId: `run-${by.appId}` },
    updatedAt: '2026-12-01T00:00:00.000Z',
  };
}

describe('Connection Interface ownership', () => {
  it('gives a name two applications publish at once to exactly one of them, every time', async () => {
    for (let round = 0; round < 5; round++) {
      const name = `race-${round}`;
      const [a, b] = [app('A'), app('B')];
      // The worst interleaving, made certain: both read the name free before either writes.
      const race = interleaved(2);
      const results = await Promise.allSettled([
        new WorkspaceContextStore(race.store()).publish(a, [instance(name, a, 'arn:a')], {
          repository: 'acme/A',
        }),
        new WorkspaceContextStore(race.store()).publish(b, [instance(name, b, 'arn:b')], {
          repository: 'acme/B',
        }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(ConfigurationError);
      const stored = await new WorkspaceContextStore(objectStore()).get('shop', 'dev', name);
      const winner = stored?.owner?.appId as string;
      const loser = winner === 'A' ? 'B' : 'A';
      // The stored values are the winner's, and the loser's error names both applications.
      expect(stored?.attributes.arn).toBe(`arn:${winner.toLowerCase()}`);
      expect((lost.reason as Error).message).toContain(
        `belongs to app:name-${winner} (${winner}, repository acme/${winner})`,
      );
      expect((lost.reason as Error).message).toContain(`app:name-${loser} (${loser})`);
    }
  });

  it('keeps refusing the other application until the owner removes it, then lets it take the name', async () => {
    const context = new WorkspaceContextStore(objectStore());
    const [owner, other] = [app('OWNER'), app('OTHER')];
    await context.publish(owner, [instance('orders-topic', owner, 'arn:owner')], {
      repository: 'acme/orders',
    });
    // The owner publishes again: allowed, and it stays the owner since the first publish.
    const again = await context.publish(owner, [instance('orders-topic', owner, 'arn:owner2')]);
    expect(again[0]?.owner).toMatchObject({ appId: 'OWNER', repository: 'acme/orders' });
    await expect(
      context.publish(other, [instance('orders-topic', other, 'arn:evil')]),
    ).rejects.toThrow(/belongs to app:name-OWNER \(OWNER, repository acme\/orders\)/);
    // The other application's destroy never deletes what it does not own.
    expect(await context.removeOwned(other, ['orders-topic'])).toEqual(['orders-topic']);
    expect((await context.get('shop', 'dev', 'orders-topic'))?.attributes.arn).toBe('arn:owner2');

    expect(await context.removeOwned(owner, ['orders-topic'])).toEqual([]);
    expect(await context.get('shop', 'dev', 'orders-topic')).toBeUndefined();
    const taken = await context.publish(other, [instance('orders-topic', other, 'arn:new')]);
    expect(taken[0]?.owner?.appId).toBe('OTHER');
  });

  it('gives an instance written before owners existed to its recorded producer', async () => {
    const store = objectStore();
    const [producer, other] = [app('LEGACY'), app('INTRUDER')];
    // As the engine wrote it before this change: no owner field.
    await store.putJson(
      'workspaces/shop/dev/connection-interfaces/legacy-queue.json',
      instance('legacy-queue', producer, 'arn:legacy'),
    );
    const context = new WorkspaceContextStore(store);
    await expect(
      context.publish(other, [instance('legacy-queue', other, 'arn:evil')]),
    ).rejects.toThrow(/belongs to app:name-LEGACY \(LEGACY\)/);
    const [mine] = await context.publish(producer, [instance('legacy-queue', producer, 'arn:2')]);
    expect(mine?.owner).toMatchObject({ appId: 'LEGACY', since: '2026-12-01T00:00:00.000Z' });
  });
});

describe('application id bindings', () => {
  it('binds a new id to exactly one of two repositories racing for it', async () => {
    for (let round = 0; round < 5; round++) {
      const target = app(`BIND-${round}`);
      // bind() writes without reading first: its writes alone are taken in turn.
      const race = interleaved(0);
      const standing = await Promise.all(
        ['acme/orders', 'evil/fork'].map((repository) =>
          new AppBindingStore(race.store()).bind(
            target,
            { repository, source: 'github' },
            { by: repository, how: 'first-run' },
          ),
        ),
      );
      // Both see the same winner: the loser learns it lost, nobody overwrote anybody.
      expect(standing[0]?.repository).toBe(standing[1]?.repository);
      const stored = await new AppBindingStore(objectStore()).get('shop', 'app', target.appId);
      expect(stored?.value.repository).toBe(standing[0]?.repository);
      expect(stored?.value.history).toHaveLength(1);
    }
  });

  it('moves an id only by a takeover, recorded with who, when and from where', async () => {
    const bindings = new AppBindingStore(objectStore());
    const target = app('MOVED');
    await bindings.bind(
      target,
      { repository: 'acme/old', source: 'github' },
      { by: 'r', how: 'first-run' },
    );
    const { before, after } = await bindings.takeover(
      { workspace: 'shop', appKind: 'app', appId: 'MOVED' },
      { repository: 'acme/new' },
      { by: 'alice', now: new Date('2026-12-03T10:00:00Z') },
    );
    expect(before?.repository).toBe('acme/old');
    expect(after.history.at(-1)).toEqual({
      at: '2026-12-03T10:00:00.000Z',
      by: 'alice',
      repository: 'acme/new',
      how: 'takeover',
      from: 'acme/old',
    });
    await expect(
      bindings.takeover(
        { workspace: 'shop', appKind: 'app', appId: 'MOVED' },
        { repository: 'not a repo' },
        { by: 'alice' },
      ),
    ).rejects.toThrow(/is not a repository name/);
  });
});

describe('an id deployed before bindings existed', () => {
  it('is adopted by the repository of its last run, whichever environment; another is refused', async () => {
    const store = objectStore();
    const runs = new RunStore(store, new MemoryLogger());
    const history = new DeploymentHistory(store);
    const prod = app('LEGACY-ID', 'prod');
    // As a deployment before this change left it: a finished run and a history record, no binding.
    const run = await runs.createRun({
      type: 'DEPLOY',
      target: prod,
      version: 'v1',
      workflowRunUrl: 'https://github.com/acme/legacy/actions/runs/7',
      tfstate: { bucket: 'tf', region: 'us-east-1' },
      manifestDigest: 'd',
      tasks: [],
    });
    await runs.finishRun(run.runId, 'SUCCEEDED');
    await history.record(
      prod,
      {
        runId: run.runId,
        version: 'v1',
        finishedAt: '2026-11-01T00:00:00.000Z',
        manifestDigest: 'd',
        manifest: {},
        iac: {},
      },
      { keepVersion: true },
    );
    const deps = {
      bindings: new AppBindingStore(store),
      history,
      runs,
      logger: new MemoryLogger(),
    };
    // Another repository, in an environment the id was never deployed to: still refused.
    await expect(
      checkRepositoryBinding(
        deps,
        app('LEGACY-ID', 'sandbox'),
        { repository: 'evil/fork', source: 'github' },
        { by: 'x' },
      ),
    ).rejects.toThrow(
      /was last deployed to shop\/prod from repository acme\/legacy .*this run comes from repository evil\/fork/,
    );
    expect(await deps.bindings.get('shop', 'app', 'LEGACY-ID')).toBeUndefined();
    const bind = await checkRepositoryBinding(
      deps,
      app('LEGACY-ID', 'sandbox'),
      { repository: 'acme/legacy', source: 'github' },
      { by: 'https://github.com/acme/legacy/actions/runs/8' },
    );
    await bind();
    expect((await deps.bindings.get('shop', 'app', 'LEGACY-ID'))?.value).toMatchObject({
      repository: 'acme/legacy',
      history: [{ how: 'adopted', by: 'https://github.com/acme/legacy/actions/runs/8' }],
    });
  });
});
