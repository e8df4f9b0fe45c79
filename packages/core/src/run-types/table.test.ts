import { deploymentFingerprint } from '../deployment/fingerprint';
import { RUN_TYPES } from '../audit';
import type { DeploymentRecord } from '../workspace';
import { RUN_TYPE_TABLE, recordedRunType, runTypeOf } from './table';
import type { Markup, RunView } from './run-type';

const plain: Markup = {
  code: (v) => `\`${v}\``,
  codes: (vs) => vs.map((v) => `\`${v}\``).join(', '),
  strong: (m) => `*${m}*`,
  text: (v) => v,
};

const target = {
  workspace: 'shop',
  environment: 'prod',
  appKind: 'app' as const,
  appId: 'APP',
  appName: 'orders',
};

function view(
  manifest: Partial<RunView['manifest']>,
  previous?: Partial<DeploymentRecord>,
): RunView {
  return {
    manifest: {
      schemaVersion: 1,
      target,
      version: 'v2',
      plugins: [],
      deployOrder: [],
      destroy: [],
      digest: 'd',
      ...manifest,
    },
    ...(previous ? { previous: previous as DeploymentRecord } : {}),
  };
}

it('has exactly one handler per run type of the run record, each under its own name', () => {
  expect(Object.keys(RUN_TYPE_TABLE).sort()).toEqual([...RUN_TYPES].sort());
  for (const type of RUN_TYPES) expect(runTypeOf(type).type).toBe(type);
});

it('names and describes each run type for the summary heading and the CLI', () => {
  expect(RUN_TYPES.map((t) => [t, runTypeOf(t).title, runTypeOf(t).input])).toEqual([
    ['DEPLOY', 'Deployment', 'the default'],
    ['ROLLBACK', 'Rollback', 'ROLLBACK_TO: <version>'],
    ['DESTROY', 'Destroy', 'DESTROY: true'],
  ]);
  for (const type of RUN_TYPES) expect(runTypeOf(type).describe).toMatch(/^[a-z].{10,70}[^.]$/);
});

it('keeps a version record only for DEPLOY, and marks the target destroyed only for DESTROY', () => {
  const run = { runId: 'R9' } as Parameters<(typeof RUN_TYPE_TABLE)['DEPLOY']['recordFields']>[0];
  expect(RUN_TYPES.filter((t) => runTypeOf(t).keepsVersion)).toEqual(['DEPLOY']);
  expect(RUN_TYPES.map((t) => runTypeOf(t).recordFields(run, 'T'))).toEqual([
    {},
    {},
    { destroyed: { runId: 'R9', at: 'T' } },
  ]);
});

it('describes a rollback and a destroy in the summary through the markup it is given', () => {
  const rollback = view({
    rollback: {
      version: 'v1',
      runId: 'R1',
      finishedAt: '2026-11-01T00:00:00Z',
      iac: {},
      added: ['queue'],
      recreated: [],
    },
  });
  expect(runTypeOf('ROLLBACK').summary(rollback, plain)).toBe(
    '⏪ *Rollback to version `v1`*: redeploys the IaC that run `R1` deployed (2026-11-01T00:00:00Z), not rendered again. Destroys `queue`, deployed since.',
  );
  const destroy = view(
    { destroy: [{ alias: 'topic' }, { alias: 'db' }] as RunView['manifest']['destroy'] },
    { runId: 'R1', version: 'v1' },
  );
  expect(runTypeOf('DESTROY').summary(destroy, plain)).toBe(
    '🗑️ *Destroy*: every plugin of the last deployment (run `R1`, version `v1`) is destroyed, consumers first: `topic`, `db`. Their Connection Interfaces are removed; the deployment history is kept.',
  );
  // Nothing to destroy, or a plain deployment: no paragraph.
  expect(runTypeOf('DESTROY').summary(view({}), plain)).toBe('');
  expect(runTypeOf('DEPLOY').summary(rollback, plain)).toBe('');
  expect(runTypeOf('DESTROY').nothingToDo).toMatch(/^Nothing to destroy/);
});

it('reads records written before run types existed as DEPLOY', () => {
  expect(recordedRunType({})).toBe('DEPLOY');
  expect(recordedRunType({ runType: 'ROLLBACK' })).toBe('ROLLBACK');
});

it('skips before planning only a DEPLOY asked to skip whose fingerprint is the last one', () => {
  const { manifest } = view({});
  const same = deploymentFingerprint(manifest, 'classic', '1.11.0');
  const live = {
    fingerprint: same,
    runId: 'R1',
    version: 'v1',
    finishedAt: 'T',
  } as DeploymentRecord;
  const deploy = runTypeOf('DEPLOY');
  const skip = { type: 'DEPLOY' as const, skipUnchanged: true };
  expect(deploy.skipReason(skip, manifest, live, 'classic', '1.11.0')).toMatch(
    /^Nothing changed since run R1 deployed version v1 \(T\).*SKIP_DEPLOY is on/,
  );
  // Not asked to, another Terraform version or mode, or no recorded fingerprint: no skip.
  expect(deploy.skipReason({ type: 'DEPLOY' }, manifest, live, 'classic', '1.11.0')).toBe(
    undefined,
  );
  expect(deploy.skipReason(skip, manifest, live, 'classic', '1.12.0')).toBe(undefined);
  expect(deploy.skipReason(skip, manifest, live, 'unified', '1.11.0')).toBe(undefined);
  expect(
    deploy.skipReason(skip, manifest, { ...live, fingerprint: undefined }, 'classic', '1.11.0'),
  ).toBe(undefined);
  for (const type of ['ROLLBACK', 'DESTROY'] as const)
    expect(runTypeOf(type).skipReason(skip, manifest, live, 'classic', '1.11.0')).toBe(undefined);
});
