#!/usr/bin/env node
/**
 * An example plan policy for POLICY_COMMAND, with no dependency but Node.js:
 *
 *   POLICY_COMMAND: node "$DEPLOY_ENGINE_CHECKOUT/policies/plan-policy.mjs"
 *
 * It reads the plan's JSON (`terraform show -json`) from $DEPLOY_ENGINE_PLAN_JSON (or the first
 * argument), prints one line per violation and exits 1 when there is any, 0 otherwise. Rules:
 *
 * 1. No public S3 bucket: an aws_s3_bucket_public_access_block with a flag set to false, or a
 *    public canned ACL (aws_s3_bucket_acl, the legacy `acl` of aws_s3_bucket).
 * 2. Required tags on taggable AWS resources (those with a `tags` attribute), counting the
 *    provider's default_tags (`tags_all`): REQUIRED_TAGS, comma-separated (default
 *    "Environment,ManagedBy").
 * 3. No destroy or replacement of a database (aws_db_instance, aws_rds_cluster,
 *    aws_dynamodb_table, ...) unless ALLOW_DATABASE_DESTROY=true, e.g. set from a pull-request
 *    label on the command line:
 *    ALLOW_DATABASE_DESTROY=${{ contains(github.event.pull_request.labels.*.name, 'allow-db-destroy') }} node ...
 *
 * It prints addresses and attribute names only, never attribute values (the plan's JSON holds
 * sensitive values in clear text).
 */
import { readFileSync } from 'node:fs';

const PUBLIC_ACLS = new Set(['public-read', 'public-read-write', 'authenticated-read']);
const BLOCK_FLAGS = [
  'block_public_acls',
  'block_public_policy',
  'ignore_public_acls',
  'restrict_public_buckets',
];
const DATABASES = new Set([
  'aws_db_instance',
  'aws_rds_cluster',
  'aws_rds_cluster_instance',
  'aws_dynamodb_table',
  'aws_docdb_cluster',
  'aws_neptune_cluster',
  'aws_redshift_cluster',
]);

/** The violations of one plan (its parsed JSON), as lines; `env` holds the options. */
export function violations(plan, env = {}) {
  const required = (env.REQUIRED_TAGS ?? 'Environment,ManagedBy')
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
  const allowDatabaseDestroy = env.ALLOW_DATABASE_DESTROY === 'true';
  const found = [];
  for (const resource of plan.resource_changes ?? []) {
    if (resource.mode !== 'managed') continue;
    const actions = resource.change?.actions ?? [];
    const after = resource.change?.after ?? null;
    const unknown = resource.change?.after_unknown ?? {};
    const where = resource.address;
    if (actions.includes('delete') && DATABASES.has(resource.type) && !allowDatabaseDestroy) {
      const what = actions.includes('create') ? 'replaces' : 'destroys';
      found.push(`${where}: the plan ${what} a database (ALLOW_DATABASE_DESTROY=true allows it).`);
    }
    if (after === null || typeof after !== 'object') continue; // deleted
    if (resource.type === 'aws_s3_bucket_public_access_block') {
      const open = BLOCK_FLAGS.filter((flag) => after[flag] === false);
      if (open.length > 0)
        found.push(`${where}: public access is not blocked (${open.join(', ')} = false).`);
    }
    if (
      (resource.type === 'aws_s3_bucket_acl' || resource.type === 'aws_s3_bucket') &&
      PUBLIC_ACLS.has(after.acl)
    ) {
      found.push(`${where}: a public ACL (${after.acl}).`);
    }
    if (resource.provider_name?.endsWith('hashicorp/aws') && 'tags' in after) {
      // tags_all (with the provider's default_tags) is unknown at plan time in some cases:
      // then only what `tags` says counts.
      const tags = {
        ...(after.tags ?? {}),
        ...(unknown.tags_all === true ? {} : (after.tags_all ?? {})),
      };
      const missing = required.filter((tag) => !(tag in tags));
      if (missing.length > 0)
        found.push(`${where}: missing required tag(s) ${missing.join(', ')}.`);
    }
  }
  return found;
}

function main() {
  const file = process.argv[2] ?? process.env.DEPLOY_ENGINE_PLAN_JSON;
  if (!file) {
    console.error('plan-policy: no plan: set DEPLOY_ENGINE_PLAN_JSON or pass the file.');
    process.exit(2);
  }
  const plan = JSON.parse(readFileSync(file, 'utf8'));
  const label = process.env.DEPLOY_ENGINE_PLUGIN || 'the project';
  const found = violations(plan, process.env);
  for (const line of found) console.log(`DENY ${line}`);
  if (found.length > 0) {
    console.log(`plan-policy: ${found.length} violation(s) in the plan of ${label}.`);
    process.exit(1);
  }
  const count = (plan.resource_changes ?? []).length;
  console.log(`plan-policy: the plan of ${label} passes (${count} resource change(s) checked).`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
