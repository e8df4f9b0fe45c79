/**
 * Malformed and hostile inputs, each with what its error must say. Every case runs a built bundle
 * on a copy of the e2e fixtures (app `single`, plugin `acme/node-a`), with files replaced or added
 * as the case says.
 */

export interface BadInputCase {
  name: string;
  /** Files to write, relative to the checkout (string or bytes). */
  files?: Record<string, string | Buffer>;
  /** The step's `with:` values over the defaults. */
  with?: Record<string, string>;
  /** What the error annotations/log must match. */
  expect: RegExp;
  /**
   * Found only while planning, inside a run: the run is recorded as USER_ERROR (its lock
   * released) and nothing else in S3 changes.
   */
  opensRun?: boolean;
}

const STK = 'single/.stk/stk.yaml';
const PLUGIN = 'plugins/bad/plugin.yaml';
const TEMPLATE = 'plugins/bad/templates-deploy/main.tf';

/** A valid descriptor whose one plugin is `acme/bad@1.0.0` with `inputs`. */
function usingBad(inputs = 'name: x'): string {
  return [
    'schema-version: v3',
    'kind: manifest',
    'metadata: { name: single }',
    'spec:',
    '  type: app',
    '  app-id: 01JS1NGLE00000000000000000',
    '  plugins:',
    '    - name: acme/bad@1.0.0',
    '      alias: bad',
    '      type: infra',
    '      inputs:',
    `        ${inputs}`,
    '',
  ].join('\n');
}

const GOOD_PLUGIN = [
  'schema-version: v3',
  'kind: plugin',
  'metadata: { name: bad, version: 1.0.0 }',
  'spec:',
  '  type: infra',
  '  inputs:',
  '    - { name: name, type: text }',
  '',
].join('\n');

function descriptor(body: string): string {
  return [
    'schema-version: v3',
    'kind: manifest',
    'metadata: { name: single }',
    'spec:',
    '  type: app',
    '  app-id: 01JS1NGLE00000000000000000',
    body,
    '',
  ].join('\n');
}

const pluginEntry = (extra = '', alias = 'only') =>
  `    - name: acme/node-a@1.0.0\n      alias: ${alias}\n      type: infra\n      inputs: { label: x }${extra}`;

const billionLaughs = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
  'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
  'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
  'i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]',
].join('\n');

const TEMPLATES = 'plugins/bad/templates-deploy';
const LOCAL_EXEC_TF =
  'resource "terraform_data" "x" {\n  provisioner "local-exec" {\n    command = "id"\n  }\n}\n';
const LOCAL_EXEC_JSON =
  '{"resource": {"terraform_data": {"x": {"provisioner": [{"local-exec": {"command": "id"}}]}}}}\n';

/** A plugin `acme/bad` whose templates are `files` (relative to templates-deploy/). */
function guardCase(
  name: string,
  files: Record<string, string>,
  expect: RegExp,
  withInputs: Record<string, string> = {},
  extra: Record<string, string> = {},
): BadInputCase {
  const templates = Object.fromEntries(
    Object.entries(files).map(([path, text]) => [`${TEMPLATES}/${path}`, text]),
  );
  return {
    name: `guard: ${name}`,
    opensRun: true,
    files: { [STK]: usingBad(), [PLUGIN]: GOOD_PLUGIN, ...templates, ...extra },
    with: { LOCAL_EXEC_ENABLED: 'false', ...withInputs },
    expect,
  };
}

