import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { formatProblem } from '../errors';
import { checkProject, type GuardrailOptions, type GuardStage } from './guard';

const closed: GuardrailOptions = { localExecEnabled: false, allowedModules: [] };

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'guard-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function problems(
  files: Record<string, string>,
  options: GuardrailOptions = closed,
  stage: GuardStage = 'before-init',
  extra: { dir?: string; extraRoots?: string[] } = {},
): Promise<string[]> {
  const dir = extra.dir ?? project(files);
  const found = await checkProject(
    { dir, label: 'p', extraRoots: extra.extraRoots ?? [], engineFiles: [] },
    options,
    stage,
  );
  return found.map(formatProblem);
}

const LOCAL_EXEC = 'provisioner "local-exec" {\n    command = "id"\n  }';

describe('local-exec', () => {
  it.each([
    [
      'quoted label',
      { 'main.tf': `resource "terraform_data" "x" {\n  ${LOCAL_EXEC}\n}\n` },
      'p/main.tf:2',
    ],
    [
      'bare label',
      {
        'main.tf':
          'resource terraform_data x {\n  provisioner local-exec {\n    command = "id"\n  }\n}\n',
      },
      'p/main.tf:2',
    ],
    [
      'after a string with a brace',
      {
        'main.tf': `locals {\n  s = "\${"}"}"\n}\nresource "terraform_data" "x" {\n  ${LOCAL_EXEC}\n}\n`,
      },
      'p/main.tf:5',
    ],
    [
      'in JSON syntax',
      {
        'main.tf.json':
          '{"resource": {"terraform_data": {"x": {"provisioner": [{"local-exec": {"command": "id"}}]}}}}',
      },
      'p/main.tf.json:1',
    ],
    [
      'in a JSON duplicate key',
      {
        'main.tf.json':
          '{"resource": {"terraform_data": {"x": {"provisioner": [{"local-exec": {"command": "id"}}]}}},\n "resource": {"terraform_data": {"y": {}}}}',
      },
      'p/main.tf.json:1',
    ],
    [
      'in a nested local module',
      {
        'main.tf': 'module "a" {\n  source = "./a"\n}\n',
        'a/main.tf': 'module "b" {\n  source = "../b"\n}\n',
        'b/x.tf': `resource "terraform_data" "x" {\n  ${LOCAL_EXEC}\n}\n`,
      },
      'p/b/x.tf:2',
    ],
    [
      'in a removed block',
      { 'main.tf': `removed {\n  from = terraform_data.x\n  ${LOCAL_EXEC}\n}\n` },
      'p/main.tf:3',
    ],
  ])('is refused %s', async (_name, files, where) => {
    const found = await problems(files);
    expect(found).toEqual([expect.stringContaining(`${where}: `)]);
    expect(found[0]).toMatch(
      /local-exec provisioner, which LOCAL_EXEC_ENABLED=false forbids.*LOCALEXEC_ENABLED/,
    );
  });

  it('is not seen in comments, strings and heredocs, and is allowed when enabled', async () => {
    const oneLine = 'provisioner "local-exec" { command = "id" }';
    const text = `# ${oneLine}\n// ${oneLine}\n/* ${LOCAL_EXEC} */\nresource "terraform_data" "x" {\n  input = "provisioner \\"local-exec\\" {"\n  triggers_replace = <<EOT\n${LOCAL_EXEC}\nEOT\n}\n`;
    expect(await problems({ 'main.tf': text })).toEqual([]);
    expect(
      await problems(
        { 'main.tf': `resource "terraform_data" "x" {\n  ${LOCAL_EXEC}\n}\n` },
        { ...closed, localExecEnabled: true },
      ),
    ).toEqual([]);
  });

  it('ignores files Terraform ignores, and reads only top-level files of each module', async () => {
    expect(
      await problems({
        '.hidden.tf': LOCAL_EXEC,
        'main.tf~': LOCAL_EXEC,
        'sub/unused.tf': `resource "a" "b" {\n  ${LOCAL_EXEC}\n}\n`,
        'main.tf': '',
      }),
    ).toEqual([]);
  });
});

