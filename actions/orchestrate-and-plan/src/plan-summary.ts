/**
 * The plan as reviewers read it in the job summary: per plugin (module) the resources to add,
 * change, destroy and replace, destroys and replacements first and marked, with where the full
 * plan text is. Never longer than `budget` characters: GitHub refuses summaries over 1 MiB.
 */
import { escapeHtml } from '@deploy-engine/action-kit';
import type { PlanRecord, ResourceChange } from '@deploy-engine/core';

const MARK: Record<ResourceChange['action'], string> = {
  delete: '🟥 destroy',
  replace: '🟧 replace',
  update: '🟨 change',
  create: '🟩 add',
  read: '🟦 read',
};
const ORDER: ResourceChange['action'][] = ['delete', 'replace', 'update', 'create', 'read'];

export function renderPlanSection(
  plans: readonly PlanRecord[],
  bucket: string,
  budget = 900 * 1024,
): string {
  const parts: string[] = [];
  let used = 0;
  let omitted = 0;
  const push = (html: string): boolean => {
    if (used + html.length > budget) return false;
    parts.push(html);
    used += html.length;
    return true;
  };
  for (const plan of plans) {
    const c = plan.counts;
    const danger = c.destroy + c.replace > 0;
    push(
      `<h3>${plan.alias ? `${plan.kind === 'destroy' ? 'Destroy plan' : 'Plan'} of ${escapeHtml(plan.alias)}` : plan.kind === 'deploy' ? 'Deploy plan' : 'Destroy plan'}: ${c.add} to add, ${c.change} to change, ${danger ? '<strong>' : ''}${c.destroy} to destroy, ${c.replace} to replace${danger ? '</strong>' : ''}</h3>\n` +
        `<p>${danger ? '⚠️ <strong>This plan destroys or replaces resources.</strong> ' : ''}Full plan text: <code>s3://${escapeHtml(bucket)}/${escapeHtml(plan.textKey)}</code> (SHA-256 of the plan file <code>${plan.sha256.slice(0, 16)}…</code>).</p>\n`,
    );
    if (plan.changes.length === 0) {
      push('<p>No changes.</p>\n');
      continue;
    }
    const byAlias = new Map<string, ResourceChange[]>();
    for (const change of plan.changes) {
      const alias = change.alias || plan.alias || '';
      const list = byAlias.get(alias);
      if (list) list.push(change);
      else byAlias.set(alias, [change]);
    }
    for (const [alias, changes] of byAlias) {
      const sorted = [...changes].sort(
        (a, b) =>
          ORDER.indexOf(a.action) - ORDER.indexOf(b.action) || a.address.localeCompare(b.address),
      );
      const heading = plan.alias ? '' : `<h4>${escapeHtml(alias || '(root module)')}</h4>\n`;
      if (!push(`${heading}<table><tr><th>Action</th><th>Resource</th></tr>\n`)) {
        omitted += sorted.length;
        continue;
      }
      for (const [index, change] of sorted.entries()) {
        const danger = change.action === 'delete' || change.action === 'replace';
        const row = `<tr><td>${danger ? '<strong>' : ''}${MARK[change.action]}${danger ? '</strong>' : ''}</td><td><code>${escapeHtml(change.address)}</code></td></tr>\n`;
        if (!push(row)) {
          omitted += sorted.length - index;
          break;
        }
      }
      parts.push('</table>\n');
    }
  }
  if (omitted > 0) {
    parts.push(
      `<p>⚠️ ${omitted} more resource change(s) are not listed here (GitHub limits the summary to 1 MiB): read the full plan text in S3.</p>\n`,
    );
  }
  return parts.join('');
}
