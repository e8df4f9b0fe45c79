import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repositoryDisplayDir, templateLocator } from './template-locator';

const TEMPLATE = `{% for q in queues %}
resource "aws_sqs_queue" "{{ q }}" {
  name = "{{ q }}"
}
{% endfor %}
resource "aws_sns_topic" "t" {
  name  = "{{ name }}"
  bogus = 1
}
`;
const RENDERED = `
resource "aws_sqs_queue" "a" {
  name = "a"
}

resource "aws_sqs_queue" "b" {
  name = "b"
}

resource "aws_sns_topic" "t" {
  name  = "orders"
  bogus = 1
}
`;

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'locator-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const sources = (files: Record<string, string>) => async () =>
  new Map(Object.entries(files).map(([p, t]) => [p, Buffer.from(t)]));

describe('templateLocator', () => {
  it('names the template and its line, not the rendered copy, also for a plugin at the repository root', async () => {
    const dir = project({ 'main.tf': RENDERED });
    for (const displayDir of ['plugins/queues', '']) {
      const locate = templateLocator(
        dir,
        [{ prefix: '', displayDir, sources: sources({ 'templates-deploy/main.tf': TEMPLATE }) }],
        'queues',
      );
      const file = displayDir
        ? `${displayDir}/templates-deploy/main.tf`
        : 'templates-deploy/main.tf';
      expect(await locate('main.tf', 12)).toEqual({ location: { file, line: 8 }, near: false });
      expect(await locate('main.tf', 7)).toEqual({ location: { file, line: 3 }, near: false });
      expect(await locate('main.tf', undefined)).toEqual({ location: { file }, near: false });
    }
  });

  it('finds a template whose file name is itself a template, and a module of the unified project', async () => {
    const dir = project({
      'orders/orders-queue.tf': RENDERED,
      'modules.tf': 'module "orders" {}\n',
    });
    const locate = templateLocator(
      dir,
      [
        {
          prefix: 'orders',
          displayDir: 'plugins/q',
          sources: sources({ 'templates-deploy/{{ name }}-queue.tf': TEMPLATE, 'plugin.yaml': '' }),
        },
      ],
      'unified project',
    );
    expect(await locate('orders/orders-queue.tf', 12)).toEqual({
      location: { file: 'plugins/q/templates-deploy/{{ name }}-queue.tf', line: 8 },
      near: false,
    });
    expect(await locate('modules.tf', 1)).toEqual({
      location: { file: 'unified project/modules.tf', line: 1 },
      near: false,
    });
  });

  it('names repository files as they are in the repository, and says what it cannot map', async () => {
    const dir = project({ 'main.tf': RENDERED });
    const locate = templateLocator(
      dir,
      [{ prefix: '', displayDir: 'plugins/q', sources: async () => undefined }],
      'q',
    );
    expect(await locate('repodir/shared/tags.tf', 3)).toEqual({
      location: { file: 'shared/tags.tf', line: 3 },
      near: false,
    });
    expect(await locate('main.tf', 12)).toEqual({
      location: { file: 'plugins/q/templates-deploy/main.tf' },
      near: true,
      note: 'line 12 of the rendered file',
    });
    expect(await locate('.terraform/modules/m/main.tf', 2)).toEqual({
      location: { file: 'plugins/q/templates-deploy' },
      near: true,
      note: 'in a downloaded module, .terraform/modules/m/main.tf line 2',
    });
  });
});

it('never reads a file outside the project, whatever name Terraform prints', async () => {
  const root = project({ 'outside.tf': RENDERED, 'p/main.tf': RENDERED });
  const read: string[] = [];
  const locate = templateLocator(
    join(root, 'p'),
    [
      {
        prefix: '',
        displayDir: 'plugins/q',
        sources: async () => {
          read.push('sources');
          return new Map([['templates-deploy/{{ x }}.tf', Buffer.from(TEMPLATE)]]);
        },
      },
    ],
    'q',
  );
  // A templated name fits "../outside" segment by segment: refused before any read.
  for (const name of ['../outside.tf', '/etc/hostname', 'a//b.tf'])
    expect(await locate(name, 12)).toEqual({
      location: { file: 'plugins/q/templates-deploy' },
      near: true,
      note: `in ${name}`,
    });
  expect(read).toEqual([]);
});

describe('repositoryDisplayDir', () => {
  it('makes the runner’s absolute path of a plugin at the checkout root repository-relative', () => {
    expect(repositoryDisplayDir('/home/runner/work/r/r', '/home/runner/work/r/r')).toBe('');
    expect(repositoryDisplayDir('/home/runner/work/r/r/p', '/home/runner/work/r/r')).toBe('p');
    expect(repositoryDisplayDir('plugins/x', '/home/runner/work/r/r')).toBe('plugins/x');
    expect(repositoryDisplayDir('/elsewhere/p', '/home/runner/work/r/r')).toBe('/elsewhere/p');
  });
});
