/**
 * PREVIEW through the orchestrate-and-plan bundle (real Terraform, moto_server): a deployment of
 * the checkout planned against the target's current state without a run. One deployment in
 * beforeAll; then a preview of a change (counts, outputs, predicted Connection Interfaces, the
 * destroy of a removed plugin, the PR comment) that writes nothing but previews/; a preview while a
 * deployment's run is open and a Terraform state lock is held, after which that run applies; the
 * refusals (broken template or stk.yaml, DESTROY, unified mode, another repository's application)
 * leaving nothing; and runtime-tasks refusing a preview's id as a RUN_ID.
 */
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { e2eFixture } from '../harness/e2e-fixture';
import { errorsOf, expectOk } from '../harness/expect-step';
import type { ActionResult } from '../harness/runner';

const flow = e2eFixture({ name: 'pv' });
const APP = '01JPREVIEW0000000000000000';
const STATE = (alias: string) => `shop/dev/app/${APP}/${alias}/terraform.tfstate`;

/** node-a: a root that generates `selected`. */
function root(alias: string, label: string, selected: string): string {
  return `    - name: acme/node-a@1.0.0
      alias: ${alias}
      type: infra
      inputs: { label: ${label} }
      connections:
        generates:
          - { type: diamond-conn, selected: ${selected}, alias: a-out }
`;
}

/** node-e: requires `selected`. */
function consumer(alias: string, selected: string): string {
  return `    - name: acme/node-e@1.0.0
      alias: ${alias}
      type: infra
      inputs:
        suffix: s
        upstream: { stk-type: required-connection, selected: ${selected}, type: diamond-conn }
`;
}

/**
 * The change previewed: a relabelled (its output `id` is known only after apply), old removed, n
 * new (a producer whose output Terraform knows at plan time), e and f consume a and n.
 */
const CHANGE =
  root('a', 'two', 'pv-a') +
  consumer('e', 'pv-a') +
  root('n', 'new', 'pv-new').replace('acme/node-a@', 'acme/known-a@') +
  consumer('f', 'pv-new');

/** node-a, but with an output that does not depend on a resource: known when planned. */
function writeKnownProducer(): void {
  const dir = join(flow.checkout, 'plugins', 'known-a');
  mkdirSync(join(dir, 'templates-deploy'), { recursive: true });
  writeFileSync(
    join(dir, 'plugin.yaml'),
    readFileSync(join(flow.checkout, 'plugins', 'node-a', 'plugin.yaml'), 'utf8').replace(
      'name: node-a',
      'name: known-a',
    ),
  );
  writeFileSync(
    join(dir, 'templates-deploy', 'main.tf'),
    'resource "terraform_data" "node" {\n  input = "{{ label }}"\n}\n\noutput "id" {\n  value = "known:{{ label }}"\n}\n\noutput "label" {\n  value = "{{ label }}"\n}\n',
  );
}

/** Every object of both buckets, key → content. */
async function bucketContents(): Promise<Map<string, string>> {
  const contents = new Map<string, string>();
  for (const bucket of [flow.iacBucket, flow.tfstateBucket])
    for (const key of await flow.moto.listKeys(bucket))
      contents.set(`${bucket}/${key}`, await flow.moto.getObjectText(bucket, key));
  return contents;
}

/** What changed between two listings: keys added, and keys removed or rewritten. */
function changed(before: Map<string, string>, after: Map<string, string>) {
  return {
    added: [...after.keys()].filter((k) => !before.has(k)),
    touched: [...before.keys()].filter((k) => after.get(k) !== before.get(k)),
  };
}

function preview(
  extra: Record<string, string> = {},
  options: Parameters<typeof flow.orchestrate>[2] = {},
): Promise<ActionResult> {
  return flow.orchestrate('pv', { VERSION: 'pr-7', PREVIEW: 'true', ...extra }, options);
}

let api: Server;
let apiUrl = '';
const posted: string[] = [];

