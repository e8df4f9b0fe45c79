import type { ResourceDetail } from '../plan-review';
import {
  buildDriftReport,
  driftCheckFailure,
  pluginDrift,
  pluginsTouchedBy,
  splitByPlugin,
} from './drift-report';

const target = {
  workspace: 'shop',
  environment: 'dev',
  appKind: 'app' as const,
  appId: 'A1',
  appName: 'orders',
};

function resource(address: string, detail: Partial<ResourceDetail> = {}): ResourceDetail {
  return { address, alias: '', action: 'update', attributes: [], ...detail };
}

describe('pluginDrift', () => {
  it('an attribute changed outside Terraform that the plan changes back is drift', () => {
    const drift = [
      resource('aws_sns_topic.this', {
        attributes: [{ path: 'display_name', before: '"a"', after: '"b"' }],
      }),
    ];
    const changes = [
      resource('aws_sns_topic.this', {
        attributes: [{ path: 'display_name', before: '"b"', after: '"a"' }],
      }),
    ];
    expect(pluginDrift('topic', { drift, changes })).toEqual({
      alias: 'topic',
      status: 'drifted',
      resources: drift,
    });
  });

  it('a value the plan leaves alone (not set by the configuration) is kept, not drift', () => {
    const drift = [
      resource('aws_s3_bucket.this', {
        attributes: [
          { path: 'versioning[0].enabled', before: 'false', after: 'true' },
          { path: 'tags["owner"]', after: '"me"' },
        ],
      }),
    ];
    // The hand-added tag is removed again; versioning is not in the bucket's configuration.
    const changes = [
      resource('aws_s3_bucket.this', {
        attributes: [{ path: 'tags', before: '{"owner":"me"}', after: '{}' }],
      }),
    ];
    const result = pluginDrift('bucket', { drift, changes });
    expect(result.status).toBe('drifted');
    expect(result.resources[0]?.attributes.map((a) => a.path)).toEqual(['tags["owner"]']);
    expect(result.kept?.[0]?.attributes.map((a) => a.path)).toEqual(['versioning[0].enabled']);
    expect(pluginDrift('bucket', { drift, changes: [] })).toMatchObject({
      status: 'in-sync',
      resources: [],
      kept: drift,
    });
  });

  it('a resource deleted outside Terraform drifted when the plan creates it again; a replacement reverts every attribute', () => {
    const deleted = resource('aws_s3_bucket.this', { action: 'delete' });
    const changes = [resource('aws_s3_bucket.this', { action: 'create' })];
    expect(pluginDrift('b', { drift: [deleted], changes }).resources).toEqual([deleted]);
    const renamed = resource('aws_sqs_queue.q', {
      attributes: [{ path: 'name', before: '"a"', after: '"b"' }],
    });
    const replace = [resource('aws_sqs_queue.q', { action: 'replace' })];
    expect(pluginDrift('q', { drift: [renamed], changes: replace }).status).toBe('drifted');
  });

  it('nothing changed outside Terraform: in sync, whatever the plan would change', () => {
    expect(
      pluginDrift('x', { drift: [], changes: [resource('a.b', { action: 'create' })] }),
    ).toEqual({ alias: 'x', status: 'in-sync', resources: [] });
  });
});

describe('pluginsTouchedBy', () => {
  const aliases = ['topic', 'bucket'];
  it('only plugins with a RUNNING task: a run waiting for approval touches nothing', () => {
    expect(
      pluginsTouchedBy(
        [
          { pluginAppliedAlias: 'topic', status: 'SUCCEEDED' },
          { pluginAppliedAlias: 'bucket', status: 'PENDING' },
        ],
        aliases,
      ),
    ).toEqual([]);
    expect(
      pluginsTouchedBy(
        [
          { pluginAppliedAlias: 'bucket', status: 'RUNNING' },
          { pluginAppliedAlias: 'other', status: 'RUNNING' },
        ],
        aliases,
      ),
    ).toEqual(['bucket']);
  });

  it('a RUNNING task on the whole application (unified mode) touches every plugin', () => {
    expect(pluginsTouchedBy([{ pluginAppliedAlias: null, status: 'RUNNING' }], aliases)).toEqual(
      aliases,
    );
  });
});

describe('splitByPlugin', () => {
  it('splits a unified plan by module; a resource of no checked module goes to the root', () => {
    const split = splitByPlugin(
      [
        resource('module.topic.aws_sns_topic.this', { alias: 'topic' }),
        resource('aws_s3_bucket.x'),
        resource('module.gone.aws_s3_bucket.y', { alias: 'gone' }),
      ],
      ['topic', 'bucket'],
    );
    expect([...split].map(([alias, list]) => [alias, list.map((r) => r.address)])).toEqual([
      ['topic', ['module.topic.aws_sns_topic.this']],
      ['bucket', []],
      ['', ['aws_s3_bucket.x', 'module.gone.aws_s3_bucket.y']],
    ]);
  });
});

describe('buildDriftReport and driftCheckFailure', () => {
  const drifted = { alias: 'topic', status: 'drifted' as const, resources: [resource('a.b')] };
  const failed = { alias: 'bucket', status: 'check-failed' as const, resources: [], reason: 'x' };
  const skipped = { alias: 'queue', status: 'skipped' as const, resources: [], reason: 'y' };

  it('lists drifted and failed plugins apart; skipped ones are neither', () => {
    const report = buildDriftReport({
      target,
      checkedAt: 'now',
      plugins: [drifted, failed, skipped],
    });
    expect(report).toMatchObject({
      format: 1,
      drifted: true,
      driftedPlugins: ['topic'],
      failedPlugins: ['bucket'],
    });
  });

  it('a failed check fails the step always, drift only with FAIL_ON_DRIFT, nothing deployed never', () => {
    const onlyDrift = buildDriftReport({ target, checkedAt: 'now', plugins: [drifted, skipped] });
    expect(driftCheckFailure(onlyDrift, false)).toBeUndefined();
    expect(driftCheckFailure(onlyDrift, true)).toContain('topic drifted');
    const withFailure = buildDriftReport({ target, checkedAt: 'now', plugins: [failed] });
    expect(driftCheckFailure(withFailure, false)).toContain('bucket failed');
    const nothing = buildDriftReport({ target, checkedAt: 'now', notice: 'n', plugins: [] });
    expect(nothing).toMatchObject({ drifted: false, driftedPlugins: [], notice: 'n' });
    expect(driftCheckFailure(nothing, true)).toBeUndefined();
  });
});