/** Every attack of issue 17's "Terraform guards" section, through orchestrate-and-plan's plan. */
function terraformGuardCases(): BadInputCase[] {
  const localExec = /uses the local-exec provisioner, which LOCAL_EXEC_ENABLED=false forbids/;
  return [
    guardCase(
      'local-exec in a .tf.json (classic mode)',
      { 'main.tf.json': LOCAL_EXEC_JSON },
      localExec,
    ),
    guardCase(
      'local-exec in a .tf.json (unified mode)',
      { 'main.tf.json': LOCAL_EXEC_JSON },
      localExec,
      { FEATURES_UNIFIED_DEPLOY: 'true' },
    ),
    guardCase(
      'local-exec with an unquoted label',
      {
        'main.tf':
          'resource "terraform_data" "x" {\n  provisioner local-exec {\n    command = "id"\n  }\n}\n',
      },
      localExec,
    ),
    guardCase(
      'local-exec after a string with a closing brace',
      { 'main.tf': `locals {\n  s = "\${"}"}"\n}\n${LOCAL_EXEC_TF}` },
      localExec,
    ),
    guardCase(
      'local-exec in a module under ./repodir/ (CHECKOUT_BRANCH)',
      { 'main.tf': 'module "m" {\n  source = "./repodir/evilmod"\n}\n' },
      // Named as the repository file a user can open (repodir/ is the checkout).
      /(^|\n)evilmod\/main\.tf:2: resource "terraform_data\.x" uses the local-exec provisioner/,
      { CHECKOUT_BRANCH: 'true' },
      { 'evilmod/main.tf': LOCAL_EXEC_TF },
    ),
    guardCase(
      'remote module source in a .tf.json',
      { 'main.tf.json': '{"module": {"m": {"source": "git::https://github.com/evil/mod.git"}}}\n' },
      /module "m" has source git::https:\/\/github\.com\/evil\/mod\.git, which no FEATURES_TERRAFORM_MODULES entry allows/,
    ),
    guardCase(
      'remote module source in parentheses',
      { 'main.tf': 'module "m" {\n  source = ("git::https://github.com/evil/mod.git")\n}\n' },
      /module "m" has a source that is not one literal string/,
    ),
    guardCase(
      'provider not allowed in required_providers',
      {
        'main.tf':
          'terraform {\n  required_providers {\n    evil = { source = "evil/pwn" }\n  }\n}\n',
      },
      /needs provider registry\.terraform\.io\/evil\/pwn, which FEATURES_TERRAFORM_PROVIDERS does not allow/,
    ),
    guardCase(
      'provider not allowed, implied by a resource type',
      { 'main.tf': 'resource "external_thing" "x" {}\n' },
      /resource "external_thing" needs provider registry\.terraform\.io\/hashicorp\/external/,
    ),
    guardCase(
      'provider zip in terraform.d/plugins',
      {
        'main.tf': 'resource "terraform_data" "x" {}\n',
        'terraform.d/plugins/registry.terraform.io/hashicorp/null/9.9.9/linux_amd64/terraform-provider-null.zip':
          'PK',
      },
      /terraform\.d is refused: Terraform would read it as a local provider mirror/,
    ),
    guardCase(
      'an *_override.tf adding backend settings',
      {
        'main.tf': '',
        'zzz_override.tf': 'terraform {\n  backend "s3" {\n    acl = "public-read"\n  }\n}\n',
      },
      /zzz_override\.tf is an override file with a terraform block/,
    ),
    guardCase(
      'filebase64("/proc/self/environ")',
      { 'main.tf': 'output "e" {\n  value = filebase64("/proc/self/environ")\n}\n' },
      /main\.tf:2: filebase64\("\/proc\/self\/environ"\) is absolute/,
    ),
    guardCase(
      'file("~/.aws/credentials")',
      { 'main.tf': 'output "c" {\n  value = file("~/.aws/credentials")\n}\n' },
      /main\.tf:2: file\("~\/\.aws\/credentials"\) starts with ~/,
    ),
    guardCase(
      'templatefile of a template that calls file()',
      {
        'main.tf': 'output "t" {\n  value = templatefile("${path.module}/t.tpl", {})\n}\n',
        't.tpl': 'host: ${file("/etc/hostname")}\n',
      },
      /t\.tpl:1: file\("\/etc\/hostname"\) is absolute/,
    ),
    guardCase(
      "terraform_remote_state of another app's state",
      {
        'main.tf':
          'data "terraform_remote_state" "other" {\n  backend = "s3"\n  config = {\n    bucket = "badinputs-tfstate"\n    key    = "shop/dev/app/01OTHERAPP0000000000000000/x/terraform.tfstate"\n    region = "us-east-1"\n  }\n}\n',
      },
      /data "terraform_remote_state" "other" reads another state .*FEATURES_TERRAFORM_REMOTE_STATE does not allow/,
    ),
  ];
}

