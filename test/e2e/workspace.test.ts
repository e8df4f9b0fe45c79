/**
 * The workspace through the built bundles and the CLI (real Terraform, moto_server on 127.0.0.1),
 * with ONE bucket for both Terraform states and the IaC records: shared values used by two
 * applications and overridden per environment, Connection Interface Type contracts (a violation
 * refused, a secret attribute never printed, an undefined attribute named), a producer still
 * required by another application refused, the workspace view, and repository files for Terraform.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/action-metadata';
import { e2eFixture } from '../harness/e2e-fixture';
import { leaksOf } from '../harness/leaks';
import { errorsOf, expectOk } from '../harness/expect-step';
import type { ActionResult } from '../harness/runner';

const flow = e2eFixture({ name: 'wsp', buckets: ['iac'] });

/** One bucket for everything: states and records side by side. */
function orchestrate(workdir: string, extra: Record<string, string> = {}): Promise<ActionResult> {
  return flow.orchestrate(workdir, { TFSTATE_BUCKET_NAME: flow.iacBucket, ...extra });
}

async function deploy(workdir: string, extra: Record<string, string> = {}) {
  const plan = await orchestrate(workdir, extra);
  expectOk(plan);
  const applied = await flow.apply(plan);
  expectOk(applied);
  return { plan, applied };
}

function plugin(ref: string, alias: string, inputs: string): string {
  return `    - name: acme/${ref}@1.0.0
      alias: ${alias}
      type: infra
      inputs:
${inputs
  .split('\n')
  .filter(Boolean)
  .map((l) => `        ${l}`)
  .join('\n')}
`;
}

function outputFile(alias: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(flow.checkout, `${alias}_outputs.json`), 'utf8')) as Record<
    string,
    unknown
  >;
}

const TYPE = `schema-version: v1
kind: connection-interface-type
metadata: { name: typed-conn, description: An endpoint and its token }
spec:
  attributes:
    - { name: url, type: string, required: true }
    - { name: token, type: string, required: true, secret: true }
`;

