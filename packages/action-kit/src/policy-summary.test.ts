import type { PolicyCheck } from '@deploy-engine/core';
import { renderPolicyChecks } from './policy-summary';

const verdict = {
  commandSha256: 'ab'.repeat(32),
  durationMs: 5,
  checkedAt: 'T',
};

const checks: PolicyCheck[] = [
  {
    name: 'plugins/vault',
    alias: 'vault',
    kind: 'deploy',
    stage: 'plan',
    verdict: { ...verdict, passed: true, outcome: 'exited with code 0', output: '' },
  },
  {
    name: 'plugins/<db>',
    alias: '<db>',
    kind: 'destroy',
    stage: 'apply',
    verdict: {
      ...verdict,
      passed: false,
      outcome: 'exited with code 1',
      output: 'DENY <script>x</script>\n[link](http://evil)',
    },
  },
];

describe('renderPolicyChecks', () => {
  it('is empty without checks', () => {
    expect(renderPolicyChecks([])).toBe('');
  });

  it('lists each plan with its verdict and its output collapsible, escaped', () => {
    const html = renderPolicyChecks(checks);
    expect(html).toContain('<h3>Policy checks</h3>');
    expect(html).toContain('<strong>1 refused</strong>');
    expect(html).toContain(
      '<td><code>vault</code> (deploy)</td><td>✅ passed: the command exited with code 0</td><td>(no output)</td>',
    );
    expect(html).toContain('<code>&lt;db&gt;</code> (destroy, planned by runtime-tasks)');
    expect(html).toContain(
      '<details><summary>output</summary><pre>DENY &lt;script&gt;x&lt;/script&gt;&#10;&#91;link&#93;(http://evil)</pre></details>',
    );
    expect(html).not.toContain('<script>');
  });

  it('leaves outputs out past its budget, saying where they are', () => {
    expect(renderPolicyChecks(checks, 10)).toContain(
      '(output left out: the summary is at its size limit',
    );
  });
});
