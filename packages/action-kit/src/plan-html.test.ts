import { KNOWN_AFTER_APPLY, SENSITIVE, type ResourceDetail } from '@deploy-engine/core';
import { renderPlanSections, type PlanHtmlSection } from './plan-html';

const options = { budget: 60000, limitName: 'GitHub limits a comment to 65,536 characters' };

function section(details: ResourceDetail[], extra: Partial<PlanHtmlSection> = {}): PlanHtmlSection {
  return {
    titleHtml: 'Plan of a: …',
    details,
    textLocation: 's3://iac/runs/R/files/plans/plugins/a.txt',
    ...extra,
  };
}

const update: ResourceDetail = {
  address: 'module.a.terraform_data.value',
  alias: 'a',
  action: 'update',
  attributes: [
    { path: 'input', before: '"one"', after: '"two"' },
    { path: 'output', before: '"one"', after: KNOWN_AFTER_APPLY },
  ],
};
const replace: ResourceDetail = {
  address: 'module.b.terraform_data.pinned',
  alias: 'b',
  action: 'replace',
  replaceOrder: 'destroy-before-create',
  reason: 'replace_because_cannot_update',
  attributes: [
    { path: 'id', before: '"x"', after: KNOWN_AFTER_APPLY },
    { path: 'triggers_replace', before: '"one"', after: '"two"', forcesReplacement: true },
  ],
};