describe('shared values', () => {
  it('are set with the CLI, read by two applications, and overridden per environment', async () => {
    expect((await flow.cli(['values', 'set', 'PREFIX', 'acme'])).code).toBe(0);
    expect((await flow.cli(['values', 'set', 'TEAM', 'blue'])).code).toBe(0);
    const override = await flow.cli([
      'values',
      'set',
      'PREFIX',
      'acme-dev',
      '--environment',
      'dev',
    ]);
    expect(override.output).toContain('Set PREFIX in shop/dev: revision 1');

    flow.writeApp(
      'alpha',
      '01JA1PHA000000000000000000',
      plugin('shared-reader', 'alpha_names', ''),
    );
    flow.writeApp('beta', '01JBETA0000000000000000000', plugin('shared-reader', 'beta_names', ''));
    await deploy('alpha');
    await deploy('beta');
    expect(outputFile('alpha_names').name).toBe('acme-dev/blue');
    expect(outputFile('beta_names').name).toBe('acme-dev/blue');
    // Another environment sees the workspace's value.
    await deploy('alpha', { ENVIRONMENT: 'prod' });
    expect(outputFile('alpha_names').name).toBe('acme/blue');

    const listed = await flow.cli(['values', 'list', '--environment', 'dev']);
    expect(listed.output).toMatch(/PREFIX +"acme-dev" +environment, revision 1/);
    expect(listed.output).toMatch(/TEAM +"blue" +workspace, revision 1/);
  });

  it('refuses to apply a value changed since the plan, and SKIP_DEPLOY sees the change', async () => {
    const unchanged = await orchestrate('alpha', { SKIP_DEPLOY: 'true' });
    expect(unchanged.outputs.run_status).toBe('SKIPPED');

    const plan = await orchestrate('alpha');
    expectOk(plan);
    await flow.cli(['values', 'set', 'TEAM', 'green', '--by', 'alice']);
    const applied = await flow.apply(plan);
    expect(applied.exitCode).toBe(1);
    expect(errorsOf(applied)).toMatch(
      /Shared value TEAM: changed from revision 1 to 2 \(by alice at [^)]+\) after the plan; start a new run/,
    );
    const shown = await flow.cli(['values', 'show', 'TEAM']);
    expect(shown.output).toMatch(
      /TEAM = "green"\n {2}revision 2, by alice[\s\S]*1\. set by .*\n {4}2\. set by alice/,
    );

    const changed = await orchestrate('alpha', { SKIP_DEPLOY: 'true' });
    expectOk(changed);
    expect(changed.outputs.run_status).toBe('RUNNING');
    expectOk(await flow.apply(changed));
    expect(outputFile('alpha_names').name).toBe('acme-dev/green');
  });

  it('keeps a secret value out of logs, summaries, outputs and files', async () => {
    const secret = 'sv-s3cr3t-Q8w2';
    const set = await flow.cli(['values', 'set', 'API_KEY', '--secret'], `${secret}\n`);
    expect([set.code, set.output]).toEqual([0, expect.stringContaining('secret')]);
    expect((await flow.cli(['values', 'list'])).output).toMatch(/API_KEY +\*\*\* \(secret\)/);
    expect((await flow.cli(['values', 'list'])).output).not.toContain(secret);

    flow.writeApp(
      'secretive',
      '01JSECRET00000000000000000',
      plugin('shared-reader', 'keyed', 'use_secret: true'),
    );
    const { plan, applied } = await deploy('secretive');
    for (const step of [plan, applied]) {
      expect(step.masks).toContain(secret);
      expect(leaksOf(step, secret)).toEqual([]);
    }
  });

  it('names the template line of an undefined var.KEY and says how to set it', async () => {
    writeFileSync(
      join(flow.checkout, 'plugins', 'shared-reader', 'templates-deploy', 'extra.tf'),
      'locals {\n  owner = "{{ var.OWNER }}"\n}\n',
    );
    const plan = await orchestrate('beta');
    expect(plan.exitCode).toBe(1);
    expect(errorsOf(plan)).toMatch(/'var\.OWNER' is undefined/);
    expect(plan.annotations).toContainEqual(
      expect.objectContaining({
        properties: { file: 'plugins/shared-reader/templates-deploy/extra.tf', line: '2' },
      }),
    );
    expect(errorsOf(plan)).toContain('deploy-engine values set <KEY> <value>');
    await flow.cli(['values', 'set', 'OWNER', 'ops']);
    const fixed = await orchestrate('beta');
    expectOk(fixed);
    expectOk(await flow.cancel(fixed.outputs.run_id ?? ''));
  });

  it('fills {{ var.KEY }} of a v1 stk.yaml input before the plan, and refuses a change before apply', async () => {
    expect((await flow.cli(['values', 'set', 'ZONE', 'north'])).code).toBe(0);
    mkdirSync(join(flow.checkout, 'gamma', '.stk'), { recursive: true });
    // As StackSpot wrote schema v1: no alias, the Connection Interface under connectors.
    writeFileSync(
      join(flow.checkout, 'gamma', '.stk', 'stk.yaml'),
      [
        'schema-version: v1',
        'kind: manifest',
        'metadata:',
        '  name: gamma',
        'spec:',
        '  type: app',
        '  app-id: 01JGAMMA000000000000000000',
        '  plugins:',
        '    - name: acme/stack@1.0.0/node-a@1.0.0',
        '      plugin-version-id: 01GWJASJ2S910MV4V0CK5J2GGG',
        '      type: infra',
        '      inputs:',
        "        label: 'zone-{{var.ZONE}}'",
        '      inputs-envs: {}',
        '      connectors:',
        '        - name: gamma-a',
        '          type: diamond-conn',
        '',
      ].join('\n'),
    );
    const plan = await orchestrate('gamma');
    expectOk(plan);
    // Terraform planned the value (rendered with the environment by the template), under the
    // alias derived from the plugin name; the reference itself reaches nothing.
    expect(plan.log).toMatch(/node-a[\s\S]*"zone-north-dev"/);
    expect(`${plan.log}${plan.summary}`).not.toContain('var.ZONE');
    await flow.cli(['values', 'set', 'ZONE', 'south', '--by', 'carol']);
    const applied = await flow.apply(plan);
    expect(applied.exitCode).toBe(1);
    expect(errorsOf(applied)).toMatch(
      /Shared value ZONE: changed from revision 1 to 2 \(by carol at [^)]+\) after the plan/,
    );
  });
});

