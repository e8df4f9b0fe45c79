import {
  RUN_TYPES,
  runTypeOf,
  type Manifest,
  type OpenedRun,
  type RunRecord,
} from '@deploy-engine/core';
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

it("keeps the comment within GitHub's limit whatever the plans, saying what it left out", () => {
  const attributes = Array.from({ length: 100 }, (_, j) => ({
    path: `a${j}`,
    before: `"${'b'.repeat(1999)}"`,
    after: `"${'c'.repeat(1999)}"`,
  }));
  const plans = Array.from({ length: 20 }, (_, p) => {
    const changes = Array.from({ length: 250 }, (_, i) => ({
      address: `terraform_data.r${i}`,
      alias: '',
      action: 'update' as const,
    }));
    return {
      name: `plugins/p${p}`,
      kind: 'deploy' as const,
      alias: `p${p}`,
      fileKey: 'f',
      textKey: `runs/R/files/plans/plugins/p${p}.txt`,
      sha256: 'ab'.repeat(32),
      state: null,
      targets: [],
      changes,
      details: changes.slice(0, 20).map((c) => ({ ...c, attributes })),
      counts: { add: 0, change: changes.length, destroy: 0, replace: 0 },
      hasChanges: true,
      plannedAt: 'T',
    };
  });
  const comment = renderPullRequestComment(
    {
      ...summary({}),
      plans,
      run: { runId: 'R', type: 'DEPLOY', status: 'RUNNING', tasks: [] } as unknown as RunRecord,
      runRef: 'R@iac',
    },
    'https://example.test/run',
  );
  expect(comment.length).toBeLessThanOrEqual(60000);
  expect(comment).toContain(
    'GitHub limits a comment to 65,536 characters: attribute changes are left out and not every resource is listed',
  );
  expect(comment).toContain('<code>s3://iac/runs/R/files/plans/plugins/p0.txt</code>');
});
