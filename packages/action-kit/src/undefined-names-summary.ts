/**
 * The job summary's list of undefined template names (FEATURES_TEMPLATE_STRICT false): what
 * rendered as empty text, at which template file and line, so a typo is seen in the review even
 * when the annotations are not opened.
 */
import type { UndefinedReference } from '@deploy-engine/core';
import { escapeHtml } from './html';

/** The most rows listed; the rest are counted. */
const MAX_ROWS = 200;

/** HTML for the summary (empty when nothing was undefined). */
export function renderUndefinedNames(
  references: readonly UndefinedReference[] | undefined,
): string {
  if (!references || references.length === 0) return '';
  const rows = references.slice(0, MAX_ROWS).map((r) => {
    const where = `${r.location.file}${r.location.line !== undefined ? `:${r.location.line}` : ''}`;
    return `<tr><td><code>${escapeHtml(r.expression)}</code></td><td><code>${escapeHtml(where)}</code></td></tr>`;
  });
  const more =
    references.length > MAX_ROWS ? `<p>… and ${references.length - MAX_ROWS} more.</p>` : '';
  return `<h3>Undefined template names</h3>
<p>⚠️ These names are not defined: they rendered as empty text (Jinja's default, as on StackSpot). Define them as plugin inputs, guard them with <code>is defined</code> or <code>default</code>, or set <code>FEATURES_TEMPLATE_STRICT: true</code> to refuse them.</p>
<table><tr><th>Name</th><th>Template</th></tr>${rows.join('')}</table>${more}
`;
}