describe('Connection Interface Types', () => {
  it('refuses a plugin that does not map a required attribute, naming it, before any run', async () => {
    flow.writeApp(
      'contract',
      '01JC0NTRACT000000000000000',
      plugin(
        'typed-missing',
        'bad',
        'out: { stk-type: generated-connection, selected: contract-bad, type: typed-conn }',
      ),
    );
    mkdirSync(join(flow.checkout, 'contract', '.stk', 'connection-interface-types'), {
      recursive: true,
    });
    writeFileSync(
      join(flow.checkout, 'contract', '.stk', 'connection-interface-types', 'typed-conn.yaml'),
      TYPE,
    );
    const before = await flow.runs();
    const plan = await orchestrate('contract');
    expect(plan.exitCode).toBe(1);
    expect(errorsOf(plan)).toMatch(
      /Plugin bad generates Connection Interface contract-bad of type typed-conn, but its outputs do not map the required attribute\(s\) token \(type defined in contract\/\.stk\/connection-interface-types\/typed-conn\.yaml\)/,
    );
    expect(await flow.runs()).toHaveLength(before.length);
  });

  it('never prints a secret attribute: publishing, consuming and planning mask it', async () => {
    writeFileSync(join(flow.checkout, 'typed-conn.yaml'), TYPE);
    const added = await flow.cli(['types', 'put', join(flow.checkout, 'typed-conn.yaml')]);
    expect(added.output).toContain('Added Connection Interface Type typed-conn in workspace shop');

    const token = 'tok-seed42-7f3a9c';
    flow.writeApp(
      'provider',
      '01JPR0V1DER000000000000000',
      plugin(
        'typed-producer',
        'api',
        'seed: seed42\nout: { stk-type: generated-connection, selected: provider-api, type: typed-conn }',
      ) + plugin('shared-reader', 'provider_names', ''),
    );
    const produced = await deploy('provider');
    expect(outputFile('api').token).toBe('(sensitive)');
    const instance = JSON.parse(
      await flow.moto.getObjectText(
        flow.iacBucket,
        'workspaces/shop/dev/connection-interfaces/provider-api.json',
      ),
    ) as { attributes: Record<string, string>; secretAttributes: string[] };
    expect(instance).toMatchObject({ attributes: { token }, secretAttributes: ['token'] });

    flow.writeApp(
      'client',
      '01JC1IENT00000000000000000',
      plugin(
        'typed-consumer',
        'use',
        'upstream: { stk-type: required-connection, selected: provider-api, type: typed-conn }',
      ),
    );
    // Planned before approval (the interface exists): Terraform prints the token in the plan.
    const consumed = await deploy('client');
    expect(consumed.plan.stdout).toContain('terraform_data.auth will be created');
    for (const step of [produced.plan, produced.applied, consumed.plan, consumed.applied]) {
      expect(leaksOf(step, token)).toEqual([]);
    }
    expect(consumed.plan.masks).toContain(token);

    const view = await flow.cli(['workspace', '--environment', 'dev']);
    expect(view.output).toContain('provider-api (typed-conn)');
    expect(view.output).toContain('token=***');
    expect(view.output).not.toContain(token);
    expect(view.output).toMatch(
      /required by: app:client \(01JC1IENT00000000000000000\) plugin use, input upstream/,
    );
  });

  it('refuses an output that feeds a secret attribute without sensitive = true', async () => {
    flow.writeApp(
      'loud',
      '01JL0UD0000000000000000000',
      plugin(
        'typed-producer',
        'noisy',
        'seed: loud\nout: { stk-type: generated-connection, selected: loud-api, type: typed-conn }',
      ),
    );
    const plan = await orchestrate('loud');
    expect(plan.exitCode).toBe(1);
    expect(errorsOf(plan)).toContain(
      'Output token of noisy feeds the secret attribute token of loud-api (typed-conn), but is not marked sensitive',
    );
    expect(leaksOf(plan, 'tok-loud-7f3a9c')).toEqual([]);
  });

  it('names the attributes of the type when a consumer uses one it does not define', async () => {
    flow.writeApp(
      'wrong',
      '01JWR0NG000000000000000000',
      plugin(
        'typed-consumer',
        'misuse',
        'attribute: nope\nupstream: { stk-type: required-connection, selected: provider-api, type: typed-conn }',
      ),
    );
    // Lenient (the default): empty, with a warning that says what the type defines.
    const lenient = await orchestrate('wrong');
    expect(lenient.annotations).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        message: expect.stringContaining(
          'Connection Interface Type typed-conn (workspace shop) defines url, token; nope is not one of them.',
        ),
      }),
    );
    if (lenient.outputs.run_id) expectOk(await flow.cancel(lenient.outputs.run_id));
    // Strict: an error.
    const plan = await orchestrate('wrong', { FEATURES_TEMPLATE_STRICT: 'true' });
    expect(plan.exitCode).toBe(1);
    expect(errorsOf(plan)).toContain(
      'Connection Interface Type typed-conn (workspace shop) defines url, token; nope is not one of them.',
    );
  });

  it('refuses removing a producer another application still requires, naming it', async () => {
    flow.writeApp(
      'provider',
      '01JPR0V1DER000000000000000',
      plugin('shared-reader', 'provider_names', ''),
    );
    const plan = await orchestrate('provider');
    expect(plan.exitCode).toBe(1);
    expect(errorsOf(plan)).toContain(
      'Still required by shop/dev/app:client (01JC1IENT00000000000000000): plugin use, input upstream, requires provider-api.',
    );
    expect(await flow.lockKeys()).toEqual([]);
  });

  it('draws the applications and their interfaces (Mermaid)', async () => {
    const graph = await flow.cli(['workspace', '--environment', 'dev', '--mermaid']);
    expect(graph.output).toMatch(/^flowchart LR/);
    expect(graph.output).toMatch(/n\d+\["app: provider"\]/);
    expect(graph.output).toMatch(/n\d+ -- "provider-api" --> n\d+/);
  });
});

