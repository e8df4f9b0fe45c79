import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '../errors';
import { buildTemplateContext } from './context';
import { renderDirectory, writeRenderedProject } from './render-directory';

function tree(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'tpl-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const context = buildTemplateContext({
  inputs: { bucket: 'orders', with_policy: true },
  connections: { topic: { arn: 'arn:topic' } },
  environment: 'prod',
  workspace: 'payments',
  alias: 'orders-bucket',
  version: 'v1.2.0',
  appKind: 'app',
  appId: '01J9V6MWFTWQ392331QBCS46KQ',
  sharedValues: { cost_center: 'cc-42' },
});

async function problemsOf(dir: string): Promise<string[]> {
  try {
    await renderDirectory({
      templateDir: dir,
      context,
      displayDir: 'plugins/b/templates-deploy',
      undefinedMode: 'strict',
    });
  } catch (error) {
    if (error instanceof ConfigurationError) {
      return error.problems.map(
        (p) => `${p.location?.file}:${p.location?.line ?? '-'} ${p.message}`,
      );
    }
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('renderDirectory', () => {
  it('renders contents, file names and folder names with the whole context', async () => {
    const dir = tree({
      'main.tf':
        'name = "{{ bucket }}-{{ environment }}"\nws = "{{ workspace }}/{{ alias }}/{{ version }}/{{ app_id }}/{{ var.cost_center }}"\ntopic = "{{ connections.topic.arn }}"\n',
      '{{ environment }}.auto.tfvars': 'x = 1\n',
      'modules/{{ bucket }}/main.tf': 'output "o" { value = "{{ inputs.bucket }}" }\n',
      '{% if with_policy %}policy.tf{% endif %}': 'p = 1\n',
      '{% if not with_policy %}no-policy.tf{% endif %}': 'never\n',
      'lambda.zip': Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x7b, 0x7b]),
    });
    const project = await renderDirectory({
      templateDir: dir,
      context,
      displayDir: 'plugins/b/templates-deploy',
    });
    expect(project.files.map((f) => f.path)).toEqual([
      'lambda.zip',
      'main.tf',
      'modules/orders/main.tf',
      'policy.tf',
      'prod.auto.tfvars',
    ]);
    const main = project.files.find((f) => f.path === 'main.tf')?.content.toString();
    expect(main).toBe(
      'name = "orders-prod"\nws = "payments/orders-bucket/v1.2.0/01J9V6MWFTWQ392331QBCS46KQ/cc-42"\ntopic = "arn:topic"\n',
    );
    expect(project.files.find((f) => f.path === 'lambda.zip')?.content).toEqual(
      Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x7b, 0x7b]),
    );

    const out = mkdtempSync(join(tmpdir(), 'rendered-'));
    await writeRenderedProject(project, out);
    expect(readFileSync(join(out, 'modules', 'orders', 'main.tf'), 'utf8')).toContain('"orders"');
  });

  it('gives the same digest for the same result and another when anything changes', async () => {
    const files = { 'main.tf': '{{ bucket }}', 'b.tf': 'x' };
    const render = (dir: string, ctx = context) =>
      renderDirectory({ templateDir: dir, context: ctx, displayDir: 'p' }).then((p) => p.digest);
    const a = await render(tree(files));
    expect(await render(tree(files))).toBe(a);
    expect(await render(tree({ ...files, 'b.tf': 'y' }))).not.toBe(a);
    expect(await render(tree(files), { ...context, bucket: 'other' })).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it('renders undefined names as empty text and reports each at its template file and line once', async () => {
    const dir = tree({
      'README-deploy.md': '# {{ resource }}\n\n{{ method }} {{ resource }}\n',
      'main.tf': 'name = "{{ bucket }}{{ sufix }}"\n{% for i in [1, 2] %}{{ sufix }}{% endfor %}\n',
      '{{ missing_name }}x.tf': 'x',
    });
    const project = await renderDirectory({
      templateDir: dir,
      context,
      displayDir: 'plugins/b/templates-deploy',
    });
    expect(project.files.map((f) => [f.path, f.content.toString()])).toEqual([
      ['README-deploy.md', '# \n\n \n'],
      ['main.tf', 'name = "orders"\n\n'],
      ['x.tf', 'x'],
    ]);
    expect(
      project.warnings?.map((w) => `${w.location.file}:${w.location.line} ${w.expression}`),
    ).toEqual([
      'plugins/b/templates-deploy/README-deploy.md:1 resource',
      'plugins/b/templates-deploy/README-deploy.md:3 method',
      'plugins/b/templates-deploy/README-deploy.md:3 resource',
      'plugins/b/templates-deploy/main.tf:1 sufix',
      'plugins/b/templates-deploy/main.tf:2 sufix',
      'plugins/b/templates-deploy/{{ missing_name }}x.tf:1 missing_name',
    ]);
  });

  it('reports every problem of every file at once, with file and line (strict mode)', async () => {
    const dir = tree({
      'a.tf': 'ok\n{{ missing_a }}\n',
      'sub/b.tf': '\n\n{{ connections.nope.arn }}',
      '{{ missing_name }}.tf': 'x',
    });
    expect(await problemsOf(dir)).toEqual([
      "plugins/b/templates-deploy/a.tf:2 'missing_a' is undefined.",
      "plugins/b/templates-deploy/sub/b.tf:3 'connections.nope' is undefined (it has: topic).",
      "plugins/b/templates-deploy/{{ missing_name }}.tf:1 In the name: 'missing_name' is undefined.",
    ]);
  });

  it('refuses symbolic links and names that escape their folder', async () => {
    const dir = tree({ 'main.tf': 'x', '{{ ".." }}/evil.tf': 'x' });
    symlinkSync('/etc/passwd', join(dir, 'passwd.tf'));
    expect(await problemsOf(dir)).toEqual([
      'plugins/b/templates-deploy/passwd.tf:- Symbolic links are not allowed in templates-deploy.',
      'plugins/b/templates-deploy/{{ ".." }}:- The name renders to \'..\', which is not a single file or folder name.',
    ]);
  });

  it('refuses two templates that render to the same file', async () => {
    const dir = tree({ '{{ environment }}.tf': 'a', 'prod.tf': 'b' });
    expect(await problemsOf(dir)).toEqual([
      'plugins/b/templates-deploy/{{ environment }}.tf:- Renders to prod.tf, as plugins/b/templates-deploy/prod.tf does.',
    ]);
  });
});
