/**
 * examples/policies/plan-policy.mjs, run for real with node on plans written as the AWS provider
 * writes them (`terraform show -json`): each rule refuses what it must and passes what it must
 * not refuse, and it never prints an attribute's value.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/action-metadata';

const SCRIPT = join(REPO_ROOT, 'examples', 'policies', 'plan-policy.mjs');
const AWS = 'registry.terraform.io/hashicorp/aws';

interface Change {
  address: string;
  type: string;
  actions: string[];
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  provider?: string;
}

function planOf(changes: Change[]): unknown {
  return {
    format_version: '1.2',
    terraform_version: '1.11.4',
    resource_changes: changes.map((c) => ({
      address: c.address,
      mode: 'managed',
      type: c.type,
      name: c.address.split('.').pop(),
      provider_name: c.provider ?? AWS,
      change: {
        actions: c.actions,
        before: c.before ?? null,
        after: c.after ?? null,
        after_unknown: c.after ? { id: true, arn: true } : {},
        before_sensitive: {},
        after_sensitive: c.after ? { tags: {}, tags_all: {} } : false,
      },
    })),
  };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'plan-policy-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(changes: Change[], env: Record<string, string> = {}): { code: number; out: string } {
  const file = join(dir, `plan-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(planOf(changes)));
  const result = spawnSync('node', [SCRIPT], {
    env: {
      PATH: process.env.PATH ?? '',
      DEPLOY_ENGINE_PLAN_JSON: file,
      DEPLOY_ENGINE_PLUGIN: 'db',
      ...env,
    },
    encoding: 'utf8',
  });
  return { code: result.status ?? -1, out: `${result.stdout}${result.stderr}` };
}

const TAGS = { Environment: 'dev', ManagedBy: 'deploy-engine' };
const bucket: Change = {
  address: 'aws_s3_bucket.this',
  type: 'aws_s3_bucket',
  actions: ['create'],
  after: { bucket: 'orders-dev', tags: null, tags_all: TAGS },
};

describe('examples/policies/plan-policy.mjs', () => {
  it('passes a tagged private bucket, counting the provider default_tags', () => {
    const blocked: Change = {
      address: 'aws_s3_bucket_public_access_block.this',
      type: 'aws_s3_bucket_public_access_block',
      actions: ['create'],
      after: {
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      },
    };
    expect(run([bucket, blocked])).toEqual({
      code: 0,
      out: 'plan-policy: the plan of db passes (2 resource change(s) checked).\n',
    });
  });

  it('refuses public access, public ACLs and missing tags, one line each', () => {
    const result = run([
      {
        address: 'aws_s3_bucket_public_access_block.open',
        type: 'aws_s3_bucket_public_access_block',
        actions: ['update'],
        before: { block_public_acls: true },
        after: {
          block_public_acls: false,
          block_public_policy: true,
          ignore_public_acls: true,
          restrict_public_buckets: false,
        },
      },
      {
        address: 'aws_s3_bucket_acl.this',
        type: 'aws_s3_bucket_acl',
        actions: ['create'],
        after: { acl: 'public-read' },
      },
      {
        address: 'aws_sqs_queue.untagged',
        type: 'aws_sqs_queue',
        actions: ['create'],
        after: { name: 'q', tags: { Environment: 'dev' }, tags_all: { Environment: 'dev' } },
      },
      // Not an AWS resource: no tags required.
      {
        address: 'terraform_data.x',
        type: 'terraform_data',
        actions: ['create'],
        after: { input: 'x' },
        provider: 'terraform.io/builtin/terraform',
      },
    ]);
    expect(result).toEqual({
      code: 1,
      out: [
        'DENY aws_s3_bucket_public_access_block.open: public access is not blocked (block_public_acls, restrict_public_buckets = false).',
        'DENY aws_s3_bucket_acl.this: a public ACL (public-read).',
        'DENY aws_sqs_queue.untagged: missing required tag(s) ManagedBy.',
        'plan-policy: 3 violation(s) in the plan of db.',
        '',
      ].join('\n'),
    });
    // REQUIRED_TAGS decides which tags.
    expect(run([bucket], { REQUIRED_TAGS: 'Owner' }).out).toContain(
      'DENY aws_s3_bucket.this: missing required tag(s) Owner.',
    );
  });

  it('refuses destroying or replacing a database unless ALLOW_DATABASE_DESTROY=true, and prints no value', () => {
    const database: Change[] = [
      {
        address: 'aws_db_instance.main',
        type: 'aws_db_instance',
        actions: ['delete', 'create'],
        before: { password: 'db-password-SECRET', tags: TAGS, tags_all: TAGS },
        after: { password: 'db-password-SECRET', tags: TAGS, tags_all: TAGS },
      },
      {
        address: 'aws_dynamodb_table.orders',
        type: 'aws_dynamodb_table',
        actions: ['delete'],
        before: { name: 'orders' },
      },
    ];
    const refused = run(database);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(
      'DENY aws_db_instance.main: the plan replaces a database (ALLOW_DATABASE_DESTROY=true allows it).',
    );
    expect(refused.out).toContain(
      'DENY aws_dynamodb_table.orders: the plan destroys a database (ALLOW_DATABASE_DESTROY=true allows it).',
    );
    expect(refused.out).not.toContain('db-password-SECRET');
    expect(run(database, { ALLOW_DATABASE_DESTROY: 'true' }).code).toBe(0);
  });

  it('says what is wrong without a plan', () => {
    const result = spawnSync('node', [SCRIPT], {
      env: { PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
    });
    expect([result.status, result.stderr]).toEqual([
      2,
      'plan-policy: no plan: set DEPLOY_ENGINE_PLAN_JSON or pass the file.\n',
    ]);
  });
});