describe('the same bucket for states and records', () => {
  it('keeps both apart: states under the workspace, records under their own prefixes', async () => {
    const keys = await flow.moto.listKeys(flow.iacBucket);
    const states = keys.filter((k) => k.endsWith('terraform.tfstate'));
    expect(states).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^shop\/dev\/app\/01JA1PHA0+\/alpha_names\/terraform\.tfstate$/),
      ]),
    );
    const others = keys.filter((k) => !k.endsWith('terraform.tfstate'));
    expect(others.every((k) => /^(runs|locks|history|workspaces)\//.test(k))).toBe(true);
  });
});

describe('repository files for Terraform (CHECKOUT_BRANCH)', () => {
  it('links the checkout as repodir/ without .git, FORKED_PLUGINS and EXCLUDE_FILES_PATH', async () => {
    const root = flow.checkout;
    for (const [path, text] of [
      ['site/index.html', '<h1>hello</h1>\n'],
      ['site/css/a.css', 'h1 { color: red }\n'],
      ['site/private.txt', 'not for terraform\n'],
      ['.git/HEAD', 'ref: refs/heads/main\n'],
      ['site-app/.stk/FORKED_PLUGINS/README.md', 'forks\n'],
    ] as const) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    // The example plugin users copy, over the whole repository and over one folder.
    cpSync(
      join(REPO_ROOT, 'examples', 'plugins', 'static-bundle'),
      join(root, 'plugins', 'static-bundle'),
      { recursive: true },
    );
    flow.writeApp(
      'site-app',
      '01JS1TE0000000000000000000',
      plugin('static-bundle', 'site', 'folder: site') +
        plugin('static-bundle', 'everything', 'folder: .'),
    );
    const repo = { CHECKOUT_BRANCH: 'true', EXCLUDE_FILES_PATH: 'site/private.txt' };
    const plan = await orchestrate('site-app', repo);
    expectOk(plan);
    expect(plan.log).toMatch(/CHECKOUT_BRANCH: Terraform reads \d+ repository file\(s\)/);
    const applied = await flow.apply(plan, { with: { EXCLUDE_FILES_PATH: 'site/private.txt' } });
    expectOk(applied);
    expect(applied.log).toContain('as planned');
    expect(outputFile('site').files).toEqual(['css/a.css', 'index.html']);
    const everything = outputFile('everything').files as string[];
    expect(everything).toEqual(
      expect.arrayContaining(['site/index.html', 'site-app/.stk/stk.yaml']),
    );
    expect(
      everything.filter((f) => /(^|\/)\.git\/|FORKED_PLUGINS|private\.txt|_outputs\.json$/.test(f)),
    ).toEqual([]);

    // Repository files are part of what SKIP_DEPLOY compares.
    const same = await orchestrate('site-app', { ...repo, SKIP_DEPLOY: 'true' });
    expect(same.outputs.run_status).toBe('SKIPPED');
    writeFileSync(join(root, 'site', 'index.html'), '<h1>changed</h1>\n');
    const changed = await orchestrate('site-app', { ...repo, SKIP_DEPLOY: 'true' });
    expect(changed.outputs.run_status).toBe('RUNNING');
    expect(changed.summary).toMatch(/Plan of site: .*1 to replace/);
    expect(changed.summary).toMatch(/Plan of everything: .*1 to replace/);
    expectOk(await flow.cancel(changed.outputs.run_id ?? ''));
  });
});
