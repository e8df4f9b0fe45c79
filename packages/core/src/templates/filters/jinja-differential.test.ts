/**
 * Every expression below renders the same with this engine as with real Jinja2 3.1 (python3):
 * the Jinja built-in filters (those nunjucks lacks, and nunjucks' own, which differ in places),
 * tests, undefined names in lenient mode, and the lexing of text Jinja accepts.
 */
import { renderTemplateString } from '../render-string';
import { renderWithJinja2 } from './jinja-reference';

const context = {
  name: 'hello world',
  words: ['b', 'A', 'c', 'a'],
  nums: [3, 1, 2],
  users: [
    { name: 'ana', age: 31, team: 'x' },
    { name: 'bob', age: 25, team: 'y' },
    { name: 'cid', age: 31, team: 'x' },
  ],
  tags: { env: 'prod', owner: 'team-a' },
  empty: '',
  flag: true,
  size: 123456789,
  long: 'The quick brown fox jumps over the lazy dog and keeps running far away',
};

/** [template, why it is here] */
const CASES: string[] = [
  // filters nunjucks lacks
  "{{ users[0] | attr('name') }}",
  '{{ words | count }} {{ tags | count }} {{ name | count }}',
  '{{ size | filesizeformat }} {{ size | filesizeformat(true) }} {{ 1 | filesizeformat }} {{ 999 | filesizeformat }}',
  "{{ '%s-%05d-%.2f-%x' | format('a', 42, 3.14159, 255) }}",
  "{{ '%(a)s and %(b)s' | format(a='x', b='y') }}",
  '{% for k, v in tags | items %}{{ k }}={{ v }};{% endfor %}',
  "{{ users | map(attribute='name') | join(',') }}",
  "{{ words | map('upper') | join(',') }}",
  "{{ users | map(attribute='nope', default='d') | join(',') }}",
  '{{ nums | max }} {{ nums | min }} {{ words | max }} {{ words | min }}',
  "{{ users | max(attribute='age') | attr('name') }}",
  '{{ words | max(case_sensitive=true) }}',
  '{{ name | pprint }} {{ nums | pprint }}',
  "{{ ['a', 'A', 'b', 'a'] | unique | join(',') }}",
  '{{ long | wordwrap(20) }}',
  "{{ long | wordwrap(10, wrapstring='|') }}",
  '{{ tags | xmlattr }}',
  // nunjucks' own filters, compared with Jinja's
  '{{ -3 | abs }}',
  '{{ words | batch(3) | list }}',
  '{{ name | capitalize }} {{ "hELLO" | capitalize }}',
  '[{{ "ab" | center(8) }}]',
  '{{ empty | default("x", true) }} {{ empty | default("x") }}',
  '{% for k, v in tags | dictsort %}{{ k }}{% endfor %}',
  '{{ words | first }} {{ words | last }}',
  '{{ "3.5" | float }} {{ "x" | float + 0.5 }} {{ "42" | int }} {{ "4.7" | int }} {{ "x" | int(7) }}',
  "{% for g in users | groupby('team') %}{{ g.grouper }}:{{ g.list | map(attribute='name') | join('+') }};{% endfor %}",
  '{{ "a\\nb" | indent(2) }}',
  '{{ words | join("-") }}',
  '{{ words | length }}',
  '{{ "ABC" | lower }}',
  '{{ "a-b-a" | replace("a", "x") }} {{ "a-b-a" | replace("a", "x", 1) }}',
  '{{ words | reverse | join }}',
  '{{ 2.5 | round | int }} {{ 3.5 | round | int }} {{ 3.14159 | round(2) }} {{ 2.1 | round(0, "ceil") | int }} {{ 2.9 | round(1, "floor") }}',
  "{{ users | selectattr('age', 'gt', 30) | map(attribute='name') | join(',') }}",
  "{{ users | rejectattr('team', 'equalto', 'x') | map(attribute='name') | join(',') }}",
  "{{ nums | select('odd') | join(',') }} {{ nums | reject('odd') | join(',') }}",
  '{{ words | slice(2) | list }}',
  '{{ words | sort | join(",") }} {{ words | sort(reverse=true) | join(",") }}',
  "{{ users | sort(attribute='age') | map(attribute='name') | join(',') }}",
  '{{ 42 | string }}',
  "{{ nums | sum }} {{ users | sum(attribute='age') }}",
  '{{ "hello WORLD-wide" | title }}',
  '[{{ "  x  " | trim }}]',
  '{{ long | truncate(20) }}',
  '{{ long | truncate(20, true) }}',
  '{{ "a b&c" | urlencode }}',
  '{{ long | wordcount }}',
  '{{ name | upper }}',
  // tests
  '{{ flag is boolean }} {{ 3 is integer }} {{ 3 is number }} {{ "x" is string }} {{ nums is sequence }} {{ tags is mapping }}',
  '{{ 4 is even }} {{ 3 is odd }} {{ 9 is divisibleby(3) }} {{ none is none }}',
  // printing: booleans and None as Terraform needs them
  '{{ flag }} {{ not flag }} {{ none }} {{ nums }}',
  // undefined names (lenient): empty, false, empty loop, `~`, filters that accept it
  '[{{ missing }}]{% if missing %}y{% else %}n{% endif %}{% for x in missing %}x{% endfor %}',
  "{{ missing ~ 'x' }} {{ missing | upper }} {{ missing | length }} {{ missing | default('d') }} {{ missing is defined }}",
  '{{ tags.nope }}[{{ users[0].nope }}]',
  // lexing of text Jinja accepts
  '# resource "x" "y" {\n#   a = 1\n#}\nz #} w %} v }}',
  "{# a comment with '#}' inside #}after",
];

describe('the same results as Jinja2 3.1 (python3)', () => {
  const reference = renderWithJinja2(CASES, context);

  it.each(CASES.map((template, i) => [template, i] as const))('%s', (template, i) => {
    const expected = reference[i];
    if (!expected?.ok)
      throw new Error(`Jinja2 failed on its own case: ${JSON.stringify(expected)}`);
    const ours = renderTemplateString(template, context, 'diff.tf');
    expect(ours.ok ? ours.text : `ERROR ${ours.problem.message}`).toBe(expected.text);
  });
});
