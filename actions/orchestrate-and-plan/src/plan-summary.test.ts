import type { PlanRecord, ResourceChange, ResourceDetail } from '@deploy-engine/core';
import { COMMENT_LIMIT, renderPlanSection } from './plan-summary';

function plan(
  changes: ResourceChange[],
  kind: 'deploy' | 'destroy' = 'deploy',
  extra: Partial<PlanRecord> = {},
): PlanRecord {
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
    ...extra,
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
      '<p>⚠️ <strong>These plans destroy or replace resources.</strong> Deploy plan: 1 to add, 0 to change, <strong>1 to destroy, 1 to replace</strong>.</p>',
    );
    expect(html).toContain('<code>s3://iac/runs/R/files/plans/deploy.txt</code>');
    expect(html.indexOf('module.a.x.&lt;old&gt;')).toBeLessThan(html.indexOf('module.a.x.new'));
    expect(html).toContain(
      '<details open><summary>⚠️ Deploy plan · plugin b: 0 to add, 0 to change, <strong>0 to destroy, 1 to replace</strong></summary>',
    );
  });

  it('shows the attribute changes a classic plan recorded, one collapsible section per plugin', () => {
    const details: ResourceDetail[] = [
      {
        address: 'terraform_data.value',
        alias: '',
        action: 'update',
        attributes: [{ path: 'input', before: '"one"', after: '"two"' }],
      },
    ];
    const html = renderPlanSection(
      [
        plan([{ address: 'terraform_data.value', alias: '', action: 'update' }], 'deploy', {
          alias: 'queue',
          name: 'plugins/queue',
          details,
        }),
        plan([], 'deploy', { alias: 'idle', name: 'plugins/idle' }),
      ],
      'iac',
      60000,
      COMMENT_LIMIT,
    );
    expect(html).toContain('<p>In all: 0 to add, 1 to change');
    expect(html).toContain(
      '<details><summary>Plan of queue: 0 to add, 1 to change, 0 to destroy, 0 to replace</summary>',
    );
    expect(html).toContain(
      '<code>input</code>: <code>&quot;one&quot;</code> → <code>&quot;two&quot;</code>',
    );
    expect(html).toContain('<details><summary>Plan of idle: 0 to add');
    expect(html).toContain('<p>No changes.</p>');
  });

  it('stays within its budget and says how many changes it left out', () => {
    const changes = Array.from({ length: 50000 }, (_, i) => ({
      address: `module.big.x.resource_${i}`,
      alias: 'big',
      action: 'create' as const,
    }));
    const html = renderPlanSection([plan(changes)], 'iac', 100 * 1024);
    expect(html.length).toBeLessThanOrEqual(100 * 1024);
    expect(html).toContain(
      'GitHub limits the job summary to 1 MiB: attribute changes are left out and not every resource is listed',
    );
    expect(html).toMatch(/⚠️ \d+ resource change\(s\) are not listed\./);
  });

  it('says when a plan changes nothing', () => {
    expect(renderPlanSection([plan([])], 'iac')).toContain('<p>No changes.</p>');
  });
});
