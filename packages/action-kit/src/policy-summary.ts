/**
 * The "Policy checks" section of both job summaries: per plan the policy (POLICY_COMMAND) checked,
 * its verdict and its output (masked by the core, masked again and escaped here), collapsible.
 */
import type { PolicyCheck } from '@deploy-engine/core';
import { escapeHtml } from './html';

/** The section as HTML ('' without checks), at most about `budget` characters. */
export function renderPolicyChecks(checks: readonly PolicyCheck[], budget = 256 * 1024): string {
  if (checks.length === 0) return '';
  const refused = checks.filter((c) => !c.verdict.passed).length;
  const rows: string[] = [];
  let used = 0;
  for (const check of checks) {
    const { verdict } = check;
    const plan = `${check.alias ? `<code>${escapeHtml(check.alias)}</code>` : 'whole project'} (${check.kind}${check.stage === 'apply' ? ', planned by runtime-tasks' : ''})`;
    const mark = verdict.passed ? '✅ passed' : '❌ <strong>refused</strong>';
    const full = verdict.output
      ? `<details><summary>output</summary><pre>${escapeHtml(verdict.output)}</pre></details>`
      : '(no output)';
    const output =
      used + full.length <= budget
        ? full
        : '(output left out: the summary is at its size limit; it is in the job log and in the plan record)';
    used += output.length;
    rows.push(
      `<tr><td>${plan}</td><td>${mark}: the command ${escapeHtml(verdict.outcome)}</td><td>${output}</td></tr>`,
    );
  }
  const head = `<h3>Policy checks</h3>\n<p>${checks.length} plan(s) checked by <code>POLICY_COMMAND</code> (SHA-256 <code>${checks[0]?.verdict.commandSha256.slice(0, 12) ?? ''}</code>): ${refused > 0 ? `<strong>${refused} refused</strong>; a refused plan is never applied` : 'all passed'}.</p>\n`;
  return `${head}<table><tr><th>Plan</th><th>Verdict</th><th>Output</th></tr>\n${rows.join('\n')}\n</table>\n`;
}
