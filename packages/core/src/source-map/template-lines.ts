/**
 * A Jinja template read line by line for alignment with what it rendered: each line's literal text
 * and where `{{ }}` values go (wildcards), which lines print nothing of their own (only `{% %}`
 * tags and `{# #}` comments), and which lines a `{% for %}` loop repeats. Nothing is evaluated:
 * this only needs the template's shape.
 */

/** One template line as a pattern its rendered line should match. */
export interface TemplateLine {
  /** Literal text and `null` for each `{{ }}` value, whitespace removed (see squash). */
  parts: (string | null)[];
  /** Only tags, comments or the inside of a multi-line tag: prints nothing but maybe whitespace. */
  silent: boolean;
  /** Whether the line has literal text of its own (a `}` counts): a match is then an anchor. */
  literal: boolean;
}

/** A `{% for %}` … `{% endfor %}` pair, as 0-based line indexes. */
export interface LoopSpan {
  start: number;
  end: number;
}

export interface TemplateShape {
  lines: TemplateLine[];
  loops: LoopSpan[];
}

/** Whitespace does not decide a match: `{%- -%}` and indentation filters move it around. */
export function squash(text: string): string {
  return text.replace(/\s+/g, '');
}

type Token = { kind: 'text' | 'value' | 'tag' | 'comment'; text: string; line: number };

/** Splits the template into text, `{{ }}`, `{% %}` and `{# #}`, with the line each starts on. */
function tokenize(template: string): Token[] {
  const tokens: Token[] = [];
  const closers: Record<string, { kind: Token['kind']; close: string }> = {
    '{{': { kind: 'value', close: '}}' },
    '{%': { kind: 'tag', close: '%}' },
    '{#': { kind: 'comment', close: '#}' },
  };
  let line = 0;
  let at = 0;
  let raw = false;
  const push = (kind: Token['kind'], text: string): void => {
    if (text !== '') tokens.push({ kind, text, line });
    line += text.split('\n').length - 1;
  };
  while (at < template.length) {
    const open = raw ? template.indexOf('{%', at) : template.slice(at).search(/\{[{%#]/) + at;
    if (open < at) {
      push('text', template.slice(at));
      break;
    }
    const opener = closers[template.slice(open, open + 2)] as {
      kind: Token['kind'];
      close: string;
    };
    const close = template.indexOf(opener.close, open + 2);
    const body = close < 0 ? template.slice(open) : template.slice(open, close + 2);
    if (raw) {
      // Inside {% raw %} only {% endraw %} ends the literal text.
      if (/^\{%-?\s*endraw\b/.test(body)) {
        push('text', template.slice(at, open));
        push('tag', body);
        raw = false;
      } else {
        push('text', template.slice(at, open + 2));
        at = open + 2;
        continue;
      }
    } else {
      push('text', template.slice(at, open));
      push(opener.kind, body);
      if (opener.kind === 'tag' && /^\{%-?\s*raw\b/.test(body)) raw = true;
    }
    if (close < 0) break;
    at = close + 2;
  }
  return tokens;
}

/** Reads a template's shape (see TemplateShape). */
export function templateShape(template: string): TemplateShape {
  const count = template.split('\n').length;
  const lines: { parts: (string | null)[]; tags: number; covered: boolean }[] = Array.from(
    { length: count },
    () => ({ parts: [], tags: 0, covered: false }),
  );
  const loops: LoopSpan[] = [];
  const open: number[] = [];
  for (const token of tokenize(template)) {
    const spanned = token.text.split('\n');
    if (token.kind === 'text') {
      spanned.forEach((piece, i) => {
        const text = squash(piece);
        if (text !== '') lines[token.line + i]?.parts.push(text);
      });
      continue;
    }
    const first = lines[token.line];
    if (first) {
      if (token.kind === 'value') first.parts.push(null);
      else first.tags++;
    }
    // The lines a multi-line tag or value covers print nothing of their own.
    for (let i = 1; i < spanned.length; i++) {
      const covered = lines[token.line + i];
      if (covered) {
        covered.covered = true;
        covered.tags++;
      }
    }
    if (token.kind !== 'tag') continue;
    if (/^\{%-?\s*for\b/.test(token.text)) open.push(token.line);
    else if (/^\{%-?\s*endfor\b/.test(token.text)) {
      const start = open.pop();
      if (start !== undefined) loops.push({ start, end: token.line + spanned.length - 1 });
    }
  }
  return {
    loops,
    lines: lines.map(({ parts, tags }) => {
      const literal = parts.some((p) => p !== null);
      return { parts, literal, silent: parts.length === 0 && tags > 0 };
    }),
  };
}

/** Whether a rendered line (already squashed) is what `line` prints. */
export function matcher(line: TemplateLine): (rendered: string) => boolean {
  if (line.silent || line.parts.length === 0) return (rendered) => rendered === '';
  if (!line.parts.includes(null)) {
    const text = line.parts.join('');
    return (rendered) => rendered === text;
  }
  // Literals between wildcards, matched as a glob: first literal a prefix, last a suffix, the
  // others found left to right (no regular expression: no backtracking on hostile lines).
  const parts = line.parts;
  return (rendered) => {
    let at = 0;
    let end = rendered.length;
    const first = parts[0];
    const last = parts[parts.length - 1];
    if (typeof first === 'string') {
      if (!rendered.startsWith(first)) return false;
      at = first.length;
    }
    if (typeof last === 'string') {
      if (!rendered.endsWith(last) || rendered.length - last.length < at) return false;
      end = rendered.length - last.length;
    }
    for (let i = 1; i < parts.length - 1; i++) {
      const part = parts[i];
      if (part === null || part === undefined) continue;
      const found = rendered.indexOf(part, at);
      if (found < 0 || found + part.length > end) return false;
      at = found + part.length;
    }
    return true;
  };
}