beforeAll(async () => {
  api = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += String(chunk)));
    request.on('end', () => {
      if (request.method === 'POST') posted.push((JSON.parse(body) as { body: string }).body);
      response.writeHead(request.method === 'POST' ? 201 : 200, {
        'content-type': 'application/json',
      });
      response.end(request.method === 'POST' ? '{"id":1,"html_url":"https://c/1"}' : '[]');
    });
  });
  await new Promise<void>((done) => api.listen(0, '127.0.0.1', done));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  writeKnownProducer();
  flow.writeApp('pv', APP, root('a', 'one', 'pv-a') + root('old', 'old', 'pv-old'));
  const plan = await flow.orchestrate('pv');
  expectOk(plan);
  expectOk(await flow.apply(plan));
}, 120000);

afterAll(async () => {
  await new Promise((done) => api?.close(done));
});

it('previews a change with predicted interfaces and a removed plugin, writing nothing but previews/', async () => {
  flow.writeApp('pv', APP, CHANGE);
  const before = await bucketContents();
  const result = await preview(
    { PR_COMMENT: 'true' },
    {
      env: { GITHUB_API_URL: apiUrl },
      event: { name: 'pull_request', payload: { pull_request: { number: 7 } } },
    },
  );
  expectOk(result);
  expect(result.outputs).toMatchObject({
    preview: 'true',
    run_id: '',
    apply_tasks: '',
    has_changes: 'true',
    to_add: '2',
    to_change: '1',
    to_replace: '0',
    to_destroy: '1',
    destroys: 'true',
  });
  const id = result.outputs.preview_id ?? '';
  expect(id).toMatch(/^[0-9A-Z]{26}$/);
  const { added, touched } = changed(before, await bucketContents());
  // No run, lock, history, binding or Connection Interface; every state byte for byte.
  expect(touched).toEqual([]);
  const prefix = `${flow.iacBucket}/previews/shop/dev/app/${APP}/${id}/`;
  expect(added.filter((k) => !k.startsWith(prefix))).toEqual([]);
  expect(added).toContain(`${prefix}preview.json`);
  expect(added).toContain(`${prefix}files/plans/plugins/f.tfplan`);
  // f was rendered with what n's plan predicts for pv-new, not left for later.
  const fText = await flow.moto.getObjectText(
    flow.iacBucket,
    `previews/shop/dev/app/${APP}/${id}/files/plans/plugins/f.txt`,
  );
  expect(fText).toContain('known:new/s');
  for (const text of [result.summary, posted.at(-1) ?? '']) {
    expect(text).toContain('Preview — nothing was deployed, no lock was taken');
    expect(text).toContain('Destroy plan of old');
    expect(text).toContain('<code>f</code> (<code>pv-new</code>)');
    // a's new id is known only after apply: e is planned after merge, saying why.
    expect(text).toContain(
      '<code>e</code> (planned after merge: a&#39;s output(s) id of pv-a are known only after apply)',
    );
  }
  expect(posted).toHaveLength(1);
  expect(posted[0]).toMatch(/^<!-- deploy-engine-actions plan shop\/dev\/app\/01JPREVIEW/);

  // The preview's id is no run: runtime-tasks refuses it as a RUN_ID.
  const refused = await flow.apply({
    ...result,
    outputs: {
      run_id: flow.runStore().runRef(id),
      apply_tasks: '[{"runTaskId":"x","taskType":"DEPLOY_SELF_HOSTED","pluginAppliedAlias":"a"}]',
    },
  });
  expect(refused.exitCode).toBe(1);
  expect(errorsOf(refused)).toContain(id);
  expect(await flow.moto.listKeys(flow.iacBucket, `runs/${id}`)).toEqual([]);
}, 120000);

it('previews while a deployment run is open and a state lock is held; that run then applies', async () => {
  const plan = await flow.orchestrate('pv', { VERSION: 'v2' });
  expectOk(plan);
  expect(plan.outputs.run_id).not.toBe('');
  // As if the deployment's apply held a's state right now (Terraform's S3 lockfile).
  await flow.moto.putObject(
    flow.tfstateBucket,
    `${STATE('a')}.tflock`,
    JSON.stringify({ ID: 'held-by-a-deployment', Operation: 'OperationTypeApply', Who: 'ci' }),
  );
  const serials = await flow.stateSerials();
  try {
    const result = await preview();
    expectOk(result);
    expect(result.outputs).toMatchObject({ preview: 'true', run_id: '', to_change: '1' });
    expect(await flow.stateSerials()).toEqual(serials);
    expect(await flow.lockKeys()).toHaveLength(1);
  } finally {
    await flow.moto.s3.send(
      new DeleteObjectCommand({ Bucket: flow.tfstateBucket, Key: `${STATE('a')}.tflock` }),
    );
  }
  const applied = await flow.apply(plan);
  expectOk(applied);
  expect(await flow.lockKeys()).toEqual([]);
}, 180000);