/** Cases for orchestrate-and-plan: the descriptor, plugins, templates and its inputs. */
export const ORCHESTRATE_CASES: BadInputCase[] = [
  // --- .stk/stk.yaml
  {
    name: 'descriptor: YAML syntax error',
    files: { [STK]: 'spec:\n  plugins: [\n' },
    expect: /stk\.yaml.*YAML syntax error/,
  },
  {
    name: 'descriptor: tab indentation',
    files: { [STK]: 'spec:\n\ttype: app\n' },
    expect: /stk\.yaml.*(YAML syntax error|tab)/i,
  },
  { name: 'descriptor: empty file', files: { [STK]: '' }, expect: /stk\.yaml/ },
  { name: 'descriptor: a list at the top', files: { [STK]: '- a\n- b\n' }, expect: /stk\.yaml/ },
  { name: 'descriptor: null document', files: { [STK]: '~\n' }, expect: /stk\.yaml/ },
  {
    name: 'descriptor: unknown schema-version',
    files: { [STK]: descriptor('  plugins: []').replace('v3', 'v9') },
    expect: /schema-version/,
  },
  {
    name: 'descriptor: kind plugin',
    files: { [STK]: descriptor('  plugins: []').replace('kind: manifest', 'kind: plugin') },
    expect: /kind/,
  },
  {
    name: 'descriptor: no spec',
    files: { [STK]: 'schema-version: v3\nkind: manifest\nmetadata: { name: x }\n' },
    expect: /spec/,
  },
  {
    name: 'descriptor: plugins is a string',
    files: { [STK]: descriptor('  plugins: lots') },
    expect: /plugins/,
  },
  {
    name: 'descriptor: plugin without name',
    files: { [STK]: descriptor('  plugins:\n    - alias: x\n      type: infra') },
    expect: /name/,
  },
  {
    name: 'descriptor: plugin name not org/name@version',
    files: { [STK]: descriptor('  plugins:\n    - name: nope\n      alias: x\n      type: infra') },
    expect: /nope/,
  },
  {
    name: 'descriptor: duplicate aliases',
    files: { [STK]: descriptor(`  plugins:\n${pluginEntry()}\n${pluginEntry()}`) },
    expect: /only/,
  },
  {
    name: 'descriptor: alias climbing out of key paths',
    files: { [STK]: descriptor(`  plugins:\n${pluginEntry('', '"../../etc"')}`) },
    expect: /alias/,
  },
  {
    name: 'descriptor: alias with a slash',
    files: { [STK]: descriptor(`  plugins:\n${pluginEntry('', 'a/b')}`) },
    expect: /alias/,
  },
  {
    name: 'descriptor: alias with a newline and a workflow command',
    files: {
      [STK]: descriptor(`  plugins:\n${pluginEntry('', '"x\\n::set-output name=run_id::evil"')}`),
    },
    expect: /alias/,
  },
  {
    name: 'descriptor: 10 000-character alias',
    files: { [STK]: descriptor(`  plugins:\n${pluginEntry('', 'a'.repeat(10000))}`) },
    expect: /alias/,
  },
  {
    name: 'descriptor: app-id climbing out',
    files: {
      [STK]: descriptor(`  plugins:\n${pluginEntry()}`).replace(
        '01JS1NGLE00000000000000000',
        '"../../other"',
      ),
    },
    expect: /app-id/,
  },
  {
    name: 'descriptor: alias bomb',
    files: { [STK]: `${billionLaughs}\n${descriptor('  plugins: *i')}` },
    expect: /alias/i,
  },
  {
    name: 'descriptor: 20 000 nested brackets',
    files: { [STK]: `spec: ${'['.repeat(20000)}${']'.repeat(20000)}\n` },
    expect: /stk\.yaml/,
  },
  {
    name: 'descriptor: 3 MiB file',
    files: { [STK]: `# ${'x'.repeat(3 * 1024 * 1024)}\n` },
    expect: /MiB/,
  },
  {
    name: 'descriptor: not UTF-8',
    files: {
      [STK]: Buffer.concat([
        Buffer.from('metadata: { name: caf'),
        Buffer.from([0xe9, 0xff]),
        Buffer.from(' }\n'),
      ]),
    },
    expect: /not valid UTF-8/,
  },
  {
    name: 'descriptor: duplicate keys',
    files: {
      [STK]: descriptor(`  plugins:\n${pluginEntry()}`).replace(
        '  type: app',
        '  type: app\n  type: infra',
      ),
    },
    expect: /(duplicate|unique|Map keys)/i,
  },
  {
    name: 'descriptor: inputs is a list',
    files: {
      [STK]: descriptor(
        '  plugins:\n    - name: acme/node-a@1.0.0\n      alias: only\n      type: infra\n      inputs: [a, b]',
      ),
    },
    expect: /inputs/,
  },
  {
    name: 'descriptor: required input missing',
    files: {
      [STK]: descriptor(
        '  plugins:\n    - name: acme/node-a@1.0.0\n      alias: only\n      type: infra',
      ),
    },
    expect: /label/,
  },
  {
    name: 'descriptor: plugin that does not exist',
    files: {
      [STK]: descriptor(
        '  plugins:\n    - name: acme/ghost@9.9.9\n      alias: ghost\n      type: infra',
      ),
    },
    expect: /ghost/,
  },
  {
    name: 'descriptor: required connection nobody generates',
    files: {
      [STK]: descriptor(
        '  plugins:\n    - name: acme/step@1.0.0\n      alias: s\n      type: infra\n      inputs:\n        upstream: { stk-type: required-connection, selected: nowhere, type: diamond-conn }',
      ),
    },
    expect: /nowhere/,
  },
  {
    name: 'descriptor: dependency cycle',
    files: {
      [STK]: descriptor(
        [
          '  plugins:',
          '    - name: acme/node-b@1.0.0',
          '      alias: b1',
          '      type: infra',
          '      inputs:',
          '        upstream: { stk-type: required-connection, selected: c-two, type: diamond-conn }',
          '        out: { stk-type: generated-connection, selected: c-one, type: diamond-conn }',
          '    - name: acme/node-b@1.0.0',
          '      alias: b2',
          '      type: infra',
          '      inputs:',
          '        upstream: { stk-type: required-connection, selected: c-one, type: diamond-conn }',
          '        out: { stk-type: generated-connection, selected: c-two, type: diamond-conn }',
        ].join('\n'),
      ),
    },
    expect: /cycle/i,
  },
  {
    name: 'descriptor: a YAML tag asking for code',
    files: {
      [STK]: descriptor(`  plugins:\n${pluginEntry()}`).replace(
        'inputs: { label: x }',
        'inputs: { label: !!js/function "function(){ return process }" }',
      ),
    },
    expect: /(tag|label)/i,
  },
  // --- plugin.yaml
  {
    name: 'plugin.yaml: syntax error',
    files: { [STK]: usingBad(), [PLUGIN]: 'spec: [\n', [TEMPLATE]: '' },
    expect: /plugin\.yaml.*YAML syntax error/,
  },
  {
    name: 'plugin.yaml: no spec.type',
    files: {
      [STK]: usingBad(),
      [PLUGIN]: GOOD_PLUGIN.replace('  type: infra\n', ''),
      [TEMPLATE]: '',
    },
    expect: /plugin\.yaml/,
  },
  {
    name: 'plugin.yaml: unknown input type',
    files: {
      [STK]: usingBad(),
      [PLUGIN]: GOOD_PLUGIN.replace('type: text', 'type: rocket'),
      [TEMPLATE]: '',
    },
    expect: /rocket/,
  },
  {
    name: 'plugin.yaml: alias bomb',
    files: { [STK]: usingBad(), [PLUGIN]: `${billionLaughs}\n${GOOD_PLUGIN}`, [TEMPLATE]: '' },
    expect: /alias/i,
  },
  {
    name: 'plugin.yaml: generated connection without type',
    files: {
      [STK]: usingBad(),
      [PLUGIN]: `${GOOD_PLUGIN}  generates:\n    connections:\n      - alias: out\n`,
      [TEMPLATE]: '',
    },
    expect: /plugin\.yaml/,
  },
  {
    name: 'plugin.yaml: not UTF-8',
    files: {
      [STK]: usingBad(),
      [PLUGIN]: Buffer.from([0x6b, 0x69, 0x6e, 0x64, 0x3a, 0x20, 0xc3, 0x28, 0x0a]),
      [TEMPLATE]: '',
    },
    expect: /not valid UTF-8/,
  },
  {
    name: 'plugin.yaml: a Terraform runtime environment this engine does not know',
    files: {
      [STK]: usingBad(),
      [PLUGIN]: `${GOOD_PLUGIN}  runtime:\n    environment: [terraform-1-13]\n`,
      [TEMPLATE]: '',
    },
    expect:
      /plugins\/bad\/plugin\.yaml:9:19: Plugin bad names the runtime environment 'terraform-1-13', which is not a Terraform version this engine knows\. Use one of terraform-1-0, .*or set TERRAFORM_VERSION/,
  },
  {
    name: 'plugin.yaml: a Terraform newer than a plugin may choose',
    files: {
      [STK]: usingBad(),
      [PLUGIN]: `${GOOD_PLUGIN}  runtime:\n    environment: [terraform-1-14-0]\n`,
      [TEMPLATE]: '',
    },
    expect:
      /plugins\/bad\/plugin\.yaml:9:19: Plugin bad asks for Terraform 1\.14\.0 \(terraform-1-14-0\), newer than a plugin may choose \(up to 1\.12\.x\).*The workflow can choose it: set TERRAFORM_VERSION/,
  },
  {
    name: 'plugin.yaml: two Terraform runtime environments',
    files: {
      [STK]: usingBad(),
      [PLUGIN]: `${GOOD_PLUGIN}  runtime:\n    environment: [terraform-1-4, terraform-1-11]\n`,
      [TEMPLATE]: '',
    },
    expect: /plugin\.yaml:9:5: spec\.runtime\.environment names 2 Terraform versions/,
  },
  {
    name: 'plugin.yaml: unified plugins asking for different Terraform versions',
    files: {
      [STK]: usingBad().replace(
        '    - name: acme/bad@1.0.0',
        '    - { name: acme/other@1.0.0, alias: other, type: infra }\n    - name: acme/bad@1.0.0',
      ),
      [PLUGIN]: `${GOOD_PLUGIN}  runtime:\n    environment: [terraform-1-10]\n`,
      'plugins/other/plugin.yaml': `${GOOD_PLUGIN.replace('name: bad', 'name: other').replace(
        '  inputs:\n    - { name: name, type: text }\n',
        '',
      )}  runtime:\n    environment: [terraform-1-12]\n`,
      [TEMPLATE]: '',
      'plugins/other/templates-deploy/main.tf': '',
    },
    with: { FEATURES_UNIFIED_DEPLOY: 'true' },
    expect:
      /plugins\/other\/plugin\.yaml:7:19: Plugin other asks for Terraform 1\.12\.2 \(terraform-1-12\)\.\nplugins\/bad\/plugin\.yaml:9:19: Plugin bad asks for Terraform 1\.10\.5 \(terraform-1-10\)\.\n.*The plugins ask for 2 Terraform versions \(1\.12\.2, 1\.10\.5\); no run was opened.*one Terraform project.*set TERRAFORM_VERSION/s,
  },
  {
    name: 'plugin.yaml: runtime.environment a string',
    files: {
      [STK]: usingBad(),
      [PLUGIN]: `${GOOD_PLUGIN}  runtime:\n    environment: terraform-1-4\n`,
      [TEMPLATE]: '',
    },
    expect: /plugin\.yaml:9:5: spec\.runtime\.environment must be a list/,
  },
  // --- templates
  {
    name: 'template: unclosed tag',
    opensRun: true,
    files: { [STK]: usingBad(), [PLUGIN]: GOOD_PLUGIN, [TEMPLATE]: 'x = "{{ name "\n' },
    expect: /main\.tf/,
  },
  {
    // An undefined name alone renders empty (Jinja's default, with a warning); an attribute of
    // it is an error in both modes, as in Jinja2.
    name: 'template: attribute of an undefined variable',
    opensRun: true,
    files: {
      [STK]: usingBad(),
      [PLUGIN]: GOOD_PLUGIN,
      [TEMPLATE]: '\nx = "{{ nothing_here.arn }}"\n',
    },
    expect: /main\.tf.*nothing_here|nothing_here.*main\.tf/s,
  },
  {
    name: 'template: sandbox escape',
    opensRun: true,
    files: {
      [STK]: usingBad(),
      [PLUGIN]: GOOD_PLUGIN,
      [TEMPLATE]: '{{ "".constructor.constructor("return process")().exit(7) }}\n',
    },
    expect: /constructor/,
  },
  {
    name: 'template: sandbox escape through an undefined name (lenient mode)',
    opensRun: true,
    files: {
      [STK]: usingBad(),
      [PLUGIN]: GOOD_PLUGIN,
      [TEMPLATE]:
        '{% set f = nothing | default(name) %}{{ f.constructor.constructor("return process")().exit(7) }}\n',
    },
    expect: /constructor/,
  },
  {
    name: 'template: include of a file',
    opensRun: true,
    files: {
      [STK]: usingBad(),
      [PLUGIN]: GOOD_PLUGIN,
      [TEMPLATE]: '{% include "/etc/passwd" %}\n',
    },
    expect: /main\.tf/,
  },
  {
    name: 'template: endless loop',
    opensRun: true,
    files: {
      [STK]: usingBad(),
      [PLUGIN]: GOOD_PLUGIN,
      [TEMPLATE]: '{% for i in range(99999999999) %}x{% endfor %}\n',
    },
    expect: /range\(\) is limited/,
  },
  {
    name: 'template: a string doubled 25 times (256 MiB)',
    opensRun: true,
    files: {
      [STK]: usingBad(),
      [PLUGIN]: GOOD_PLUGIN,
      [TEMPLATE]:
        '{% set s = "01234567" %}\n{% for i in range(25) %}{% set s = s ~ s %}{% endfor %}\nx = "{{ s }}"\n',
    },
    expect: /main\.tf:2.*a string grew beyond 10 MiB/,
  },
  {
    name: 'template: a loop printing more than a file may hold',
    opensRun: true,
    files: {
      [STK]: usingBad(),
      [PLUGIN]: GOOD_PLUGIN,
      [TEMPLATE]:
        '{% for i in range(100000) %}{% for j in range(100) %}{{ "0123456789" }}{% endfor %}{% endfor %}\n',
    },
    expect: /main\.tf:1.*printed more than 10 MiB/,
  },
  {
    // Computed inputs render in orchestrate's own process (no worker): the deadline stops them.
    name: 'template: a computed input that loops for hours',
    files: {
      [STK]: usingBad(),
      [PLUGIN]: `${GOOD_PLUGIN}  computed-inputs:\n    bomb: "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"\n`,
      [TEMPLATE]: '',
    },
    expect: /Computed input bomb of bad: .*took longer than 10 s to render/,
  },
  {
    name: 'template: file name rendering to ../',
    opensRun: true,
    files: {
      [STK]: usingBad('name: ".."'),
      [PLUGIN]: GOOD_PLUGIN,
      'plugins/bad/templates-deploy/{{ name }}': 'x\n',
      [TEMPLATE]: '',
    },
    expect: /name/,
  },
  {
    name: 'template: renders invalid HCL',
    opensRun: true,
    files: {
      [STK]: usingBad(),
      [PLUGIN]: GOOD_PLUGIN,
      [TEMPLATE]: 'resource "terraform_data" {\n',
    },
    expect: /main\.tf/,
  },
  {
    name: 'template: local-exec without LOCAL_EXEC_ENABLED',
    opensRun: true,
    files: {
      [STK]: usingBad(),
      [PLUGIN]: GOOD_PLUGIN,
      [TEMPLATE]:
        'resource "terraform_data" "x" {\n  provisioner "local-exec" {\n    command = "id"\n  }\n}\n',
    },
    with: { LOCAL_EXEC_ENABLED: 'false' },
    expect: /local-exec/,
  },
  // --- Terraform guards (issue 17): each one passed the guard before it read Terraform as Terraform does
  ...terraformGuardCases(),
  // --- action inputs
  {
    name: 'input: DYNAMIC_INPUTS not --key value',
    with: { DYNAMIC_INPUTS: 'label=x' },
    expect: /DYNAMIC_INPUTS/,
  },
  {
    name: 'input: FEATURES_TERRAFORM_MODULES not JSON',
    with: { FEATURES_TERRAFORM_MODULES: '[{sourceType: gitHttps' },
    expect: /FEATURES_TERRAFORM_MODULES/,
  },
  {
    name: 'input: TERRAFORM_RELEASES_URL with credentials in it',
    with: { TERRAFORM_RELEASES_URL: 'https://user:hunter2@mirror.example.com/terraform' },
    expect: /Input TERRAFORM_RELEASES_URL must not hold credentials/,
  },
  {
    name: 'input: TERRAFORM_VERSION older than the S3 state locks need',
    with: { TERRAFORM_VERSION: '1.9.8' },
    expect: /Input TERRAFORM_VERSION 1\.9\.8 is older than 1\.10\.0/,
  },
  {
    name: 'input: TERRAFORM_PARALLELISM not a number',
    with: { TERRAFORM_PARALLELISM: 'ten' },
    expect: /TERRAFORM_PARALLELISM/,
  },
  {
    name: 'input: LOCAL_EXEC_ENABLED neither true nor false',
    with: { LOCAL_EXEC_ENABLED: 'maybe' },
    expect: /LOCAL_EXEC_ENABLED/,
  },
  {
    name: 'input: ROLLBACK_TO and DESTROY both set',
    with: { ROLLBACK_TO: 'v1', DESTROY: 'true' },
    expect: /DESTROY is true, but ROLLBACK_TO is also set/,
  },
  {
    name: 'input: ROLLBACK_TO a version never deployed',
    with: { ROLLBACK_TO: 'v0-never' },
    expect: /Version v0-never was never deployed successfully to shop\/dev\/app:single/,
  },
  {
    name: 'input: ROLLBACK_TO with a newline and a workflow command',
    with: { ROLLBACK_TO: 'v1\n::set-output name=run_id::x' },
    expect: /ROLLBACK_TO/,
  },
  {
    name: 'input: WORKDIR climbing out of the checkout',
    with: { WORKDIR: '../../..' },
    expect: /WORKDIR/,
  },
  {
    name: 'input: WORKDIR absolute outside the checkout',
    with: { WORKDIR: '/etc' },
    expect: /Input WORKDIR '\/etc' is absolute and not inside PATH_TO_MOUNT/,
  },
  {
    name: 'input: PATH_TO_MOUNT that does not exist, reported as PATH_TO_MOUNT',
    with: { PATH_TO_MOUNT: '/srv/no-such-checkout', WORKDIR: 'single' },
    expect:
      /^(?![^]*Input WORKDIR)[^]*Input PATH_TO_MOUNT '\/srv\/no-such-checkout' does not exist on this runner/,
  },
  {
    name: 'input: AWS_REGION not a region name',
    with: { AWS_REGION: '../../us-east-1' },
    expect: /Input AWS_REGION "..\/..\/us-east-1" is not allowed: an AWS region name/,
  },
  {
    name: 'input: PATH_TO_MOUNT outside the workspace',
    with: { PATH_TO_MOUNT: '/etc', WORKDIR: '.' },
    expect: /Input PATH_TO_MOUNT '\/etc' is outside the checkout GITHUB_WORKSPACE/,
  },
  {
    name: 'input: ENVIRONMENT with a slash',
    with: { ENVIRONMENT: 'prod/../dev' },
    expect: /ENVIRONMENT/,
  },
  {
    name: 'input: ENVIRONMENT with a newline and a workflow command',
    with: { ENVIRONMENT: 'prod\n::set-output name=run_id::x' },
    expect: /ENVIRONMENT/,
  },
  {
    name: 'input: WORKSPACE of 5 000 characters',
    with: { WORKSPACE: 'w'.repeat(5000) },
    expect: /WORKSPACE/,
  },
  {
    name: 'input: AWS_IAM_ROLE not an ARN',
    with: { AWS_IAM_ROLE: 'deployer' },
    expect: /AWS_IAM_ROLE/,
  },
  {
    name: 'input: BASE_PATH_OUTPUT a path',
    with: { BASE_PATH_OUTPUT: 'sub/../../x.json' },
    expect: /BASE_PATH_OUTPUT/,
  },
  {
    name: 'input: bucket name with a path',
    with: { IAC_BUCKET_NAME: 'iac/../other' },
    expect: /IAC_BUCKET_NAME/,
  }, // --- StackSpot's published formats (issue 18)
  {
    name: 'descriptor: {{ var.KEY }} in an input, KEY not set in the workspace',
    files: {
      [STK]: usingBad("name: 'pre-{{ var.NOT_SET_ANYWHERE }}-post'"),
      [PLUGIN]: GOOD_PLUGIN,
      [TEMPLATE]: '# nothing\n',
    },
    expect: /stk\.yaml:12.*reads shared value NOT_SET_ANYWHERE .*which is not set in workspace/,
  },
  {
    name: 'descriptor: v1 entries of one plugin, no alias, derived aliases clash',
    files: {
      [STK]: usingBad()
        .replace('schema-version: v3', 'schema-version: v1')
        .replace('      alias: bad\n', '')
        .concat('    - { name: acme/stack@1.0.0/bad@1.0.0, type: infra, inputs: { name: y } }\n'),
      [PLUGIN]: GOOD_PLUGIN,
      [TEMPLATE]: '# nothing\n',
    },
    expect:
      /stk\.yaml:12.*has no alias, and the one derived from its plugin name, 'bad', is already used by plugin 1/,
  },
  {
    name: 'plugin: required inputs-envs input without a value for the environment',
    files: {
      [STK]: usingBad().concat('      inputs-envs: { region: { some-other-env: eu-west-1 } }\n'),
      [PLUGIN]: GOOD_PLUGIN.concat(
        '  inputs-envs:\n    - { label: Region, name: region, type: text, required: true }\n',
      ),
      [TEMPLATE]: '# {{ region }}\n',
    },
    expect:
      /stk\.yaml:13.*Input region of plugin bad is declared per environment .*no value for environment '[^']+'/,
  },
  {
    name: 'descriptor: plugin asked for at a version that is not there',
    files: {
      [STK]: usingBad().replace('acme/bad@1.0.0', 'acme/bad@2.0.0'),
      [PLUGIN]: GOOD_PLUGIN,
      [TEMPLATE]: '# nothing\n',
    },
    expect:
      /stk\.yaml:8.*not found at version 2\.0\.0; bad is there at version 1\.0\.0 \(plugins\/bad\)/,
  },
];

