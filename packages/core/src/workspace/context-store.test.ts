import { MemoryObjectStore, type ObjectStore } from '../store';
import type { ConnectionInterfaceInstance } from './connection-interface';
import { WorkspaceContextStore } from './context-store';

const target = {
  workspace: 'shop',
  environment: 'dev',
  appKind: 'app' as const,
  appId: 'APP',
  appName: 'orders',
};

const instance = (name: string): ConnectionInterfaceInstance => ({
  name,
  type: 'aws-sns-conn',
  attributes: { arn: `arn:${name}` },
  producer: { appKind: 'app', appId: 'APP', appName: 'orders', alias: 'topic', runId: 'r' },
  updatedAt: '2026-12-01T00:00:00Z',
});

it('reads the required instances by name, all at once, one read each, no listing', async () => {
  const memory = new MemoryObjectStore('iac');
  let inFlight = 0;
  let most = 0;
  const reads: string[] = [];
  const store: ObjectStore = Object.assign(Object.create(memory) as ObjectStore, {
    getJson: async <T>(key: string) => {
      reads.push(key);
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return memory.getJson<T>(key);
    },
    list: () => Promise.reject(new Error('no listing expected')),
  });
  const context = new WorkspaceContextStore(store);
  await context.publish(target, [instance('a'), instance('b'), instance('c')]);
  reads.length = 0;
  most = 0;
  const found = await context.getMany('shop', 'dev', ['c', 'a', 'missing', 'a']);
  expect([...found.keys()]).toEqual(['c', 'a']);
  expect(found.get('a')?.attributes).toEqual({ arn: 'arn:a' });
  expect(reads).toHaveLength(3);
  expect(most).toBe(3);
});
