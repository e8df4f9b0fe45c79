import { renderTemplateString, type RenderResult } from './render-string';
import type { UndefinedMode } from './template-session';

const context = {
  queue_name: 'orders',
  inputs: { queue_name: 'orders', retries: 3 },
  connections: { source_topic: { arn: 'arn:aws:sns:us-east-1:1:orders', name: 'orders' } },
  empty: '',
  nothing: null,
  list: ['a', 'b'],
};

/** Strict unless said otherwise: these tests are about FEATURES_TEMPLATE_STRICT's errors. */
function render(template: string, mode: UndefinedMode = 'strict'): RenderResult {
  return renderTemplateString(
    template,
    context,
    'plugins/q/templates-deploy/main.tf',
    0,
    undefined,
    {
      undefinedMode: mode,
    },
  );
}

function text(template: string, mode: UndefinedMode = 'strict'): string {
  const result = render(template, mode);
  if (!result.ok) throw new Error(`expected success: ${result.problem.message}`);
  return result.text;
}

function problem(template: string, mode: UndefinedMode = 'strict') {
  const result = render(template, mode);
  if (result.ok) throw new Error(`expected a problem, rendered: ${result.text}`);
  return result.problem;
}

describe('renderTemplateString: Jinja semantics', () => {
  it.each([
    ['{{ queue_name }}', 'orders'],
    ['{{ inputs.queue_name }}-{{ inputs["retries"] }}', 'orders-3'],
    ['{{ connections.source_topic.arn }}', 'arn:aws:sns:us-east-1:1:orders'],
    ["{{ connections['source_topic'].name }}", 'orders'],
    ['{{ queue_name | upper }}/{{ "ABC" | lower }}', 'ORDERS/abc'],
    ['{{ queue_name | replace("o", "0") }}', '0rders'],
    ['{% if missing is defined %}yes{% else %}no{% endif %}', 'no'],
    ['{% if queue_name is defined %}yes{% endif %}', 'yes'],
    ['{% if missing is not defined %}absent{% endif %}', 'absent'],
    ['{% if connections.other.arn is undefined %}absent{% endif %}', 'absent'],
    ['{{ missing | default("fallback") }}', 'fallback'],
    ['{{ connections.other.arn | default("none") }}', 'none'],
    ['{{ missing | d("x") }}', 'x'],
    ['{{ empty | default("unused") }}', ''],
    ['{{ empty | default("used", true) }}', 'used'],
    ['{% for item in list %}{{ loop.index }}{{ item }}{% endfor %}', '1a2b'],
    ['{% set n = inputs.retries * 2 %}{{ n }}', '6'],
    ['{{ queue_name ~ "-" ~ inputs.retries }}', 'orders-3'],
    ['{{ inputs | tojson }}', '{"queue_name":"orders","retries":3}'],
    ['{% if nothing is none %}none{% endif %}', 'none'],
    ['${var.x} is Terraform, not Jinja', '${var.x} is Terraform, not Jinja'],
  ])('%s -> %s', (template, expected) => {
    expect(text(template)).toBe(expected);
  });
});

describe('renderTemplateString (strict mode): undefined values are errors with file and line', () => {
  it('names an undefined variable and its line and column', () => {
    expect(problem('resource "x" "y" {\n  name = "{{ queue_nme }}"\n}')).toEqual({
      message: "'queue_nme' is undefined.",
      location: { file: 'plugins/q/templates-deploy/main.tf', line: 2, column: 14 },
      hint: expect.stringContaining('is defined'),
    });
  });

  it('names the missing attribute and lists the ones that exist', () => {
    expect(problem('\n\n{{ connections.source_topic.url }}')).toMatchObject({
      message: "'connections.source_topic.url' is undefined (it has: arn, name).",
      location: { line: 3 },
    });
  });

  it('names a missing connection', () => {
    expect(problem('{{ connections.billing.arn }}').message).toBe(
      "'connections.billing' is undefined (it has: source_topic).",
    );
  });

  it.each([
    ['{% if missing %}x{% endif %}'],
    ['{{ missing | upper }}'],
    ['{% if missing == "a" %}x{% endif %}'],
    ['{% for x in missing %}{% endfor %}'],
  ])('refuses an undefined value used outside is defined / default: %s', (template) => {
    expect(problem(template).message).toBe("'missing' is undefined.");
  });

  it('keeps loop and set variables defined', () => {
    expect(text('{% for k, v in connections.source_topic %}{{ k }};{% endfor %}')).toBe(
      'arn;name;',
    );
  });

  it('reports syntax errors with their line', () => {
    expect(problem('ok\n{% if x %}\nnever closed')).toMatchObject({
      message: expect.stringMatching(/^Template error: /),
      location: { file: 'plugins/q/templates-deploy/main.tf' },
    });
  });
});

