import type { Manifest, ManifestPlugin } from '../manifest';
import type { RunType } from '../audit';
import type { RunRecord } from '../runs';
import { MemoryObjectStore } from '../store';
import { ConsumerIndex, DeploymentHistory } from '../workspace';
import { recordRunOutcome } from './record-outcome';

const target = {
  workspace: 'shop',
  environment: 'prod',
  appKind: 'app' as const,
  appId: 'APP',
  appName: 'orders',
};

const queue = {
  alias: 'queue',
  type: 'infra',
  requires: [{ keys: ['topic_arn'], name: 'orders-topic', type: 'aws-sns-conn' }],
  generates: [],
  digest: 'q',
} as unknown as ManifestPlugin;

const manifest = {
  schemaVersion: 1,
  target,
  version: 'v2',
  plugins: [queue],
  deployOrder: ['queue'],
  destroy: [],
  digest: 'm',
} as Manifest;

function run(type: RunType, runId: string, version = 'v2'): RunRecord {
  return { runId, type, version, tasks: [], target } as unknown as RunRecord;
}

async function recorded(type: RunType, runId: string) {
  const store = new MemoryObjectStore('iac');
  const deps = { history: new DeploymentHistory(store), consumers: new ConsumerIndex(store) };
  // The state a DEPLOY of v1 left: its version record, `last`, and the queue's requirement.
  await recordRunOutcome(
    deps,
    run('DEPLOY', 'R1', 'v1'),
    { ...manifest, version: 'v1' },
    'classic',
    (alias) => new Map([['queue', { key: 'iac/R1/queue', digest: 'q1' }]]).get(alias),
    '1.11.0',
  );
  await recordRunOutcome(
    deps,
    run(type, runId),
    manifest,
    'classic',
    (alias) =>
      type === 'DESTROY' || alias !== 'queue'
        ? undefined
        : { key: `iac/${runId}/queue`, digest: 'q2' },
    '1.11.0',
  );
  return {
    last: await deps.history.getLast(target),
    versions: await deps.history.listVersions(target),
    consumers: await deps.consumers.list('shop', 'prod'),
  };
}

it('DEPLOY keeps a version record ROLLBACK_TO can go back to, and the consumers it requires', async () => {
  const { last, versions, consumers } = await recorded('DEPLOY', 'R2');
  expect(last).toMatchObject({ runId: 'R2', runType: 'DEPLOY', version: 'v2', mode: 'classic' });
  expect(last?.iac).toEqual({ queue: { key: 'iac/R2/queue', digest: 'q2' } });
  expect(last?.destroyed).toBeUndefined();
  expect(versions).toEqual(['v1', 'v2']);
  expect(consumers.map((c) => [c.runId, c.requires.map((r) => r.name)])).toEqual([
    ['R2', ['orders-topic']],
  ]);
});

it('ROLLBACK writes only `last` (the version records keep what each tag deployed)', async () => {
  const { last, versions, consumers } = await recorded('ROLLBACK', 'R3');
  expect(last).toMatchObject({ runId: 'R3', runType: 'ROLLBACK' });
  expect(versions).toEqual(['v1']);
  expect(consumers.map((c) => c.runId)).toEqual(['R3']);
});

it('DESTROY marks the target destroyed and removes it from the consumer index', async () => {
  const { last, versions, consumers } = await recorded('DESTROY', 'R4');
  expect(last).toMatchObject({ runId: 'R4', runType: 'DESTROY', destroyed: { runId: 'R4' } });
  // The IaC of what is not redeployed stays where the last deployment left it.
  expect(last?.iac).toEqual({ queue: { key: 'iac/R1/queue', digest: 'q1' } });
  expect(versions).toEqual(['v1']);
  expect(consumers).toEqual([]);
});