describe('renderPlanSections', () => {
  it('shows each attribute before → after, and what forces a replacement', () => {
    const html = renderPlanSections([section([update]), section([replace])], options);
    expect(html).toContain(
      '<code>input</code>: <code>&quot;one&quot;</code> → <code>&quot;two&quot;</code>',
    );
    expect(html).toContain(
      '<code>output</code>: <code>&quot;one&quot;</code> → <em>(known after apply)</em>',
    );
    expect(html).toContain(
      '<code>triggers_replace</code>: <code>&quot;one&quot;</code> → <code>&quot;two&quot;</code> <strong>(forces replacement)</strong>',
    );
    expect(html).toContain(
      'forced by <code>triggers_replace</code>; an attribute that cannot be updated in place changes; destroy before create',
    );
    expect(html).toContain(
      'Full plan text: <code>s3://iac/runs/R/files/plans/plugins/a.txt</code>',
    );
    // The replacing section comes first and open; the other is collapsed.
    expect(html.indexOf('terraform_data.pinned')).toBeLessThan(
      html.indexOf('terraform_data.value'),
    );
    expect(html).toMatch(/^<details open><summary>⚠️ Plan of a/);
    expect(html).toContain('<details><summary>Plan of a');
    expect(html).not.toContain('✂️');
  });

  it('shows moves, imports and forgets, and a plugin without changes', () => {
    const html = renderPlanSections(
      [
        section([
          { address: 'x.new', alias: '', action: 'no-op', movedFrom: 'x.old', attributes: [] },
          {
            address: 'x.imp',
            alias: '',
            action: 'no-op',
            importing: { id: 'i-1' },
            attributes: [],
          },
          { address: 'x.gone', alias: '', action: 'forget', attributes: [] },
        ]),
        section([]),
      ],
      options,
    );
    expect(html).toContain('<code>x.new</code><br>moved from <code>x.old</code>');
    expect(html).toContain('<code>x.imp</code><br>imported (id <code>i-1</code>)');
    expect(html).toContain('<code>x.gone</code><br>removed from the state, not destroyed');
    expect(html).toContain('<p>No changes.</p>');
  });

  it('never shows a sensitive value', () => {
    const html = renderPlanSections(
      [
        section([
          {
            address: 'x.db',
            alias: '',
            action: 'update',
            attributes: [
              { path: 'password', before: SENSITIVE, after: SENSITIVE, sensitive: true },
            ],
          },
        ]),
      ],
      options,
    );
    expect(html).toContain(
      '<code>password</code>: <em>(sensitive value)</em> → <em>(sensitive value)</em>',
    );
  });

  it('keeps hostile values inert: no tag, code span, mention, link or table breaks out', () => {
    const hostile =
      '</code></details><script>alert(1)</script> `x` @octocat [a](http://e) | b |\n\n# h';
    const html = renderPlanSections(
      [
        section(
          [
            {
              address: `x.y["${hostile}"]`,
              alias: '',
              action: 'update',
              movedFrom: hostile,
              attributes: [
                { path: `tags["${hostile}"]`, before: JSON.stringify(hostile), after: '"ok"' },
              ],
            },
          ],
          { textLocation: `s3://iac/${hostile}` },
        ),
      ],
      options,
    );
    for (const bad of ['<script', '</details><script', '`', '@octocat', '](', '| b |', '\n\n'])
      expect(html).not.toContain(bad);
    expect(html.match(/<details/g)).toHaveLength(1);
    expect(html.match(/<\/details>/g)).toHaveLength(1);
    expect(html).toContain('&#64;octocat');
    expect(html).toContain('&#124; b &#124;');
  });

  it('cuts long values with a pointer to the full text', () => {
    const long = `"${'v'.repeat(3000)}"`;
    const html = renderPlanSections(
      [
        section([
          {
            address: 'x.long',
            alias: '',
            action: 'update',
            attributes: [
              { path: 'body', before: long, after: '"short"' },
              { path: 'stored', before: '"cut when stored…', after: '"b"', cut: true },
            ],
          },
        ]),
      ],
      options,
    );
    expect(html).toContain(
      `<code>&quot;${'v'.repeat(498)}…</code> → <code>&quot;short&quot;</code> ✂️`,
    );
    expect(html).toContain(
      '<code>stored</code>: <code>&quot;cut when stored…</code> → <code>&quot;b&quot;</code> ✂️',
    );
    expect(html).toContain('✂️ Value cut: read the full plan text (linked in its section).');
  });

  it('degrades within the budget: values, then attributes, then names, then counts', () => {
    const resources = (n: number, attributes: number, length: number): ResourceDetail[] =>
      Array.from({ length: n }, (_, i) => ({
        address: `x.r${i}`,
        alias: '',
        action: 'update' as const,
        attributes: Array.from({ length: attributes }, (_, j) => ({
          path: `a${j}`,
          before: `"${'b'.repeat(length)}"`,
          after: `"${'c'.repeat(length)}"`,
        })),
      }));
    const render = (details: ResourceDetail[]) =>
      renderPlanSections([section(details), section([replace])], options);
    const steps: [ResourceDetail[], RegExp][] = [
      [resources(10, 3, 400), /^<details/],
      [resources(40, 3, 400), /values are cut to 80 characters/],
      [resources(40, 60, 50), /at most 5 attributes are shown per resource/],
      [resources(300, 60, 50), /attribute changes are left out\./],
      [resources(3000, 1, 5), /attribute changes are left out and not every resource is listed/],
    ];
    for (const [details, expected] of steps) {
      const html = render(details);
      expect(html.length).toBeLessThanOrEqual(options.budget);
      expect(html).toMatch(expected);
      expect(html).toContain('s3://iac/runs/R/files/plans/plugins/a.txt');
      // What forces a replacement is the last thing to go.
      expect(html).toContain('forced by <code>triggers_replace</code>');
    }
    const counted = render(resources(3000, 1, 5));
    expect(counted).toMatch(/⚠️ \d+ resource change\(s\) are not listed\./);
    expect(counted).toMatch(/… \d+ more resource change\(s\), not listed\./);
  });

  it('lists resources it has no details for by name', () => {
    const html = renderPlanSections(
      [section([], { undetailed: [{ address: 'x.old_record', action: 'delete' }] })],
      options,
    );
    expect(html).toContain('<strong>🟥 destroy</strong></td><td><code>x.old_record</code>');
  });
});
