import {
  CUT_MARK,
  DETAIL_LIMITS,
  formatPath,
  KNOWN_AFTER_APPLY,
  readResourceDetails,
  SENSITIVE,
} from './resource-details';

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

  it("hides a sensitive value where Terraform lost the mark (terraform_data's output, TF 1.11)", () => {
    // As `terraform show -json` prints an update of terraform_data whose input is sensitive.
    const [detail] = readResourceDetails(
      show([
        {
          address: 'terraform_data.secret',
          change: {
            actions: ['update'],
            before: { id: 'x', input: 's3cr3t-one', output: 's3cr3t-one', triggers_replace: null },
            after: { id: 'x', input: 's3cr3t-two', triggers_replace: null },
            after_unknown: { output: true },
            before_sensitive: { input: true },
            after_sensitive: { input: true },
          },
        },
      ]),
    );
    expect(JSON.stringify(detail)).not.toContain('s3cr3t');
    expect(detail?.attributes).toEqual([
      { path: 'input', before: SENSITIVE, after: SENSITIVE, sensitive: true },
      { path: 'output', before: SENSITIVE, after: KNOWN_AFTER_APPLY },
    ]);
  });

  it('cuts long values and marks them, hiding a secret that straddles the cut', () => {
    const secret = 'topsecret-value';
    const [detail] = readResourceDetails(
      show([
        {
          address: 'x.long',
          change: {
            actions: ['update'],
            before: {
              body: 'a'.repeat(10_000_000),
              token: secret,
              note: `${'b'.repeat(95)}${secret}`,
            },
            after: { body: 'c', token: secret, note: 'short' },
            before_sensitive: { token: true },
            after_sensitive: { token: true },
          },
        },
      ]),
      'resource_changes',
      { ...DETAIL_LIMITS, valueChars: 100 },
    );
    expect(detail?.attributes[0]).toMatchObject({ path: 'body', after: '"c"', cut: true });
    expect(detail?.attributes[0]?.before).toHaveLength(100);
    expect(detail?.attributes[0]?.before?.endsWith(CUT_MARK)).toBe(true);
    expect(JSON.stringify(detail)).not.toContain('topsec');
  });

  it('never cuts a character in half', () => {
    const [detail] = readResourceDetails(
      show([{ address: 'x.e', change: { actions: ['create'], after: { v: '😀'.repeat(100) } } }]),
      'resource_changes',
      { ...DETAIL_LIMITS, valueChars: 12 },
    );
    // `"` and five emoji are 11 units; a sixth would be split, so it is left out.
    expect(detail?.attributes[0]?.after).toBe(`"${'😀'.repeat(5)}${CUT_MARK}`);
  });

  it('bounds attributes per resource, resources and the whole, counting what it left out', () => {
    const many = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]));
    const resources = Array.from({ length: 5000 }, (_, i) => ({
      address: `x.r${i}`,
      change: { actions: ['create'], before: null, after: many },
    }));
    const details = readResourceDetails(show(resources), 'resource_changes', {
      valueChars: 100,
      attributes: 10,
      totalChars: 1_000_000,
      resources: 50,
    });
    expect(details).toHaveLength(50);
    expect(details[0]?.attributes).toHaveLength(10);
    expect(details[0]?.omittedAttributes).toBe(290);
    const small = readResourceDetails(show(resources.slice(0, 100)), 'resource_changes', {
      ...DETAIL_LIMITS,
      totalChars: 2000,
    });
    expect(small.length).toBeLessThan(10);
    expect(JSON.stringify(small).length).toBeLessThan(20_000);
  });

  it('keeps what a saved plan stores (DETAIL_LIMITS) to about a megabyte, whatever the plan', () => {
    const huge = 'x'.repeat(10_000_000);
    const attributes = Object.fromEntries(
      Array.from({ length: 150 }, (_, i) => [`a${i}`, `"${i}`.repeat(1000)]),
    );
    const resources = [
      { address: 'x.huge', change: { actions: ['create'], before: null, after: { huge } } },
      ...Array.from({ length: 100 }, (_, i) => ({
        address: `x.r${i}`,
        change: { actions: ['create'], before: null, after: attributes },
      })),
    ];
    const details = readResourceDetails(show(resources));
    const stored = JSON.stringify(details).length;
    expect(stored).toBeLessThan(1_500_000);
    expect(details[0]?.attributes[0]).toMatchObject({ path: 'huge', cut: true });
    expect(details[1]?.attributes).toHaveLength(DETAIL_LIMITS.attributes);
    expect(details[1]?.omittedAttributes).toBe(50);
    expect(details.length).toBeLessThan(101);
  });

  it('reads hostile shapes without throwing', () => {
    expect(readResourceDetails('null')).toEqual([]);
    expect(readResourceDetails('{"resource_changes": {"a": 1}}')).toEqual([]);
    expect(
      readResourceDetails(
        JSON.stringify({
          resource_changes: [
            null,
            3,
            { address: 7 },
            { address: 'x.y', change: { actions: 'create' } },
          ],
        }),
      ),
    ).toEqual([]);
  });

  it('reads a move, an import and a forget as Terraform 1.11 prints them', () => {
    // `terraform show -json` of a plan with a moved block, an import block and a removed block
    // (lifecycle destroy = false), trimmed to the fields read here.
    const real = [
      {
        address: 'terraform_data.imp',
        change: {
          actions: ['no-op'],
          before: {
            id: 'abc-123',
            input: null,
            output: null,
            triggers_replace: null,
          },
          after: {
            id: 'abc-123',
            input: null,
            output: null,
            triggers_replace: null,
          },
          after_unknown: {},
          before_sensitive: {},
          after_sensitive: {},
          importing: {
            id: 'abc-123',
          },
        },
      },
      {
        address: 'terraform_data.obj',
        change: {
          actions: ['forget'],
          before: {
            id: 'f5947f68-607d-56f8-671f-4c92439aa5cb',
            input: {
              a: 'one',
              list: [1, 2, 'one'],
            },
            output: {
              a: 'one',
              list: [1, 2, 'one'],
            },
            triggers_replace: null,
          },
          after: null,
          after_unknown: {},
          before_sensitive: {
            input: {
              list: [false, false, false],
            },
            output: {
              list: [false, false, false],
            },
          },
          after_sensitive: false,
        },
        action_reason: 'delete_because_no_resource_config',
      },
      {
        address: 'terraform_data.renamed',
        previous_address: 'terraform_data.value',
        change: {
          actions: ['update'],
          before: {
            id: '24d27b52-a120-b87d-5b92-2c3ca94ba372',
            input: 'one',
            output: 'one',
            triggers_replace: null,
          },
          after: {
            id: '24d27b52-a120-b87d-5b92-2c3ca94ba372',
            input: 'two',
            triggers_replace: null,
          },
          after_unknown: {
            output: true,
          },
          before_sensitive: {},
          after_sensitive: {},
        },
      },
    ];
    expect(readResourceDetails(show(real))).toEqual([
      {
        address: 'terraform_data.imp',
        alias: '',
        action: 'no-op',
        importing: { id: 'abc-123' },
        attributes: [],
      },
      {
        address: 'terraform_data.obj',
        alias: '',
        action: 'forget',
        reason: 'delete_because_no_resource_config',
        attributes: [],
      },
      {
        address: 'terraform_data.renamed',
        alias: '',
        action: 'update',
        movedFrom: 'terraform_data.value',
        attributes: [
          { path: 'input', before: '"one"', after: '"two"' },
          { path: 'output', before: '"one"', after: KNOWN_AFTER_APPLY },
        ],
      },
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