describe('files the guard cannot read', () => {
  it.each([
    [
      'invalid HCL',
      { 'main.tf': 'resource "terraform_data" {\n' },
      /p\/main\.tf: main\.tf cannot be read as Terraform HCL syntax/,
    ],
    [
      'JSON with a comment',
      { 'main.tf.json': '{"resource": {} // x\n}' },
      /p\/main\.tf\.json: main\.tf\.json cannot be read as Terraform JSON syntax/,
    ],
    ['JSON that is a list', { 'main.tf.json': '[]' }, /JSON syntax/],
  ])('refuses %s', async (_name, files, pattern) => {
    expect(await problems(files)).toEqual([expect.stringMatching(pattern)]);
  });
});

describe('module sources', () => {
  const acme: GuardrailOptions = {
    ...closed,
    allowedModules: [{ sourceType: 'gitHttps', path: 'github.com/acme', private: false }],
  };
  it.each([
    [
      'parentheses',
      'module "m" {\n  source = ("git::https://github.com/acme/x")\n}\n',
      /not one literal string/,
    ],
    [
      'interpolation',
      'module "m" {\n  source = "git::https://github.com/${var.org}/x"\n}\n',
      /not one literal string/,
    ],
    [
      'a remote source not allowed',
      'module "m" {\n  source = "github.com/other/x"\n}\n',
      /no FEATURES_TERRAFORM_MODULES entry allows/,
    ],
    [
      'a local source leaving the project',
      'module "m" {\n  source = "../../etc"\n}\n',
      /leaves the project/,
    ],
  ])('refuses %s', async (_name, text, pattern) => {
    expect(await problems({ 'main.tf': text }, acme)).toEqual([expect.stringMatching(pattern)]);
  });

  it('refuses a remote source in JSON syntax, and allows one under an entry', async () => {
    expect(
      await problems(
        { 'main.tf.json': '{"module": {"m": {"source": "github.com/other/x"}}}' },
        acme,
      ),
    ).toEqual([
      expect.stringMatching(/^p\/main\.tf\.json:1: module "m" has source github.com\/other\/x/),
    ]);
    expect(
      await problems(
        { 'main.tf': 'module "m" {\n  source = "git::https://github.com/acme/x.git?ref=v1"\n}\n' },
        acme,
      ),
    ).toEqual([]);
  });

  it('follows links into the checkout and refuses links leading elsewhere', async () => {
    const checkout = project({
      'mod/main.tf': `resource "terraform_data" "x" {\n  ${LOCAL_EXEC}\n}\n`,
    });
    const dir = project({ 'main.tf': 'module "r" {\n  source = "./repodir/mod"\n}\n' });
    symlinkSync(checkout, join(dir, 'repodir'));
    expect(await problems({}, closed, 'before-init', { dir, extraRoots: [checkout] })).toEqual([
      expect.stringMatching(
        /^p\/repodir\/mod\/main\.tf:2: resource "terraform_data\.x" uses the local-exec/,
      ),
    ]);
    expect(await problems({}, closed, 'before-init', { dir })).toEqual([
      expect.stringMatching(/^p\/repodir: repodir is a symbolic link to .*, outside the project/),
      expect.stringMatching(
        /^p\/main\.tf:1: module "r" has source \.\/repodir\/mod, which leaves the project/,
      ),
    ]);
  });
});

