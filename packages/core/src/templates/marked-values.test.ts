import { buildTemplateContext, type TemplateContextSource } from './context';
import { renderState } from './marked-runtime';
import { renderTemplateString } from './render-string';
import { secretTexts } from './context';

const FOREIGN = {
  quote: 'a"b',
  backslash: 'a\\b',
  interpolation: '${file("/etc/hostname")}',
  directive: '%{ if true }x%{ endif }',
  newline: 'a\nb\r\tc',
  control: 'a\u0001b\u007fc\u0085d\u2028e',
  dollar: 'cost$',
  percent: '50%',
  plain: 'arn:aws:sns:us-east-1:123456789012:orders',
  list: ['x"y', '${a}', 'ok'],
  map: { 'k${x}': 'v"w', n: 3, b: true },
  brace: '{file("/etc/hostname")}',
  number: 42,
  bool: false,
  empty: '',
};

function context(extra: Partial<TemplateContextSource> = {}): Record<string, unknown> {
  const ctx = buildTemplateContext({
    inputs: { name: 'orders', raw_input: 'in"put' },
    connections: {
      up: FOREIGN,
      creds: { user: 'admin', password: 'pw-S3cret"x' },
      wired: { arn: '${var.stk_conn_topic__arn}' },
    },
    wiredConnectionKeys: ['wired'],
    secretConnectionAttributes: { creds: ['password'] },
    sharedValues: { API_KEY: 'k3y-Secret', EMPTY: '', PREFIX: 'acme' },
    secretSharedValues: ['API_KEY', 'EMPTY'],
    environment: 'dev',
    workspace: 'w',
    alias: 'p',
    version: '1',
    appKind: 'app',
    appId: 'A',
    ...extra,
  });
  renderState.secretTexts = secretTexts(ctx);
  return ctx;
}

function text(template: string): string {
  const result = renderTemplateString(template, context(), 'p/templates-deploy/main.tf');
  if (!result.ok) throw new Error(`expected success: ${result.problem.message}`);
  return result.text;
}

function problem(template: string) {
  const result = renderTemplateString(template, context(), 'p/templates-deploy/main.tf');
  if (result.ok) throw new Error(`expected a problem, rendered: ${result.text}`);
  return result.problem;
}

