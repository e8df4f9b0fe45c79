/**
 * Lines for messages. HCL's JSON form has no positions, so the line of a construct in a
 * native-syntax file is found by searching the file's text for it (best effort: the first match,
 * or the line of an enclosing construct, or none). JSON-syntax files know the line of each key.
 */
import type { ConfigFile } from './project-files';

/** The 1-based line of the first match of `pattern` in `text` at or after line `from`. */
export function findLine(text: string, pattern: RegExp, from = 1): number | undefined {
  const lines = text.split('\n');
  for (let i = Math.max(0, from - 1); i < lines.length; i++) {
    if (pattern.test(lines[i] as string)) return i + 1;
  }
  return from > 1 ? findLine(text, pattern) : undefined;
}

/** A word as HCL may write it: bare or quoted. */
export function word(name: string): string {
  return `"?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?`;
}

/** Where a block `type "label"...` starts (native), or the line its JSON key is on. */
export function blockLine(
  file: ConfigFile,
  type: string,
  labels: readonly string[],
  jsonLine?: number,
): number | undefined {
  if (file.json) return jsonLine;
  const pattern = new RegExp(`^\\s*${[type, ...labels].map(word).join('\\s*')}\\s*\\{`);
  return findLine(file.text, pattern) ?? findLine(file.text, new RegExp(`^\\s*${word(type)}\\b`));
}

/** The line of `text` (an expression's source) in a native file, or a JSON line. */
export function textLine(file: ConfigFile, snippet: string, jsonLine?: number): number | undefined {
  if (file.json) return jsonLine;
  const escaped = snippet.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return findLine(file.text, new RegExp(escaped));
}