describe('providers', () => {
  it.each([
    [
      'required_providers',
      'terraform {\n  required_providers {\n    evil = { source = "evil/x" }\n  }\n}\n',
      /p\/main\.tf:3: required_providers entry "evil" needs provider registry\.terraform\.io\/evil\/x/,
    ],
    [
      'a resource type',
      'resource "external_thing" "x" {}\n',
      /p\/main\.tf:1: resource "external_thing" needs provider registry\.terraform\.io\/hashicorp\/external/,
    ],
    [
      'a data source in a check',
      'check "c" {\n  data "http" "x" {\n    url = "http://x"\n  }\n}\n',
      /hashicorp\/http/,
    ],
    ['a provider block', 'provider "local" {}\n', /hashicorp\/local/],
    [
      'a provider function',
      'locals {\n  a = provider::external::f("x")\n}\n',
      /p\/main\.tf:2: function provider::external::… needs provider registry\.terraform\.io\/hashicorp\/external/,
    ],
    [
      'a resource with provider =',
      'terraform {\n  required_providers {\n    other = { source = "acme/other" }\n  }\n}\nresource "aws_s3_bucket" "b" {\n  provider = other\n}\n',
      /acme\/other/,
    ],
  ])('refuses one not allowed in %s', async (_name, text, pattern) => {
    expect(await problems({ 'main.tf': text })).toContainEqual(expect.stringMatching(pattern));
  });

  it('allows the default ones, implied or declared, and the built-in provider', async () => {
    const text =
      'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "~> 5.0" }\n    rnd = { source = "registry.terraform.io/HashiCorp/random" }\n  }\n}\nresource "aws_sqs_queue" "q" {}\nresource "random_id" "i" {\n  provider = rnd\n}\nresource "terraform_data" "d" {}\ndata "terraform_remote_state" "s" {\n  backend = "s3"\n  config = { bucket = "b", key = "shared/x" }\n}\n';
    expect(
      await problems(
        { 'main.tf': text },
        { ...closed, allowedRemoteStates: [{ bucket: 'b', keyPrefix: 'shared/' }] },
      ),
    ).toEqual([]);
  });

  it('checks a lock file shipped with the project', async () => {
    const lock = 'provider "registry.terraform.io/evil/x" {\n  version = "1.0.0"\n}\n';
    expect(await problems({ 'main.tf': '', '.terraform.lock.hcl': lock })).toEqual([
      expect.stringMatching(
        /^p\/\.terraform\.lock\.hcl:1: .terraform.lock.hcl selects provider registry.terraform.io\/evil\/x/,
      ),
    ]);
  });
});

describe('folders and files that change how Terraform installs providers', () => {
  it.each([
    'terraform.d/plugins/x.zip',
    'sub/.terraform/providers/x',
    'terraform.rc',
    'a/.terraformrc',
    '.terraform/providers/x',
  ])('refuses %s', async (path) => {
    expect(await problems({ 'main.tf': '', [path]: 'x' })).toContainEqual(
      expect.stringMatching(/is refused: Terraform would read it/),
    );
  });
});

describe('terraform blocks', () => {
  it('refuses terraform blocks in override files, and backend or cloud blocks anywhere', async () => {
    expect(
      await problems({
        'zzz_override.tf': 'terraform {\n  backend "s3" {\n    acl = "public-read"\n  }\n}\n',
      }),
    ).toEqual([
      expect.stringMatching(
        /^p\/zzz_override\.tf:1: zzz_override\.tf is an override file with a terraform block/,
      ),
      expect.stringMatching(/^p\/zzz_override\.tf:2: .*declares a backend block/),
    ]);
    expect(await problems({ 'override.tf.json': '{"terraform": {}}' })).toEqual([
      expect.stringMatching(/override file/),
    ]);
    expect(await problems({ 'main.tf': 'terraform {\n  cloud {}\n}\n' })).toEqual([
      expect.stringMatching(/declares a cloud block/),
    ]);
  });
});

describe('terraform_remote_state', () => {
  const text = (config: string) =>
    `data "terraform_remote_state" "s" {\n  backend = "s3"\n  config = ${config}\n}\n`;
  const allowed: GuardrailOptions = {
    ...closed,
    allowedRemoteStates: [{ bucket: 'states', keyPrefix: 'shop/dev/app/' }],
  };
  it.each([
    ['by default', text('{ bucket = "states", key = "shop/dev/app/other/x" }'), closed],
    ['another prefix', text('{ bucket = "states", key = "other/app/x" }'), allowed],
    ['a key with ..', text('{ bucket = "states", key = "shop/dev/app/../../x" }'), allowed],
    ['an expression', text('{ bucket = "states", key = "shop/dev/app/${var.x}" }'), allowed],
    [
      'another setting',
      text('{ bucket = "states", key = "shop/dev/app/x", profile = "p" }'),
      allowed,
    ],
    [
      'the local backend',
      'data "terraform_remote_state" "s" {\n  backend = "local"\n  config = { path = "/x" }\n}\n',
      allowed,
    ],
  ])('refuses %s', async (_name, source, options) => {
    expect(await problems({ 'main.tf': source }, options)).toEqual([
      expect.stringMatching(/^p\/main\.tf:1: .*FEATURES_TERRAFORM_REMOTE_STATE does not allow/),
    ]);
  });
  it('allows an allowed prefix', async () => {
    expect(
      await problems({ 'main.tf': text('{ bucket = "states", key = "shop/dev/app/x" }') }, allowed),
    ).toEqual([]);
  });
});

