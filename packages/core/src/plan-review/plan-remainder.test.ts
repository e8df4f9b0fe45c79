import type { ResourceChange } from './plan-changes';
import { planRemainder } from './plan-remainder';

const change = (address: string, action: ResourceChange['action']): ResourceChange => ({
  address,
  alias: 'a',
  action,
});

const reviewed = [
  change('module.a.x.first', 'create'),
  change('module.a.x.second', 'create'),
  change('module.a.x.third', 'update'),
  change('module.a.x.swap', 'replace'),
  change('module.a.data.x.read', 'read'),
];

describe('the remainder of a partly applied reviewed plan', () => {
  it('counts what was applied and what is left when the new plan only does what the review did', () => {
    const result = planRemainder(reviewed, [
      change('module.a.x.second', 'create'),
      change('module.a.x.third', 'update'),
      change('module.a.data.x.other', 'read'),
    ]);
    expect(result.refused).toEqual([]);
    expect(result.done.map((c) => c.address)).toEqual(['module.a.x.first', 'module.a.x.swap']);
    expect(result.remaining.map((c) => c.address)).toEqual([
      'module.a.x.second',
      'module.a.x.third',
    ]);
  });

  it('accepts either half of a reviewed replacement', () => {
    expect(planRemainder(reviewed, [change('module.a.x.swap', 'create')]).refused).toEqual([]);
    expect(planRemainder(reviewed, [change('module.a.x.swap', 'delete')]).refused).toEqual([]);
  });

  it('nothing left: every reviewed change was applied', () => {
    const result = planRemainder(reviewed, []);
    expect(result.refused).toEqual([]);
    expect(result.done).toHaveLength(4);
    expect(result.remaining).toEqual([]);
  });

  it('refuses a resource the review did not change, another action, and a destroy the review did not show', () => {
    const result = planRemainder(reviewed, [
      change('module.a.x.second', 'create'),
      change('module.a.x.intruder', 'create'),
      change('module.a.x.first', 'replace'),
      change('module.a.x.third', 'delete'),
      change('module.b.x.elsewhere', 'delete'),
    ]);
    expect(result.refused).toEqual([
      'module.a.x.intruder: the new plan would create it, but the reviewed plan left it unchanged.',
      'module.a.x.first: the reviewed plan would create it, the new plan would replace it.',
      'module.a.x.third: the reviewed plan would update it, the new plan would delete it.',
      'module.b.x.elsewhere: the new plan would delete it, but the reviewed plan left it unchanged.',
    ]);
  });

  it('a reviewed read is no licence to change the resource it read', () => {
    expect(
      planRemainder(reviewed, [change('module.a.data.x.read', 'update')]).refused,
    ).toHaveLength(1);
  });
});
