import {
  compareActions,
  compareDestroys,
  countChanges,
  destroyedAddresses,
  readPlanChanges,
} from './plan-changes';

const show = JSON.stringify({
  resource_changes: [
    { address: 'module.a.x.one', module_address: 'module.a', change: { actions: ['create'] } },
    { address: 'module.a.x.two', module_address: 'module.a', change: { actions: ['no-op'] } },
    {
      address: 'module.b.x.three',
      module_address: 'module.b',
      change: { actions: ['delete', 'create'] },
    },
    {
      address: 'module.b.module.inner.x.four',
      module_address: 'module.b.module.inner',
      change: { actions: ['update'] },
    },
    { address: 'module.c.x["k"]', module_address: 'module.c', change: { actions: ['delete'] } },
    { address: 'x.root', change: { actions: ['create', 'delete'] } },
  ],
});

describe('plan review', () => {
  it('reads each change with its plugin module and one action, no-ops left out', () => {
    expect(readPlanChanges(show)).toEqual([
      { address: 'module.a.x.one', alias: 'a', action: 'create' },
      { address: 'module.b.x.three', alias: 'b', action: 'replace' },
      { address: 'module.b.module.inner.x.four', alias: 'b', action: 'update' },
      { address: 'module.c.x["k"]', alias: 'c', action: 'delete' },
      { address: 'x.root', alias: '', action: 'replace' },
    ]);
    expect(countChanges(readPlanChanges(show))).toEqual({
      add: 1,
      change: 1,
      destroy: 1,
      replace: 2,
    });
  });

  it('compares destroy sets in both directions', () => {
    const reviewed = destroyedAddresses(readPlanChanges(show));
    expect(reviewed).toEqual(['module.b.x.three', 'module.c.x["k"]', 'x.root']);
    expect(compareDestroys(reviewed, [...reviewed].reverse())).toEqual([]);
    expect(compareDestroys(reviewed, ['module.b.x.three', 'module.d.y'])).toEqual([
      'module.d.y would now be destroyed, but the reviewed plan did not destroy it.',
      'module.c.x["k"] was to be destroyed in the reviewed plan, but no longer is.',
      'x.root was to be destroyed in the reviewed plan, but no longer is.',
    ]);
  });

  it('says when terraform show printed no JSON', () => {
    expect(() => readPlanChanges('Error: oops')).toThrow(/not JSON/);
  });
});

describe('compareActions', () => {
  it('names each resource whose action changed, in both directions', () => {
    const reviewed = readPlanChanges(show);
    expect(compareActions(reviewed, reviewed)).toEqual([]);
    const now = [
      ...reviewed
        .filter((c) => c.address !== 'x.root')
        .map((c) => (c.address === 'module.a.x.one' ? { ...c, action: 'update' as const } : c)),
      { address: 'module.z.x.extra', alias: 'z', action: 'create' as const },
    ];
    expect(compareActions(reviewed, now)).toEqual([
      'module.a.x.one: the reviewed plan would create, the new plan would update.',
      'module.z.x.extra: the reviewed plan would leave it unchanged, the new plan would create.',
      'x.root: the reviewed plan would replace, the new plan would leave it unchanged.',
    ]);
  });
});
