/**
 * Escapes text for the job summary's and the PR comment's HTML: error messages, names and values
 * come from users' files and plugins. GitHub renders both as Markdown with HTML inside, so the
 * text must stay inert as both: the HTML characters, and what would start Markdown a reader could
 * be misled by (links and images `[..](..)`, code spans, backslash escapes). Line breaks become
 * character references: a blank line would end our HTML block and let what follows render as
 * Markdown.
 */
import { maskRegistered } from './register-secret';

const REFERENCES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '[': '&#91;',
  ']': '&#93;',
  '`': '&#96;',
  '\\': '&#92;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** `text` with the step's secrets masked (see maskRegistered), escaped. */
export function escapeHtml(text: string): string {
  return maskRegistered(text).replace(/[&<>"'[\]`\\\r\n]/g, (c) => REFERENCES[c] as string);
}
