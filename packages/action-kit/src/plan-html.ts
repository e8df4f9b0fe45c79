/**
 * Resource changes as reviewers read them on GitHub (job summary, pull-request comment): one
 * collapsible section per plugin, destroys and replacements first and open, each resource with
 * the attributes that change (before → after, sensitive values masked, long values cut), what
 * forces a replacement, and moves, imports and forgets. Plans, previews and drift checks render
 * through here.
 *
 * GitHub refuses a summary over 1 MiB and a comment over 65,536 characters, so the output never
 * exceeds its budget. It degrades in steps, each said in a note with where the full text is:
 * shorter values, then fewer attributes per resource, then resources without attributes, then
 * resources counted instead of listed.
 *
 * Every value comes from plugins or pull requests and is hostile: all of it is escaped
 * (escapeHtml, which also masks the step's secrets) and shown inside <code>, where GitHub links
 * no @mention, #reference or URL.
 */
import {
  KNOWN_AFTER_APPLY,
  SENSITIVE,
  sliceText,
  type AttributeChange,
  type DetailAction,
  type ResourceDetail,
} from '@deploy-engine/core';
import { escapeHtml } from './html';

/** One plugin's (or module's) changes. */
export interface PlanHtmlSection {
  /** The section's heading, HTML the caller escaped (e.g. "Plan of queue: 1 to add, …"). */
  titleHtml: string;
  /** The resources with their attribute changes. */
  details: readonly ResourceDetail[];
  /** Resources known without their details (older records, past the stored limits): names only. */
  undetailed?: readonly { address: string; action: DetailAction }[];
  /** Where the full plan text is, e.g. `s3://bucket/runs/…/plan.txt` (escaped here). */
  textLocation: string;
  /** HTML under the heading, escaped by the caller. */
  noteHtml?: string;
}

export interface PlanHtmlOptions {
  /** Most characters the result may have. */
  budget: number;
  /** What imposes the budget, for the note when something is left out. */
  limitName: string;
}

const MARK: Record<DetailAction, string> = {
  delete: '🟥 destroy',
  replace: '🟧 replace',
  update: '🟨 change',
  create: '🟩 add',
  read: '🟦 read',
  forget: '⬜ forget',
  'no-op': '⬜ no change',
};
const ORDER: DetailAction[] = ['delete', 'replace', 'update', 'create', 'read', 'forget', 'no-op'];
const REASONS: Record<string, string> = {
  replace_because_cannot_update: 'an attribute that cannot be updated in place changes',
  replace_because_tainted: 'the resource is tainted',
  replace_by_request: 'replacement requested (-replace)',
  replace_by_triggers: 'replace_triggered_by',
  delete_because_no_resource_config: 'no longer in the configuration',
  delete_because_no_module: 'its module is no longer in the configuration',
  delete_because_count_index: 'its count index is gone',
  delete_because_each_key: 'its for_each key is gone',
  delete_because_wrong_repetition: 'count / for_each changed',
};

/** How much a rendering shows; each step down shows less. */
interface Level {
  valueChars: number;
  attributes: number;
  note?: string;
}
const LEVELS: Level[] = [
  { valueChars: 500, attributes: Infinity },
  { valueChars: 80, attributes: Infinity, note: 'values are cut to 80 characters' },
  { valueChars: 80, attributes: 5, note: 'at most 5 attributes are shown per resource' },
  { valueChars: 0, attributes: 0, note: 'attribute changes are left out' },
];

/** Text from a plan, inert in GitHub's Markdown and HTML (a table pipe, an @mention included). */
export function planText(text: string): string {
  return escapeHtml(text).replace(/@/g, '&#64;').replace(/\|/g, '&#124;');
}

const isDanger = (action: DetailAction) => action === 'delete' || action === 'replace';

