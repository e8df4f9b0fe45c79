import { execFileSync } from 'node:child_process';
import { mapRenderedLines } from './line-map';

/** Renders with Python Jinja2, the engine StackSpot uses: the rendered text is the real one. */
function jinja2(template: string, context: Record<string, unknown>): string {
  return execFileSync(
    'python3',
    [
      '-c',
      'import sys, json, jinja2; d = json.load(sys.stdin); sys.stdout.write(jinja2.Environment(keep_trailing_newline=True).from_string(d["t"]).render(**d["c"]))',
    ],
    { input: JSON.stringify({ t: template, c: context }), encoding: 'utf8' },
  );
}

/** The template line of rendered line `line` (1-based) whose text contains `needle`. */
function lineOf(rendered: string, needle: string): number {
  const index = rendered.split('\n').findIndex((l) => l.includes(needle));
  if (index < 0) throw new Error(`${needle} is not in:\n${rendered}`);
  return index + 1;
}

const TEMPLATE = `{# A plugin's main.tf #}
terraform {
  required_version = ">= 1.5"
}

{% if inputs.create_topic %}
resource "aws_sns_topic" "topic" {
  name = "{{ inputs.name }}-{{ stk_env }}"
}
{% endif %}

{% for q in inputs.queues %}
resource "aws_sqs_queue" "{{ q }}" {
  name  = "{{ q }}"
  delay = {{ inputs.delay }}
}
{% endfor %}

resource "aws_s3_bucket" "b" {
  bucket = "{{ inputs.name }}"
  tags   = {{ inputs.tags }}
}
`;

describe('mapRenderedLines', () => {
  it('maps lines after a false if-branch, inside a repeated loop and after it back to the template, as Jinja2 rendered them', () => {
    const rendered = jinja2(TEMPLATE, {
      inputs: {
        create_topic: false,
        name: 'orders',
        queues: ['a1', 'b2', 'c3'],
        delay: 5,
        tags: '{}',
      },
      stk_env: 'dev',
    });
    const map = mapRenderedLines(TEMPLATE, rendered);
    const at = (needle: string) => map[lineOf(rendered, needle) - 1];
    expect(at('required_version')).toEqual({ line: 3, exact: true });
    // Each iteration's lines map to the loop body.
    for (const q of ['a1', 'b2', 'c3']) {
      expect(at(`"aws_sqs_queue" "${q}"`)).toEqual({ line: 13, exact: true });
      expect(at(`name  = "${q}"`)).toEqual({ line: 14, exact: true });
    }
    expect(map.filter((m) => m.line === 15)).toHaveLength(3);
    expect(at('bucket =')).toEqual({ line: 20, exact: true });
    expect(at('tags   =')).toEqual({ line: 21, exact: true });
  });

  it('maps a true if-branch and an empty loop', () => {
    const rendered = jinja2(TEMPLATE, {
      inputs: { create_topic: true, name: 'orders', queues: [], delay: 5, tags: '{ a = 1 }' },
      stk_env: 'prod',
    });
    const map = mapRenderedLines(TEMPLATE, rendered);
    expect(map[lineOf(rendered, 'orders-prod') - 1]).toEqual({ line: 8, exact: true });
    expect(map[lineOf(rendered, 'bucket =') - 1]).toEqual({ line: 20, exact: true });
  });

  it('says a line is a guess when its template line has no text of its own', () => {
    const template = 'a = 1\n{{ body }}\nb = 2\n';
    const rendered = jinja2(template, { body: 'x = 1\ny = 2\nz = 3' });
    const map = mapRenderedLines(template, rendered);
    expect(map[0]).toEqual({ line: 1, exact: true });
    expect(map.slice(1, 4).every((m) => m.line === 2 && !m.exact)).toBe(true);
    expect(map[4]).toEqual({ line: 3, exact: true });
  });

  it('keeps a multi-line comment and a raw block in their places', () => {
    const template =
      'x = 1\n{#\n  resource "a" "b" {}\n#}\ny = "{% raw %}{{ not }}{% endraw %}"\nz = 3\n';
    const rendered = jinja2(template, {});
    const map = mapRenderedLines(template, rendered);
    expect(map[lineOf(rendered, 'y =') - 1]).toEqual({ line: 5, exact: true });
    expect(map[lineOf(rendered, 'z =') - 1]).toEqual({ line: 6, exact: true });
  });

  it('stays fast and linear on a hostile line of many values against a long rendered line', () => {
    const template = `${'{{ a }}x'.repeat(200)}\n`;
    const rendered = `${'y'.repeat(100000)}\n`;
    const started = Date.now();
    expect(mapRenderedLines(template, rendered)[0]).toEqual({ line: 1, exact: false });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