describe('renderTemplateString: sandbox', () => {
  it.each([
    ['{{ "".constructor.constructor("return process")() }}', 'strict'],
    ['{{ queue_name.constructor }}', 'strict'],
    ['{{ inputs.__proto__ }}', 'strict'],
    ['{{ list.constructor.prototype }}', 'strict'],
    ['{{ "".constructor.constructor("return process")() }}', 'lenient'],
    ['{{ list.constructor.prototype }}', 'lenient'],
    // An undefined value has no way to its prototype either (Jinja's Undefined is an object).
    ['{{ missing.constructor }}', 'lenient'],
    ['{{ missing.__proto__ }}', 'lenient'],
    ['{{ (missing | default(queue_name)).constructor }}', 'lenient'],
    ['{{ connections.nope.constructor }}', 'lenient'],
    ['{% set f = missing %}{{ f.constructor.constructor("return process")() }}', 'lenient'],
  ] as const)('refuses prototype access: %s (%s)', (template, mode) => {
    expect(problem(template, mode).message).toMatch(
      /^Not allowed in templates: '(constructor|__proto__)' cannot be accessed/,
    );
  });

  it('caps range() as Jinja does, so a template cannot loop without end', () => {
    expect(problem('{% for i in range(1000000000) %}x{% endfor %}').message).toMatch(
      /range\(\) is limited to 100000 numbers/,
    );
    const ok = renderTemplateString('{% for i in range(2, 8, 2) %}{{ i }}{% endfor %}', {}, 'f');
    expect(ok).toEqual(expect.objectContaining({ text: '246' }));
  });

  it('does not expose JavaScript methods of values', () => {
    expect(problem('{{ queue_name.toUpperCase() }}').message).toBe(
      "'queue_name.toUpperCase' is undefined.",
    );
    expect(problem('{{ queue_name.toUpperCase() }}', 'lenient').message).toBe(
      '\'queue_name["toUpperCase"]\' is undefined (it cannot be called).',
    );
    // Own-property lookups only: a value's class and its methods stay undefined (Jinja's
    // sandbox gives an Undefined for `__class__` too).
    expect(
      text('[{{ queue_name.__class__ }}{{ missing.__class__ }}{{ list.map }}]', 'lenient'),
    ).toBe('[]');
  });

  it('cannot include, import or extend files', () => {
    for (const template of [
      '{% include "/etc/passwd" %}',
      '{% import "x.tf" as x %}',
      '{% extends "base.tf" %}',
    ]) {
      expect(problem(template).message).toMatch(
        /^Templates cannot include, import or extend other files/,
      );
    }
  });
});

describe('the time bound', () => {
  afterEach(() => jest.restoreAllMocks());

  it('stops a loop that would run for hours once the template is past its deadline', () => {
    // The first reading of the clock starts the template; every later one says 11 s have passed.
    let readings = 0;
    jest.spyOn(Date, 'now').mockImplementation(() => (readings++ === 0 ? 0 : 11_000));
    const result = renderTemplateString(
      '{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}',
      {},
      'plugin.yaml',
    );
    expect(result).toEqual({
      ok: false,
      problem: expect.objectContaining({
        message: expect.stringContaining('took longer than 10 s to render'),
      }),
      warnings: [],
    });
  });

  it('leaves ordinary loops alone', () => {
    expect(
      renderTemplateString('{% for i in range(10000) %}{% endfor %}done', {}, 'plugin.yaml'),
    ).toEqual({ ok: true, text: 'done', warnings: [] });
  });
});
