import type { PlanRecord, ResourceChange } from '@deploy-engine/core';
import { renderPlanSection } from './plan-summary';

function plan(changes: ResourceChange[], kind: 'deploy' | 'destroy' = 'deploy'): PlanRecord {
  const count = (a: string) => changes.filter((c) => c.action === a).length;
  return {
    name: kind,
    kind,
    fileKey: `runs/R/files/plans/${kind}.tfplan`,
    textKey: `runs/R/files/plans/${kind}.txt`,
    sha256: 'ab'.repeat(32),
    state: null,
    targets: [],
    changes,
    counts: {
      add: count('create'),
      change: count('update'),
      destroy: count('delete'),
      replace: count('replace'),
    },
    hasChanges: changes.length > 0,
    plannedAt: '2026-11-22T00:00:00Z',
  };
}

describe('renderPlanSection', () => {
  it('lists changes per plugin, destroys and replacements first and marked, with the plan text key', () => {
    const html = renderPlanSection(
      [
        plan([
          { address: 'module.a.x.new', alias: 'a', action: 'create' },
          { address: 'module.a.x.<old>', alias: 'a', action: 'delete' },
          { address: 'module.b.x.r', alias: 'b', action: 'replace' },
        ]),
      ],
      'iac',
    );
    expect(html).toContain(
      'Deploy plan: 1 to add, 0 to change, <strong>1 to destroy, 1 to replace',
    );
    expect(html).toContain('⚠️ <strong>This plan destroys or replaces resources.</strong>');
    expect(html).toContain('<code>s3://iac/runs/R/files/plans/deploy.txt</code>');
    expect(html.indexOf('module.a.x.&lt;old&gt;')).toBeLessThan(html.indexOf('module.a.x.new'));
    expect(html).toContain('<h4>b</h4>');
  });

  it('stays within its budget and says how many changes it left out', () => {
    const changes = Array.from({ length: 50000 }, (_, i) => ({
      address: `module.big.x.resource_${i}`,
      alias: 'big',
      action: 'create' as const,
    }));
    const html = renderPlanSection([plan(changes)], 'iac', 100 * 1024);
    expect(html.length).toBeLessThan(101 * 1024);
    expect(html).toMatch(/⚠️ \d+ more resource change\(s\) are not listed here/);
  });

  it('says when a plan changes nothing', () => {
    expect(renderPlanSection([plan([])], 'iac')).toContain('<p>No changes.</p>');
  });
});
