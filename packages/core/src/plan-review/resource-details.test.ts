import { formatPath, KNOWN_AFTER_APPLY, readResourceDetails, SENSITIVE } from './resource-details';

const show = (resource_changes: unknown[], resource_drift: unknown[] = []) =>
  JSON.stringify({ resource_changes, resource_drift });

describe('readResourceDetails', () => {
  it('lists the attributes an update changes, nested ones by path', () => {
    const [detail] = readResourceDetails(
      show([
        {
          address: 'module.queue.aws_sqs_queue.q',
          module_address: 'module.queue',
          change: {
            actions: ['update'],
            before: { name: 'q', delay: 0, tags: { env: 'dev', team: 'a' } },
            after: { name: 'q', delay: 5, tags: { env: 'prod', team: 'a', 'aws:x': '1' } },
            before_sensitive: {},
            after_sensitive: {},
            after_unknown: {},
          },
        },
      ]),
    );
    expect(detail).toEqual({
      address: 'module.queue.aws_sqs_queue.q',
      alias: 'queue',
      action: 'update',
      attributes: [
        { path: 'delay', before: '0', after: '5' },
        { path: 'tags["aws:x"]', after: '"1"' },
        { path: 'tags.env', before: '"dev"', after: '"prod"' },
      ],
    });
  });

  it('never shows a sensitive value, in either side, nested or whole', () => {
    const [detail] = readResourceDetails(
      show([
        {
          address: 'aws_db_instance.db',
          change: {
            actions: ['update'],
            before: { password: 'hunter2', settings: { token: 'abc', size: 1 } },
            after: { password: 'correct-horse', settings: { token: 'abd', size: 2 } },
            before_sensitive: { password: true, settings: { token: true } },
            after_sensitive: { password: true, settings: { token: true } },
            after_unknown: {},
          },
        },
      ]),
    );
    const text = JSON.stringify(detail);
    for (const secret of ['hunter2', 'correct-horse', 'abc', 'abd'])
      expect(text).not.toContain(secret);
    expect(detail?.attributes).toEqual([
      { path: 'password', before: SENSITIVE, after: SENSITIVE, sensitive: true },
      { path: 'settings.size', before: '1', after: '2' },
      { path: 'settings.token', before: SENSITIVE, after: SENSITIVE, sensitive: true },
    ]);
  });

  it('marks what is known after apply and what forces a replacement', () => {
    const [detail] = readResourceDetails(
      show([
        {
          address: 'aws_s3_bucket.b',
          action_reason: 'replace_because_cannot_update',
          change: {
            actions: ['delete', 'create'],
            before: { bucket: 'old', arn: 'arn:aws:s3:::old', tags: null },
            after: { bucket: 'new', tags: null },
            before_sensitive: {},
            after_sensitive: {},
            after_unknown: { arn: true },
            replace_paths: [['bucket']],
          },
        },
      ]),
    );
    expect(detail).toMatchObject({
      action: 'replace',
      replaceOrder: 'destroy-before-create',
      reason: 'replace_because_cannot_update',
      attributes: [
        { path: 'arn', before: '"arn:aws:s3:::old"', after: KNOWN_AFTER_APPLY },
        { path: 'bucket', before: '"old"', after: '"new"', forcesReplacement: true },
      ],
    });
  });

  it('lists a create attribute by attribute, computed ones known after apply', () => {
    const [detail] = readResourceDetails(
      show([
        {
          address: 'terraform_data.x',
          change: {
            actions: ['create'],
            before: null,
            after: { input: 'v', triggers_replace: null },
            after_unknown: { id: true, output: true },
            before_sensitive: false,
            after_sensitive: {},
          },
        },
      ]),
    );
    expect(detail?.attributes).toEqual([
      { path: 'id', after: KNOWN_AFTER_APPLY },
      { path: 'input', after: '"v"' },
      { path: 'output', after: KNOWN_AFTER_APPLY },
    ]);
  });

  it('keeps moves, imports and forgets, drops plain no-ops', () => {
    const details = readResourceDetails(
      show([
        { address: 'a.same', change: { actions: ['no-op'], before: {}, after: {} } },
        {
          address: 'a.new_name',
          previous_address: 'a.old_name',
          change: { actions: ['no-op'], before: {}, after: {} },
        },
        {
          address: 'a.imported',
          change: { actions: ['no-op'], before: {}, after: {}, importing: { id: 'i-1' } },
        },
        { address: 'a.forgotten', change: { actions: ['forget'], before: { x: 1 }, after: null } },
      ]),
    );
    expect(details.map((d) => [d.address, d.action, d.movedFrom, d.importing])).toEqual([
      ['a.new_name', 'no-op', 'a.old_name', undefined],
      ['a.imported', 'no-op', undefined, { id: 'i-1' }],
      ['a.forgotten', 'forget', undefined, undefined],
    ]);
  });

  it('reads resource_drift for a refresh-only plan', () => {
    const details = readResourceDetails(
      show(
        [],
        [
          {
            address: 'aws_sns_topic.t',
            change: {
              actions: ['update'],
              before: { display_name: '' },
              after: { display_name: 'changed by hand' },
              before_sensitive: {},
              after_sensitive: {},
            },
          },
        ],
      ),
      'resource_drift',
    );
    expect(details[0]?.attributes).toEqual([
      { path: 'display_name', before: '""', after: '"changed by hand"' },
    ]);
  });

  it('refuses output that is not JSON', () => {
    expect(() => readResourceDetails('Error: oops')).toThrow(/not JSON/);
  });
});

describe('formatPath', () => {
  it('prints paths as Terraform does', () => {
    expect(formatPath(['ingress', 0, 'cidr_blocks'])).toBe('ingress[0].cidr_blocks');
    expect(formatPath(['tags', 'aws:name'])).toBe('tags["aws:name"]');
    expect(formatPath([])).toBe('(resource)');
  });
});
