import { MemoryObjectStore, ReadOnlyObjectStore, ReadOnlyStoreError } from '../store';
import type { DeploymentTarget } from '../target';
import { PredictedContextStore, plannedOutputs, predictConnections } from './preview-predictions';

const target: DeploymentTarget = {
  workspace: 'shop',
  environment: 'dev',
  appKind: 'app',
  appId: 'A',
  appName: 'orders',
};

const producer = {
  alias: 'n',
  pluginFile: 'plugins/n/plugin.yaml',
  generates: [
    {
      name: 'queue',
      type: 'aws-sqs-conn',
      alias: 'out',
      outputs: [
        { from: 'url', to: 'queue_url' },
        { from: 'key', to: 'key' },
      ],
    },
    { name: 'later', type: 'x', alias: 'l', outputs: [{ from: 'arn', to: 'arn' }] },
    { name: 'typo', type: 'x', alias: 't', outputs: [{ from: 'nope', to: 'v' }] },
  ],
} as unknown as Parameters<typeof predictConnections>[0];

const show = JSON.stringify({
  planned_values: {
    outputs: {
      url: { sensitive: false, value: 'https://q' },
      key: { sensitive: true, value: 's3cr3t' },
      arn: { sensitive: false },
    },
  },
  output_changes: { arn: { after_unknown: true } },
});

it('reads the outputs a plan knows, and those known only after apply', () => {
  expect(plannedOutputs(show)).toEqual({
    url: { known: true, value: 'https://q', sensitive: false },
    key: { known: true, value: 's3cr3t', sensitive: true },
    arn: { known: false },
  });
  expect(plannedOutputs('{}')).toEqual({});
});

it('predicts the interfaces whose outputs are all known, secret ones marked, and says why not the others', () => {
  const predicted = predictConnections(producer, plannedOutputs(show), target, {}, 'P1');
  expect(predicted.instances).toEqual([
    expect.objectContaining({
      name: 'queue',
      attributes: { queue_url: 'https://q', key: 's3cr3t' },
      secretAttributes: ['key'],
      producer: expect.objectContaining({ alias: 'n', runId: 'P1' }),
    }),
  ]);
  expect(predicted.unknown).toEqual({
    later: "n's output(s) arn of later are known only after apply",
    typo: "n's plan has no output(s) nope for typo",
  });
});

it('overlays predictions on the deployed interfaces, read-only', async () => {
  const bucket = new MemoryObjectStore();
  for (const name of ['queue', 'later', 'other'])
    await bucket.putJson(`workspaces/shop/dev/connection-interfaces/${name}.json`, {
      name,
      type: 'x',
      attributes: { v: 'deployed' },
      producer: {},
    });
  const store = new PredictedContextStore(new ReadOnlyObjectStore(bucket, 'a test'));
  store.add(predictConnections(producer, plannedOutputs(show), target, {}, 'P1'));
  const found = await store.getMany('shop', 'dev', ['queue', 'later', 'other', 'missing']);
  expect(found.get('queue')?.attributes).toEqual({ queue_url: 'https://q', key: 's3cr3t' });
  // A changed producer whose value is unknown hides the deployed (stale) one.
  expect(found.has('later')).toBe(false);
  expect(found.get('other')?.attributes).toEqual({ v: 'deployed' });
  expect(found.has('missing')).toBe(false);
  expect(store.isPredicted('queue') && !store.isPredicted('other')).toBe(true);
  const fresh = {
    name: 'fresh',
    type: 'x',
    attributes: {},
    producer: { ...target, alias: 'n', runId: 'P1' },
    updatedAt: 'T',
  };
  await expect(store.publish(target, [fresh], {})).rejects.toThrow(ReadOnlyStoreError);
  expect(await bucket.list('workspaces/shop/dev/connection-interfaces/fresh')).toEqual([]);
});
