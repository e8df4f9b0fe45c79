import type { Manifest, PlanRecord, PreviewResult } from '@deploy-engine/core';
import { previewOutputs } from './preview-outputs';
import { PREVIEW_BANNER, renderPreview } from './preview-summary';

const manifest = {
  schemaVersion: 1,
  target: { workspace: 'shop', environment: 'dev', appKind: 'app', appId: 'A', appName: 'orders' },
  version: 'pr-7',
  plugins: [],
  deployOrder: ['a'],
  destroy: [],
  digest: 'd',
} as unknown as Manifest;

const plan: PlanRecord = {
  name: 'plugins/a',
  kind: 'deploy',
  alias: 'a',
  fileKey: 'previews/x/files/plans/plugins/a.tfplan',
  textKey: 'previews/x/files/plans/plugins/a.txt',
  sha256: '0'.repeat(64),
  state: null,
  targets: [],
  changes: [{ address: 'terraform_data.node', action: 'create', alias: 'a' }],
  counts: { add: 1, change: 0, destroy: 0, replace: 0 },
  hasChanges: true,
  plannedAt: 'T',
};

function preview(over: Partial<PreviewResult> = {}): PreviewResult {
  return {
    previewId: '01PREVIEW',
    opened: { type: 'DEPLOY', manifest, unchanged: [], brokenConsumers: [] },
    plans: [plan],
    unplanned: [],
    predicted: [],
    templateWarnings: [],
    ...over,
  };
}

it('says first that it is a preview, then shows the plans as a deployment plan reads', () => {
  const html = renderPreview(preview(), 'iac', 60000);
  expect(html.indexOf(PREVIEW_BANNER)).toBeLessThan(html.indexOf('Plan of a: 1 to add'));
  expect(html).toContain('cannot be approved or applied');
  expect(html).toContain('(never deployed)');
  expect(html).toContain('s3://iac/previews/x/files/plans/plugins/a.txt');
});

it('escapes what the pull request controls: aliases, reasons and failure messages', () => {
  const html = renderPreview(
    preview({
      plans: [],
      unplanned: [{ alias: '<img src=x>', reason: 'planned after merge: <script>' }],
      predicted: [{ alias: 'f"', interfaces: ['<b>'] }],
      failure: new Error('bad <template>'),
    }),
    'iac',
    60000,
  );
  expect(html).not.toMatch(/<img|<script|<b>|<template>/);
  expect(html).toContain('&lt;img src=x&gt;');
  expect(html).toContain('The preview failed');
  expect(html).toContain('bad &lt;template&gt;');
});

it('stays within its budget however many plans there are', () => {
  const many = Array.from({ length: 400 }, (_, i) => ({ ...plan, alias: `p${i}` }));
  expect(renderPreview(preview({ plans: many }), 'iac', 20000).length).toBeLessThan(21000);
});

it('outputs the counts of a plan with no run: run_id and apply_tasks empty, preview true', () => {
  expect(previewOutputs(preview())).toMatchObject({
    run_id: '',
    apply_tasks: '',
    has_changes: 'true',
    to_add: '1',
    destroys: 'false',
    preview: 'true',
    preview_id: '01PREVIEW',
  });
  const failed = previewOutputs(preview({ failure: new Error('x') }));
  expect(failed).toMatchObject({ has_changes: 'false', to_add: '0', preview_id: '' });
});