it('fails clearly and leaves nothing on a broken template, a refusing policy or a broken stk.yaml', async () => {
  mkdirSync(join(flow.checkout, 'plugins', 'broken', 'templates-deploy'), { recursive: true });
  writeFileSync(
    join(flow.checkout, 'plugins', 'broken', 'plugin.yaml'),
    'schema-version: v3\nkind: plugin\nmetadata: { name: broken, version: 1.0.0, description: x }\nspec:\n  type: infra\n',
  );
  writeFileSync(
    join(flow.checkout, 'plugins', 'broken', 'templates-deploy', 'main.tf'),
    'resource "terraform_data" "x" {\n  input = "{{ oops( }}"\n}\n',
  );
  flow.writeApp('pv', APP, `${CHANGE}    - { name: acme/broken@1.0.0, alias: b, type: infra }\n`);
  const before = await bucketContents();
  const broken = await preview();
  expect(broken.exitCode).toBe(1);
  expect(errorsOf(broken)).toContain('main.tf');
  expect(broken.summary).toContain('The preview failed');
  expect(broken.outputs).toMatchObject({ preview: 'true', preview_id: '', run_id: '' });

  // POLICY_COMMAND checks a preview's plans as a run's: a refusal fails it, and says why.
  flow.writeApp('pv', APP, CHANGE);
  const refused = await preview({
    POLICY_COMMAND:
      'if [ "$DEPLOY_ENGINE_PLUGIN" = a ]; then echo "a may not change here"; exit 3; fi',
  });
  expect(refused.exitCode).toBe(1);
  expect(refused.summary).toContain('Policy checks');
  expect(refused.summary).toContain('a may not change here');
  expect(refused.outputs).toMatchObject({ preview: 'true', preview_id: '', run_id: '' });

  writeFileSync(join(flow.checkout, 'pv', '.stk', 'stk.yaml'), 'spec: [unclosed\n');
  const yaml = await preview();
  expect(yaml.exitCode).toBe(1);
  expect(errorsOf(yaml)).toContain('stk.yaml');
  expect(changed(before, await bucketContents())).toEqual({ added: [], touched: [] });
}, 120000);

it('refuses PREVIEW with DESTROY, in unified mode and for another repository, binding nothing', async () => {
  flow.writeApp('pv', APP, CHANGE);
  const before = await bucketContents();
  const destroy = await preview({ DESTROY: 'true' });
  expect(destroy.exitCode).toBe(1);
  expect(errorsOf(destroy)).toContain('a preview plans a deployment of the checkout');
  const unified = await preview({ FEATURES_UNIFIED_DEPLOY: 'true' });
  expect(unified.exitCode).toBe(1);
  expect(errorsOf(unified)).toContain('PREVIEW is not supported in unified mode yet');
  const foreign = await preview({}, { github: { repository: 'evil/fork' } });
  expect(foreign.exitCode).toBe(1);
  expect(errorsOf(foreign)).toContain('is deployed from repository');
  // A preview of an application never deployed plans it, and binds it to no repository.
  flow.writeApp('fresh', '01JFRESH000000000000000000', root('a', 'x', 'fresh-a'));
  const fresh = await flow.orchestrate('fresh', { PREVIEW: 'true' });
  expectOk(fresh);
  expect(fresh.outputs).toMatchObject({ to_add: '1', run_id: '' });
  const { added, touched } = changed(before, await bucketContents());
  expect(touched).toEqual([]);
  expect(added.every((k) => k.startsWith(`${flow.iacBucket}/previews/`))).toBe(true);
}, 120000);