function sortedResources(section: PlanHtmlSection): ResourceDetail[] {
  const undetailed = (section.undetailed ?? []).map((r) => ({ ...r, alias: '', attributes: [] }));
  return [...section.details, ...undetailed].sort(
    (a, b) =>
      ORDER.indexOf(a.action) - ORDER.indexOf(b.action) || a.address.localeCompare(b.address),
  );
}

function value(text: string | undefined, max: number): { html: string; cut: boolean } {
  if (text === undefined) return { html: '<em>(none)</em>', cut: false };
  if (text === SENSITIVE || text === KNOWN_AFTER_APPLY)
    return { html: `<em>${planText(text)}</em>`, cut: false };
  if (text.length <= max) return { html: `<code>${planText(text)}</code>`, cut: false };
  return { html: `<code>${planText(sliceText(text, max - 1))}…</code>`, cut: true };
}

function attributeHtml(a: AttributeChange, level: Level): { html: string; cut: boolean } {
  const before = value(a.before, level.valueChars);
  const after = value(a.after, level.valueChars);
  const cut = Boolean(a.cut) || before.cut || after.cut;
  const change =
    a.before === undefined
      ? after.html
      : a.after === undefined
        ? `${before.html} → <em>(removed)</em>`
        : `${before.html} → ${after.html}`;
  return {
    html: `<code>${planText(a.path)}</code>: ${change}${cut ? ' ✂️' : ''}${a.forcesReplacement ? ' <strong>(forces replacement)</strong>' : ''}`,
    cut,
  };
}

/** What the resource cell says besides the address: replacement, move, import, forget. */
function resourceNotes(r: ResourceDetail): string[] {
  const notes: string[] = [];
  if (r.action === 'replace') {
    const forcing = r.attributes.filter((a) => a.forcesReplacement).map((a) => a.path);
    const why = r.reason ? (REASONS[r.reason] ?? r.reason) : undefined;
    notes.push(
      [
        forcing.length > 0
          ? `forced by ${forcing.map((p) => `<code>${planText(p)}</code>`).join(', ')}`
          : '',
        why ? planText(why) : '',
        r.replaceOrder ? planText(r.replaceOrder.replace(/-/g, ' ')) : '',
      ]
        .filter(Boolean)
        .join('; '),
    );
  } else if (r.reason && r.action === 'delete') notes.push(planText(REASONS[r.reason] ?? r.reason));
  if (r.movedFrom) notes.push(`moved from <code>${planText(r.movedFrom)}</code>`);
  if (r.importing)
    notes.push(`imported${r.importing.id ? ` (id <code>${planText(r.importing.id)}</code>)` : ''}`);
  if (r.action === 'forget') notes.push('removed from the state, not destroyed');
  return notes.filter(Boolean);
}

function resourceRow(r: ResourceDetail, level: Level): { html: string; cut: boolean } {
  const notes = resourceNotes(r).map((n) => `<br>${n}`);
  let cut = false;
  const attributes: string[] = [];
  if (level.attributes > 0) {
    // What forces a replacement is shown first, so it survives the cut.
    const ordered = [...r.attributes].sort(
      (a, b) => Number(Boolean(b.forcesReplacement)) - Number(Boolean(a.forcesReplacement)),
    );
    for (const a of ordered.slice(0, level.attributes)) {
      const rendered = attributeHtml(a, level);
      cut ||= rendered.cut;
      attributes.push(rendered.html);
    }
  }
  const more = (r.omittedAttributes ?? 0) + Math.max(0, r.attributes.length - attributes.length);
  if (more > 0 && level.attributes > 0) attributes.push(`<em>… ${more} more attribute(s)</em>`);
  const danger = isDanger(r.action);
  const mark = danger ? `<strong>${MARK[r.action]}</strong>` : MARK[r.action];
  const cell = level.attributes > 0 ? `<td>${attributes.join('<br>')}</td>` : '';
  return {
    html: `<tr><td>${mark}</td><td><code>${planText(r.address)}</code>${notes.join('')}</td>${cell}</tr>\n`,
    cut,
  };
}

