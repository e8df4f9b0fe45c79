/**
 * StackSpot's filters against the results StackSpot (and jinja2-strcase, whose rules its case
 * filters follow) produced, and the sandbox around every filter that takes a name, a pattern or
 * a size.
 */
import { renderTemplateString } from '../render-string';
import type { UndefinedMode } from '../template-session';

function render(
  template: string,
  context: Record<string, unknown> = {},
  mode: UndefinedMode = 'lenient',
) {
  return renderTemplateString(template, context, 'plugin.yaml', 0, undefined, {
    undefinedMode: mode,
  });
}
function text(template: string, context: Record<string, unknown> = {}): string {
  const result = render(template, context);
  if (!result.ok) throw new Error(result.problem.message);
  return result.text;
}
function problem(
  template: string,
  context: Record<string, unknown> = {},
  mode: UndefinedMode = 'lenient',
): string {
  const result = render(template, context, mode);
  if (result.ok) throw new Error(`expected a problem, rendered ${result.text}`);
  return result.problem.message;
}

describe("StackSpot's filters", () => {
  it.each([
    // Published StackSpot results.
    ['app-rest-3-with-mandate-inputs', 'to_camel', 'AppRest3WithMandateInputs'],
    ['br.com.zup.edu.lixoapp', 'group_id_folder', 'br/com/zup/edu/lixoapp'],
    // jinja2-strcase's rules (computed with its code on these inputs).
    ['my_app_name', 'to_camel', 'MyAppName'],
    ['  spaced out  ', 'to_camel', 'SpacedOut'],
    ['v2api', 'to_camel', 'V2Api'],
    ['já-acentuado', 'to_camel', 'JAcentuado'],
    ['billing-queue', 'to_lower_camel', 'billingQueue'],
    ['HTTPServer2Go', 'to_lower_camel', 'hTTPServer2Go'],
    ['myAppName', 'to_kebab', 'my-app-name'],
    ['HTTPServer2Go', 'to_kebab', 'http-server-2-go'],
    ['a1b2', 'to_kebab', 'a-1-b2'],
    ['My App Name', 'to_snake', 'my_app_name'],
    ['snake_Case-mix ed', 'to_snake', 'snake_case_mix_ed'],
    ['myAppName', 'to_screaming_snake', 'MY_APP_NAME'],
    ['billing-queue', 'to_screaming_kebab', 'BILLING-QUEUE'],
  ])('%s | %s -> %s', (value, filter, expected) => {
    expect(text(`{{ value | ${filter} }}`, { value })).toBe(expected);
  });

  it('regex_replace as Python re.sub, as StackSpot computed inputs use it', () => {
    expect(
      text("{{ 'my.app-Name_1' | lower | to_kebab | regex_replace('[^0-9a-zA-Z_]', '') }}"),
    ).toBe('myappname1');
    expect(text("{{ 'ab-cd' | regex_replace('(\\\\w+)-(\\\\w+)', '\\\\2_\\\\1') }}")).toBe('cd_ab');
    expect(text("{{ 'a$b' | regex_replace('b', '$&') }}")).toBe('a$$&');
  });

  it('stops a regular expression that backtracks without end, naming it', () => {
    const started = Date.now();
    expect(problem(`{{ '${'a'.repeat(40)}!' | regex_replace('(a+)+$', '') }}`)).toMatch(
      /^Not allowed in templates: regex_replace: Script execution timed out/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(problem("{{ 'x' | regex_replace('(', '') }}")).toMatch(/invalid pattern/);
  });
});

describe('the sandbox around filters (both modes)', () => {
  it.each(['lenient', 'strict'] as const)(
    'map(attribute=) and attr cannot reach constructors (%s)',
    (mode) => {
      for (const template of [
        "{{ ([''] | map(attribute='constructor') | first)('x') }}",
        "{% for f in [''] | map(attribute='constructor') | map(attribute='constructor') %}{{ f('return process')() }}{% endfor %}",
        "{{ '' | attr('constructor') }}",
        "{{ [{}] | map(attribute='__proto__') | list }}",
        "{{ [''] | map(attribute='length.constructor') | list }}",
        "{{ [''] | groupby('constructor') }}",
        "{{ [''] | selectattr('constructor') | list }}",
      ]) {
        expect([template, problem(template, {}, mode)]).toEqual([
          template,
          expect.stringMatching(/'(constructor|__proto__)' cannot be accessed from a template/),
        ]);
      }
    },
  );

  it('map(attribute=) sees own data only: methods and _private names are undefined', () => {
    expect(text("{{ ['ab'] | map(attribute='toUpperCase') | list }}")).toBe('[null]');
    expect(text("{{ [{'_x': 1}] | map(attribute='_x', default='hidden') | join }}")).toBe('hidden');
  });

  it.each([
    ["{{ 'x' | center(1000000000) }}"],
    ["{{ 'x' | wordwrap(1000000000) }}"],
    ["{{ '%1000000000s' | format('x') }}"],
    ["{{ 'x' | indent(1000000000) }}"],
    ['{{ [1] | batch(1000000000) | list }}'],
    ['{{ [1] | slice(1000000000) | list }}'],
    ["{{ 'x' | truncate(1000000000) }}"],
  ])('bounds the size a filter is asked for: %s', (template) => {
    expect(problem(template)).toMatch(/a width must be a whole number from 0 to 10000/);
  });

  it('keeps the marks of foreign values and refuses secrets through the new filters', async () => {
    const { buildTemplateContext } = await import('../context');
    const context = buildTemplateContext({
      inputs: {},
      connections: { up: { name: 'x"y', list: ['a"', 'b'] } },
      environment: 'dev',
      workspace: 'w',
      alias: 'a',
      version: 'v',
      appKind: 'app',
      appId: 'id',
      sharedValues: { KEY: 'shh' },
      secretSharedValues: ['KEY'],
    });
    const run = (t: string) => renderTemplateString(t, context, 'main.tf');
    expect(
      run('{{ connections.up.name | to_camel }}|{{ connections.up.list | map("upper") | join }}'),
    ).toMatchObject({
      ok: true,
      text: 'Xy|A\\"B',
    });
    for (const filter of [
      'to_camel',
      'group_id_folder',
      'format',
      'pprint',
      'wordwrap',
      'regex_replace("s", "")',
    ]) {
      const result = run(`{{ var.KEY | ${filter} }}`);
      expect([filter, result.ok ? result.text : result.problem.message]).toEqual([
        filter,
        expect.stringContaining('var.KEY is secret'),
      ]);
    }
  });
});
