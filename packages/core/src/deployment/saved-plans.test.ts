import { stateMoved } from './saved-plans';

describe('stateMoved', () => {
  it('says how the state moved since the plan, or nothing when it did not', () => {
    expect(stateMoved(null, null)).toBeUndefined();
    expect(stateMoved({ serial: 3, lineage: 'l' }, { serial: 3, lineage: 'l' })).toBeUndefined();
    expect(stateMoved({ serial: 3, lineage: 'l' }, { serial: 5, lineage: 'l' })).toBe(
      'the state was written 2 time(s) (serial 3 → 5)',
    );
    expect(stateMoved({ serial: 3, lineage: 'l' }, { serial: 3, lineage: 'm' })).toMatch(
      /replaced by another one \(lineage l → m\)/,
    );
    expect(stateMoved(null, { serial: 1, lineage: 'l' })).toBe('a state was created (serial 1)');
    expect(stateMoved({ serial: 1, lineage: 'l' }, null)).toBe('the state was deleted');
  });
});