/** Cases for runtime-tasks: TASK_LIST, RUN_ID and its inputs (`RUN` is replaced by a real RUN_ID). */
export const RUNTIME_CASES: BadInputCase[] = [
  {
    name: 'AWS_REGION: another region than the run was planned in',
    with: { AWS_REGION: 'eu-west-1' },
    expect: /Input AWS_REGION is eu-west-1, but run \w+ was planned in us-east-1/,
  },
  {
    name: 'AWS_REGION: not a region name',
    with: { AWS_REGION: 'us-east-1\n::set-output name=x::y' },
    expect: /Input AWS_REGION .* is not allowed: an AWS region name/,
  },
  {
    name: 'OUTPUT_FILE: a path climbing out of the checkout',
    with: { OUTPUT_FILE: '../../../tmp/evil.json' },
    expect: /OUTPUT_FILE/,
  },
  { name: 'TASK_LIST: not JSON', with: { TASK_LIST: '[{runTaskId: ' }, expect: /TASK_LIST/ },
  { name: 'TASK_LIST: an object', with: { TASK_LIST: '{"runTaskId":"x"}' }, expect: /TASK_LIST/ },
  {
    name: 'TASK_LIST: element without runTaskId',
    with: { TASK_LIST: '[{"taskType":"DEPLOY_SELF_HOSTED"}]' },
    expect: /runTaskId/,
  },
  {
    name: 'TASK_LIST: unknown taskType',
    with: { TASK_LIST: '[{"runTaskId":"01J9V6MWFTWQ392331QBCS46KQ","taskType":"RM_RF"}]' },
    expect: /RM_RF/,
  },
  {
    name: 'TASK_LIST: a task of another run',
    with: {
      TASK_LIST:
        '[{"runTaskId":"01J9V6MWFTWQ392331QBCS46KQ","taskType":"DEPLOY_SELF_HOSTED","pluginAppliedAlias":"only"}]',
    },
    expect: /not a task of run/,
  },
  {
    name: 'TASK_LIST: 100 KB of tasks of no run',
    with: {
      TASK_LIST: `[${Array.from({ length: 1200 }, (_, i) => `{"runTaskId":"t${i}","taskType":"DEPLOY_SELF_HOSTED","pluginAppliedAlias":"p${i}"}`).join(',')}]`,
    },
    expect: /not a task of run/,
  },
  {
    name: 'TASK_LIST: a plugin task without its plugin',
    with: { TASK_LIST: '[{"runTaskId":"t1","taskType":"DEPLOY_SELF_HOSTED"}]' },
    expect: /without a pluginAppliedAlias, which that type does not take/,
  },
  {
    name: 'TASK_LIST: a task type no handler has (a name every object has)',
    with: { TASK_LIST: '[{"runTaskId":"t1","taskType":"toString","pluginAppliedAlias":"p"}]' },
    expect: /taskType "toString"; expected one of IAC_SELF_HOSTED/,
  },
  {
    name: 'TASK_LIST: YAML alias bomb in the StackSpot form',
    with: { TASK_LIST: "[&a ['x','x','x'], &b [*a,*a,*a], *b, *b, *b]".replace('[&a', '[&a') },
    expect: /TASK_LIST/,
  },
  { name: 'RUN_ID: not a run id', with: { RUN_ID: 'hello' }, expect: /RUN_ID/ },
  {
    name: 'RUN_ID: bucket with a path',
    with: { RUN_ID: '01J9V6MWFTWQ392331QBCS46KQ@bucket/../x' },
    expect: /RUN_ID/,
  },
  {
    name: 'RUN_ID: a run that does not exist',
    with: { RUN_ID: '01J9V6MWFTWQ392331QBCS46KQ@BUCKET' },
    expect: /does not exist/,
  },
  {
    name: 'EXCLUDE_FILES_PATH: absolute',
    with: { EXCLUDE_FILES_PATH: '/etc' },
    expect: /EXCLUDE_FILES_PATH/,
  },
  {
    name: 'EXCLUDE_FILES_PATH: climbing out',
    with: { EXCLUDE_FILES_PATH: '../../' },
    expect: /EXCLUDE_FILES_PATH/,
  },
];
