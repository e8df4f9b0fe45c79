import { RUN_TYPES, runTypeOf, type Manifest, type OpenedRun } from '@deploy-engine/core';
import { renderPullRequestComment, type OrchestrateSummary } from './summary';

const manifest = {
  schemaVersion: 1,
  target: { workspace: 'shop', environment: 'prod', appKind: 'app', appId: 'A', appName: 'orders' },
  version: 'v2',
  plugins: [],
  deployOrder: [],
  destroy: [],
  digest: 'd',
} as Manifest;

function summary(opened: Partial<OpenedRun>): OrchestrateSummary {
  return {
    opened: { type: 'DEPLOY', manifest, unchanged: [], brokenConsumers: [], ...opened },
    manifest,
    runRef: '',
    plans: [],
    unplanned: [],
    planBucket: 'iac',
  };
}

it('heads the plan with the run type title and says what no run means for each type', () => {
  for (const type of RUN_TYPES) {
    const comment = renderPullRequestComment(summary({ type }), 'https://example.test/run');
    expect(comment).toContain(`<h3>${runTypeOf(type).title} plan: orders → shop/prod</h3>`);
    expect(comment).toContain(`<p>${runTypeOf(type).nothingToDo}</p>`);
  }
});

it("puts the run type's own paragraph, escaped, before the run's state", () => {
  const rollback = {
    ...manifest,
    rollback: {
      version: '<v1>',
      runId: 'R1',
      finishedAt: 'T',
      iac: {},
      added: [],
      recreated: ['queue'],
    },
  } as Manifest;
  const comment = renderPullRequestComment(
    { ...summary({ type: 'ROLLBACK', manifest: rollback }), manifest: rollback },
    'https://example.test/run',
  );
  expect(comment).toContain(
    '<p>⏪ <strong>Rollback to version <code>&lt;v1&gt;</code></strong>: redeploys the IaC that run <code>R1</code> deployed (T), not rendered again. Creates <code>queue</code> again, removed since.</p><p>Nothing to deploy or destroy',
  );
});