describe('Connection Interface values are escaped for an HCL string', () => {
  it.each([
    ['quote', 'a\\"b'],
    ['backslash', 'a\\\\b'],
    ['interpolation', '$${file(\\"/etc/hostname\\")}'],
    ['directive', '%%{ if true }x%%{ endif }'],
    ['newline', 'a\\nb\\r\\tc'],
    ['control', 'a\\u0001b\\u007fc\\u0085d\\u2028e'],
    ['dollar', 'cost${"$"}'],
    ['percent', '50${"%"}'],
    ['plain', 'arn:aws:sns:us-east-1:123456789012:orders'],
    ['number', '42'],
    ['bool', 'false'],
    ['empty', ''],
  ])('%s', (attribute, expected) => {
    expect(text(`{{ connections.up.${attribute} }}`)).toBe(expected);
  });

  it('escapes every string of a list, and the keys and values of a map', () => {
    // A list prints as JSON (valid HCL), its strings escaped as in tojson.
    expect(text('{{ connections.up.list }}')).toBe('["x\\"y","$${a}","ok"]');
    expect(text('{% for x in connections.up.list %}[{{ x }}]{% endfor %}')).toBe(
      '[x\\"y][$${a}][ok]',
    );
    expect(text('{% for k, v in connections.up.map %}{{ k }}={{ v }};{% endfor %}')).toBe(
      'k$${x}=v\\"w;n=3;b=true;',
    );
  });

  it('cannot be completed into ${ by the value that follows', () => {
    expect(text('"{{ connections.up.dollar }}{{ connections.up.brace }}"')).toBe(
      '"cost${"$"}{file(\\"/etc/hostname\\")}"',
    );
  });

  it('keeps the mark through filters, concatenation and indexing', () => {
    expect(text('{{ connections.up.quote | upper }}')).toBe('A\\"B');
    expect(text('{{ connections.up.interpolation | replace("hostname", "passwd") }}')).toBe(
      '$${file(\\"/etc/passwd\\")}',
    );
    expect(text('{{ "q=" ~ connections.up.quote ~ "!" }}')).toBe('q=a\\"b!');
    expect(text('{{ "q=" + connections.up.quote }}')).toBe('q=a\\"b');
    expect(text('{{ connections.up.quote[1] }}')).toBe('\\"');
    expect(text('{{ connections.up.list | join("+") }}')).toBe('x\\"y+$${a}+ok');
    expect(text('{{ connections.up.list | first }}')).toBe('x\\"y');
  });

  it('compares, tests and measures the real value', () => {
    expect(text("{% if connections.up.quote == 'a\"b' %}same{% endif %}")).toBe('same');
    expect(text('{% if "b" in connections.up.quote %}in{% endif %}')).toBe('in');
    expect(text('{{ connections.up.quote | length }}')).toBe('3');
    expect(text('{% if connections.up.quote is string %}s{% endif %}')).toBe('s');
    expect(text('{% if connections.up.empty %}x{% else %}empty{% endif %}')).toBe('empty');
  });

  it('tojson writes valid JSON of the real value, with only Terraform template escapes', () => {
    const json = text('{{ connections.up.list | tojson }}');
    expect(json).toBe('["x\\"y","$${a}","ok"]');
    expect(JSON.parse(json.replace(/\$\$\{/g, '${'))).toEqual(FOREIGN.list);
    const map = text('{{ connections.up.map | tojson }}');
    expect(JSON.parse(map.replace(/\$\$\{/g, '${'))).toEqual(FOREIGN.map);
    expect(text('{{ connections.up.control | tojson }}')).toBe(
      '"a\\u0001b\\u007fc\\u0085d\\u2028e"',
    );
    expect(text('{{ connections.up.dollar | tojson }}')).toBe('"cost$"');
    expect(text('{{ inputs | tojson }}')).toBe(
      '{"name":"orders","raw_input":"in\\"put","stk_env":"dev"}',
    );
  });

  it('| raw prints the value as it is (the documented opt-out)', () => {
    expect(text('{{ connections.up.interpolation | raw }}')).toBe(FOREIGN.interpolation);
    expect(text('{{ connections.up.list | raw | join(",") }}')).toBe('x"y,${a},ok');
  });

  it("leaves the engine's own unified-mode references and the plugin's inputs as they are", () => {
    expect(text('"{{ connections.wired.arn }}"')).toBe('"${var.stk_conn_topic__arn}"');
    expect(text('{{ raw_input }}/{{ var.PREFIX }}')).toBe('in"put/acme');
  });
});

describe('secrets are opaque', () => {
  it('print whole as a sensitive Terraform value, escaped', () => {
    expect(text('"{{ var.API_KEY }}"')).toBe('"${sensitive("k3y-Secret")}"');
    expect(text('"{{ connections.creds.password }}"')).toBe('"${sensitive("pw-S3cret\\"x")}"');
    expect(text('"{{ var.API_KEY | default("x") }}"')).toBe('"${sensitive("k3y-Secret")}"');
    expect(text('{% if var.API_KEY is defined %}d{% endif %}')).toBe('d');
    expect(text('{{ var.EMPTY }}|{{ connections.creds.user }}')).toBe('|admin');
  });

  it.each([
    [
      'a filter',
      '{{ var.API_KEY | reverse }}',
      /var\.API_KEY is secret: it cannot be put through the 'reverse' filter/,
    ],
    [
      'an unknown filter',
      '{{ var.API_KEY | b64encode }}',
      /cannot be put through the 'b64encode' filter/,
    ],
    ['tojson', '{{ var | tojson }}', /var\.API_KEY is secret: .*'tojson'/],
    ['a list filter', '{{ [var.API_KEY] | join }}', /'join' filter/],
    ['concatenation', '{{ var.API_KEY ~ "x" }}', /cannot be concatenated/],
    [
      'addition',
      '{{ "x" + connections.creds.password }}',
      /connections\.creds\.password is secret: it cannot be concatenated/,
    ],
    ['indexing', '{{ var.API_KEY[0] }}', /cannot be indexed or sliced/],
    ['an attribute', '{{ var.API_KEY.length }}', /cannot be indexed or sliced/],
    ['iteration', '{% for c in var.API_KEY %}{{ c }}{% endfor %}', /cannot be iterated/],
    ['comparison', '{% if var.API_KEY == "k" %}{% endif %}', /cannot be compared/],
    ['in', '{% if "k" in var.API_KEY %}{% endif %}', /tested with 'in'/],
    ['a test', '{% if var.API_KEY is equalto("k") %}{% endif %}', /tested with 'is equalto'/],
    ['a function call', '{{ range(var.API_KEY) }}', /passed to range\(\)/],
    [
      'a captured block',
      '{% set x %}{{ var.API_KEY }}{% endset %}{{ x | replace("sensitive", "tostring") }}',
      /holds a printed secret/,
    ],
    [
      'a filter block',
      '{% filter upper %}{{ var.API_KEY }}{% endfilter %}',
      /holds a printed secret/,
    ],
  ])('refuses %s, at the line', (_what, template, message) => {
    const found = problem(`x = 1\ny = "${template}"`);
    expect(found.message).toMatch(message);
    expect(found.location).toMatchObject({ file: 'p/templates-deploy/main.tf', line: 2 });
  });
});
