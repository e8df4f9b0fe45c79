import { MemoryObjectStore } from '../store';
import { SharedValueStore } from './shared-values';

describe('SharedValueStore', () => {
  const at = (s: string) => ({ now: new Date(`2026-12-01T${s}Z`) });

  it('keeps revisions with who and when, and lets the environment win', async () => {
    const values = new SharedValueStore(new MemoryObjectStore('iac'));
    await values.set({ workspace: 'shop' }, 'PREFIX', 'acme', {
      secret: false,
      by: 'ann',
      ...at('10:00:00'),
    });
    await values.set({ workspace: 'shop' }, 'PREFIX', 'acme2', {
      secret: false,
      by: 'bob',
      ...at('11:00:00'),
    });
    await values.set({ workspace: 'shop', environment: 'dev' }, 'PREFIX', 'dev', {
      secret: false,
      by: 'cy',
    });
    const record = await values.get({ workspace: 'shop' }, 'PREFIX');
    expect(record).toMatchObject({ value: 'acme2', revision: 2, updatedBy: 'bob' });
    expect(record?.history).toEqual([
      { revision: 1, at: '2026-12-01T10:00:00.000Z', by: 'ann' },
      { revision: 2, at: '2026-12-01T11:00:00.000Z', by: 'bob' },
    ]);
    expect((await values.resolve('shop', 'dev')).PREFIX).toMatchObject({
      value: 'dev',
      scope: 'environment',
    });
    expect((await values.resolve('shop', 'prod')).PREFIX).toMatchObject({
      value: 'acme2',
      scope: 'workspace',
    });
  });

  it('deletes into a tombstone that keeps the history, and refuses keys templates cannot name', async () => {
    const values = new SharedValueStore(new MemoryObjectStore('iac'));
    await values.set({ workspace: 'shop' }, 'TEAM', 'blue', { secret: true, by: 'ann' });
    expect(await values.delete({ workspace: 'shop' }, 'TEAM', { by: 'bob' })).toBe(true);
    expect(await values.get({ workspace: 'shop' }, 'TEAM')).toBeUndefined();
    expect(await values.resolve('shop', 'dev')).toEqual({});
    expect(await values.delete({ workspace: 'shop' }, 'TEAM', { by: 'bob' })).toBe(false);
    await expect(
      values.set({ workspace: 'shop' }, 'no-dash', 'x', { secret: false, by: 'a' }),
    ).rejects.toThrow(/not a shared value key/);
  });

  it('gives the same digest to the same value, another to a changed one or another scope', async () => {
    const values = new SharedValueStore(new MemoryObjectStore('iac'));
    await values.set({ workspace: 'shop' }, 'A', 'x', { secret: false, by: 'a' });
    const first = (await values.resolve('shop', 'dev')).A?.digest;
    await values.set({ workspace: 'shop' }, 'A', 'x', { secret: false, by: 'b' });
    expect((await values.resolve('shop', 'dev')).A?.digest).toBe(first);
    await values.set({ workspace: 'shop', environment: 'dev' }, 'A', 'x', {
      secret: false,
      by: 'b',
    });
    expect((await values.resolve('shop', 'dev')).A?.digest).not.toBe(first);
  });
});