describe('file functions', () => {
  const local = (expr: string) => ({
    'main.tf': `locals {\n  v = ${expr}\n}\n`,
    'files/a.txt': 'a',
    'tpl/t.tpl': 'x',
  });
  it.each([
    'filebase64("/proc/self/environ")',
    'file("~/.aws/credentials")',
    'file("${path.module}/../../etc/passwd")',
    'file(var.path)',
    'file(abspath("x"))',
    'file(pathexpand("~/.aws/credentials"))',
    'file("${path.cwd}/x")',
    'core::file("/etc/passwd")',
    'filesha256("/etc/passwd")',
    'fileset("/etc", "*")',
    'fileset(path.module, "../../**")',
    'templatefile("/etc/passwd", {})',
    '"${file("/etc/passwd")}"',
    '[for f in ["/etc/passwd"] : file(f)]',
    'file("${path.module}/.terraform/x")',
    'file(local.elsewhere)',
  ])('refuses %s', async (expr) => {
    const files = { ...local(expr), 'more.tf': 'locals {\n  elsewhere = "/etc/passwd"\n}\n' };
    expect(await problems(files)).toEqual([
      expect.stringMatching(/^p\/main\.tf:2: .*Terraform would read it on the runner/),
    ]);
  });

  it.each([
    'file("${path.module}/files/a.txt")',
    'file("files/a.txt")',
    'filemd5("${path.root}/files/a.txt")',
    'templatefile("${path.module}/tpl/t.tpl", { a = 1 })',
    '[for f in sort(fileset("${path.module}/files", "**")) : filesha256("${path.module}/files/${f}")]',
    'fileexists("${path.module}/files/missing.txt")',
  ])('allows %s', async (expr) => {
    expect(await problems(local(expr))).toEqual([]);
  });

  it('reads templatefile templates, which can call file functions too', async () => {
    expect(
      await problems({
        'main.tf': 'locals {\n  v = templatefile("${path.module}/t.tpl", {})\n}\n',
        't.tpl': 'a "quote" ${file("/etc/passwd")}\n',
      }),
    ).toEqual([expect.stringMatching(/^p\/t\.tpl:1: file\("\/etc\/passwd"\) is absolute/)]);
  });

  it('reads JSON-syntax strings as templates, keys included', async () => {
    expect(
      await problems({ 'main.tf.json': '{"locals": {"a": "${file(\\"/etc/passwd\\")}"}}' }),
    ).toEqual([expect.stringMatching(/^p\/main\.tf\.json:1: file\("\/etc\/passwd"\) is absolute/)]);
    expect(
      await problems({ 'main.tf.json': '{"locals": {"a": {"${file(\\"/etc/passwd\\")}": 1}}}' }),
    ).toHaveLength(1);
  });

  it('confines path attributes and the file provisioner source', async () => {
    const found = await problems({
      'main.tf':
        'resource "aws_s3_object" "o" {\n  bucket = "b"\n  key = "k"\n  source = "/etc/passwd"\n}\nresource "aws_lambda_function" "f" {\n  filename = "${path.module}/f.zip"\n}\nresource "terraform_data" "x" {\n  provisioner "file" {\n    source = "~/.ssh/id_rsa"\n    destination = "/tmp/x"\n  }\n}\n',
    });
    expect(found).toEqual([
      expect.stringMatching(
        /^p\/main\.tf:4: aws_s3_object\.o\.source = "\/etc\/passwd" is absolute/,
      ),
      expect.stringMatching(
        /^p\/main\.tf:10: provisioner "file" source = "~\/\.ssh\/id_rsa" starts with ~/,
      ),
    ]);
  });

  it('refuses paths through links leading outside', async () => {
    const dir = project({ 'main.tf': 'locals {\n  v = file("${path.module}/etc/passwd")\n}\n' });
    symlinkSync('/etc', join(dir, 'etc'));
    expect(await problems({}, closed, 'before-init', { dir })).toContainEqual(
      expect.stringMatching(/^p\/etc: etc is a symbolic link to \/etc/),
    );
  });
});