/** A section's HTML, its rows cut off once `rowBudget` is spent (the rest counted). */
function sectionHtml(
  section: PlanHtmlSection,
  level: Level,
  rowBudget = Infinity,
): { html: string; cut: boolean; unlisted: number } {
  const resources = sortedResources(section);
  const danger = resources.some((r) => isDanger(r.action));
  const where = `<p>Full plan text: <code>${planText(section.textLocation)}</code></p>\n`;
  const head = `<details${danger ? ' open' : ''}><summary>${danger ? '⚠️ ' : ''}${section.titleHtml}</summary>\n${section.noteHtml ?? ''}${where}`;
  if (resources.length === 0)
    return { html: `${head}<p>No changes.</p>\n</details>\n`, cut: false, unlisted: 0 };
  const header = `<table><tr><th>Action</th><th>Resource</th>${level.attributes > 0 ? '<th>Changes</th>' : ''}</tr>\n`;
  let rows = '';
  let cut = false;
  let listed = 0;
  for (const r of resources) {
    const row = resourceRow(r, level);
    if (rows.length + row.html.length > rowBudget) break;
    rows += row.html;
    cut ||= row.cut;
    listed++;
  }
  const unlisted = resources.length - listed;
  const more = unlisted > 0 ? `<p>… ${unlisted} more resource change(s), not listed.</p>\n` : '';
  return { html: `${head}${header}${rows}</table>\n${more}</details>\n`, cut, unlisted };
}

/**
 * The sections as HTML of at most `options.budget` characters: everything when it fits, else less
 * (see the file comment), always saying what was left out and where the full plan text is.
 */
export function renderPlanSections(
  sections: readonly PlanHtmlSection[],
  options: PlanHtmlOptions,
): string {
  // Sections that destroy or replace come first; the others keep their order.
  const danger = (s: PlanHtmlSection) =>
    s.details.some((r) => isDanger(r.action)) ||
    (s.undetailed ?? []).some((r) => isDanger(r.action));
  const ordered = [...sections.filter((s) => danger(s)), ...sections.filter((s) => !danger(s))];
  const cutNote = '<p>✂️ Value cut: read the full plan text (linked in its section).</p>\n';
  const leftOut = (what: string) =>
    `<p>⚠️ ${planText(options.limitName)}: ${what}. The full plan text of each section is linked in it.</p>\n`;
  for (const level of LEVELS) {
    const rendered = ordered.map((s) => sectionHtml(s, level));
    const cut = rendered.some((r) => r.cut);
    const html =
      (level.note ? leftOut(level.note) : '') +
      rendered.map((r) => r.html).join('') +
      (cut ? cutNote : '');
    if (html.length <= options.budget) return html;
  }
  // Even names only is too long: list rows while the budget lasts, count the rest.
  const names = LEVELS[LEVELS.length - 1] as Level;
  const fixed = ordered.map((s) => sectionHtml(s, names, 0).html.length);
  const note = leftOut('attribute changes are left out and not every resource is listed');
  const reserve = note.length + 200;
  let left = options.budget - reserve - fixed.reduce((sum, n) => sum + n, 0);
  let unlisted = 0;
  const parts: string[] = [];
  for (const section of ordered) {
    const rendered = sectionHtml(section, names, Math.max(0, left));
    left -= rendered.html.length - (fixed[parts.length] ?? 0);
    unlisted += rendered.unlisted;
    parts.push(rendered.html);
  }
  const html = `${note}${parts.join('')}<p>⚠️ ${unlisted} resource change(s) are not listed.</p>\n`;
  // Too many sections to list even their headings: say so within the budget.
  if (html.length <= options.budget) return html;
  return leftOut(
    `${ordered.length} plan section(s) are too many to list; read the full plan texts in S3`,
  ).slice(0, options.budget);
}
