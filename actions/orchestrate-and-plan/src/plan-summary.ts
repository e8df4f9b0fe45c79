/**
 * The plans as reviewers read them in the job summary and the pull-request comment: one
 * collapsible section per plugin (classic: per saved plan; unified: per module of the one plan),
 * each resource with the attributes that change, destroys and replacements first and open, with
 * where the full plan text is. Never longer than `budget` characters (renderPlanSections says
 * what it left out to stay within it).
 */
import { escapeHtml, renderPlanSections, type PlanHtmlSection } from '@deploy-engine/action-kit';
import {
  countChanges,
  type PlanCounts,
  type PlanRecord,
  type ResourceChange,
  type ResourceDetail,
} from '@deploy-engine/core';

/** What limits the output, for the note when something is left out. */
export const SUMMARY_LIMIT = 'GitHub limits the job summary to 1 MiB';
export const COMMENT_LIMIT = 'GitHub limits a comment to 65,536 characters';

function countsHtml(c: PlanCounts): string {
  const danger = c.destroy + c.replace > 0;
  return `${c.add} to add, ${c.change} to change, ${danger ? '<strong>' : ''}${c.destroy} to destroy, ${c.replace} to replace${danger ? '</strong>' : ''}`;
}

/** The plan's resources, split by the plugin (module alias) they belong to, in the plan's order. */
function byAlias(
  plan: PlanRecord,
): Map<string, { changes: ResourceChange[]; details: ResourceDetail[] }> {
  const groups = new Map<string, { changes: ResourceChange[]; details: ResourceDetail[] }>();
  const group = (alias: string) => {
    const key = alias || plan.alias || '';
    let found = groups.get(key);
    if (!found) groups.set(key, (found = { changes: [], details: [] }));
    return found;
  };
  for (const change of plan.changes) group(change.alias).changes.push(change);
  for (const detail of plan.details ?? []) group(detail.alias).details.push(detail);
  return groups;
}

function sectionsOf(plan: PlanRecord, bucket: string): PlanHtmlSection[] {
  const textLocation = `s3://${bucket}/${plan.textKey}`;
  const sha = `<p>SHA-256 of the plan file <code>${escapeHtml(plan.sha256.slice(0, 16))}…</code></p>\n`;
  const what = plan.kind === 'destroy' ? 'Destroy plan' : plan.alias ? 'Plan' : 'Deploy plan';
  const groups = byAlias(plan);
  if (groups.size === 0) groups.set(plan.alias ?? '', { changes: [], details: [] });
  return [...groups].map(([alias, { changes, details }]) => {
    // Changes without details: records written before details existed, or past their limits.
    const detailed = new Set(details.map((d) => d.address));
    const undetailed = changes.filter((c) => !detailed.has(c.address));
    const title = plan.alias
      ? `${what} of ${escapeHtml(plan.alias)}`
      : alias
        ? `${what} · plugin ${escapeHtml(alias)}`
        : `${what}${groups.size > 1 ? ' · root module' : ''}`;
    return {
      titleHtml: `${title}: ${countsHtml(countChanges(changes))}`,
      details,
      undetailed,
      textLocation,
      noteHtml: sha,
    };
  });
}

/**
 * The plans' HTML within `budget` characters: a line with the totals, then one section per
 * plugin. `limitName` says what imposes the budget (SUMMARY_LIMIT, COMMENT_LIMIT).
 */
export function renderPlanSection(
  plans: readonly PlanRecord[],
  bucket: string,
  budget = 900 * 1024,
  limitName = SUMMARY_LIMIT,
): string {
  if (plans.length === 0) return '';
  const total = countChanges(plans.flatMap((p) => p.changes));
  const danger = total.destroy + total.replace > 0;
  // A unified plan is one plan of many plugins: its totals head its sections.
  const unified = plans
    .filter((p) => !p.alias)
    .map(
      (p) => `${p.kind === 'destroy' ? 'Destroy plan' : 'Deploy plan'}: ${countsHtml(p.counts)}`,
    );
  const head = `<p>${danger ? '⚠️ <strong>These plans destroy or replace resources.</strong> ' : ''}${unified.length > 0 ? unified.join('; ') : `In all: ${countsHtml(total)}`}.</p>\n`;
  const sections = plans.flatMap((plan) => sectionsOf(plan, bucket));
  return head + renderPlanSections(sections, { budget: budget - head.length, limitName });
}
