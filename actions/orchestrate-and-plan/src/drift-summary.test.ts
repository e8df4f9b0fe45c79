import { buildDriftReport, type ResourceDetail } from '@deploy-engine/core';
import { renderDriftResources, renderDriftSummary } from './drift-summary';

const target = {
  workspace: 'shop',
  environment: 'dev',
  appKind: 'app' as const,
  appId: 'A1',
  appName: 'orders',
};
const deployment = { runId: 'R1', version: 'v1', finishedAt: 'then', mode: 'classic' as const };

const topic: ResourceDetail = {
  address: 'aws_sns_topic.this',
  alias: '',
  action: 'update',
  attributes: [
    { path: 'display_name', before: '"a"', after: '"<img src=x>[link](http://x)"' },
    { path: 'policy', before: '(sensitive value)', after: '(sensitive value)', sensitive: true },
  ],
};

describe('renderDriftSummary', () => {
  it('shows each drifted plugin collapsible, attribute as deployed and now, escaped', () => {
    const html = renderDriftSummary(
      buildDriftReport({
        target,
        checkedAt: 'now',
        deployment,
        plugins: [
          { alias: 'topic', status: 'drifted', resources: [topic] },
          { alias: 'bucket', status: 'in-sync', resources: [] },
          { alias: 'q<b>', status: 'check-failed', resources: [], reason: 'no <creds>' },
        ],
      }),
    );
    expect(html).toContain('<details><summary><code>topic</code>: 1 resource(s) drifted');
    expect(html).toContain('<td><code>display_name</code></td><td><code>&quot;a&quot;</code>');
    expect(html).toContain('&lt;img src=x&gt;&#91;link&#93;(http://x)');
    expect(html).not.toContain('<img');
    expect(html).toContain('(sensitive value)');
    expect(html).toContain('<code>q&lt;b&gt;</code>: the check failed');
    expect(html).toContain('no &lt;creds&gt;');
  });

  it("stays under GitHub's summary limit, pointing at the report, when drift is huge", () => {
    const big: ResourceDetail = {
      ...topic,
      attributes: Array.from({ length: 100 }, (_, i) => ({
        path: `tags.k${i}`,
        before: '"x"',
        after: `"${'y'.repeat(2000)}"`,
      })),
    };
    const html = renderDriftSummary(
      buildDriftReport({
        target,
        checkedAt: 'now',
        deployment,
        plugins: Array.from({ length: 60 }, (_, i) => ({
          alias: `p${i}`,
          status: 'drifted' as const,
          resources: Array.from({ length: 50 }, () => big),
        })),
      }),
    );
    expect(html.length).toBeLessThan(1024 * 1024);
    expect(html).toContain('read them in the drift report');
  });

  it('nothing deployed: only the notice', () => {
    const html = renderDriftSummary(
      buildDriftReport({ target, checkedAt: 'now', notice: 'Nothing is deployed', plugins: [] }),
    );
    expect(html).toContain('Nothing is deployed');
    expect(html).not.toContain('<table>');
  });
});

describe('renderDriftResources', () => {
  it('cuts long values and lists at most 50 resources; a deleted resource has no table', () => {
    const long: ResourceDetail = {
      ...topic,
      attributes: [{ path: 'p', before: `"${'x'.repeat(1000)}"`, after: '"y"' }],
    };
    expect(renderDriftResources([long])).toContain('… (cut)');
    const many = Array.from({ length: 53 }, (_, i) => ({ ...topic, address: `a.r${i}` }));
    expect(renderDriftResources(many)).toContain('and 3 more resource(s)');
    const gone = renderDriftResources([{ ...topic, action: 'delete' }]);
    expect(gone).toContain('deleted outside Terraform');
    expect(gone).not.toContain('<table>');
  });
});
