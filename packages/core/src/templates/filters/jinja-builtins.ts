/**
 * Jinja2 3.1's built-in filters and tests that nunjucks lacks, with Jinja's results (checked
 * against Jinja2 3.1.6 in jinja-differential.test.ts). Sizes are bounded like every other string
 * a template builds: widths and repeat counts above MAX_WIDTH are refused.
 */
import { printedText } from '../marked-runtime';
import { SandboxError } from '../sandbox-error';
import { list, split, width, type FilterContext } from './filter-args';
import { safeMember, safePath } from './safe-member';

export { MAX_WIDTH } from './filter-args';
export { boundedSizes, JINJA_OVERRIDES } from './jinja-overrides';

/** Python's repr of plain data (what `pprint` prints for values that fit a line). */
export function pyRepr(value: unknown): string {
  if (value === undefined) return 'Undefined';
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    const body = value
      .replace(/\\/g, '\\\\')
      .replace(/\n/g, '\\n')
      .replace(/\r/g, '\\r')
      .replace(/\t/g, '\\t');
    return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
  }
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
  }
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  return String(value);
}

function filesizeformat(value: unknown, binary = false): string {
  const bytes = Number(value);
  const base = binary ? 1024 : 1000;
  const prefixes = binary
    ? ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB']
    : ['kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  if (bytes === 1) return '1 Byte';
  if (bytes < base) return `${Math.trunc(bytes)} Bytes`;
  let unit = base;
  let prefix = prefixes[0] as string;
  for (let i = 0; i < prefixes.length; i++) {
    unit = base ** (i + 2);
    prefix = prefixes[i] as string;
    if (bytes < unit) break;
  }
  return `${((base * bytes) / unit).toFixed(1)} ${prefix}`;
}

/** Python's `%` formatting for the conversions templates use: s, r, d, i, f, x, X, o, e, %. */
function format(value: unknown, ...rest: unknown[]): string {
  const { positional, keywords } = split(rest);
  const named = Object.keys(keywords).filter((k) => k !== '__keywords').length > 0;
  let index = 0;
  const next = (key: string | undefined): unknown => {
    if (key !== undefined) return keywords[key];
    if (index >= positional.length) throw new SandboxError('format: not enough arguments');
    return positional[index++];
  };
  const out = printedText(value ?? '').replace(
    /%(?:\((\w+)\))?([-+ 0#]*)(\d+)?(?:\.(\d+))?([sridfFxXoeE%])/g,
    (
      _m,
      key: string | undefined,
      flags: string,
      w: string | undefined,
      p: string | undefined,
      conv: string,
    ) => {
      if (conv === '%') return '%';
      const arg = next(named ? key : undefined);
      const precision = p === undefined ? undefined : width(p, 0);
      let text: string;
      switch (conv) {
        case 's':
          text = typeof arg === 'string' ? arg : pyRepr(arg).replace(/^'(.*)'$/s, '$1');
          if (precision !== undefined) text = text.slice(0, precision);
          break;
        case 'r':
          text = pyRepr(arg);
          break;
        case 'd':
        case 'i':
          text = String(Math.trunc(Number(arg)));
          break;
        case 'f':
        case 'F':
          text = Number(arg).toFixed(precision ?? 6);
          break;
        case 'e':
        case 'E':
          text = Number(arg)
            .toExponential(precision ?? 6)
            .replace(/e([+-])(\d)$/, 'e$10$2');
          if (conv === 'E') text = text.toUpperCase();
          break;
        default: {
          const radix = conv === 'o' ? 8 : 16;
          text = Math.trunc(Number(arg)).toString(radix);
          if (conv === 'X') text = text.toUpperCase();
        }
      }
      if (flags.includes('+') && /^[0-9]/.test(text) && 'dif'.includes(conv)) text = `+${text}`;
      const pad = w === undefined ? 0 : width(w, 0);
      if (text.length >= pad) return text;
      if (flags.includes('-')) return text.padEnd(pad);
      if (flags.includes('0') && conv !== 's') {
        const sign = /^[+-]/.test(text) ? (text[0] as string) : '';
        return sign + text.slice(sign.length).padStart(pad - sign.length, '0');
      }
      return text.padStart(pad);
    },
  );
  return out;
}

function key(value: unknown, attribute: unknown, caseSensitive: boolean): unknown {
  const v = attribute === undefined || attribute === null ? value : safePath(value, attribute);
  return !caseSensitive && typeof v === 'string' ? v.toLowerCase() : v;
}

function extreme(which: 'max' | 'min') {
  return (value: unknown, ...rest: unknown[]): unknown => {
    const { positional, keywords } = split(rest);
    const caseSensitive = Boolean(keywords.case_sensitive ?? positional[0] ?? false);
    const attribute = keywords.attribute ?? positional[1];
    const items = list(value);
    if (items.length === 0) return undefined;
    let best = items[0];
    for (const item of items.slice(1)) {
      const a = key(item, attribute, caseSensitive) as number;
      const b = key(best, attribute, caseSensitive) as number;
      if (which === 'max' ? a > b : a < b) best = item;
    }
    return best;
  };
}

function unique(value: unknown, ...rest: unknown[]): unknown[] {
  const { positional, keywords } = split(rest);
  const caseSensitive = Boolean(keywords.case_sensitive ?? positional[0] ?? false);
  const attribute = keywords.attribute ?? positional[1];
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const item of list(value)) {
    const k = JSON.stringify(key(item, attribute, caseSensitive)) ?? 'undefined';
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(item);
  }
  return out;
}

function map(this: FilterContext, value: unknown, ...rest: unknown[]): unknown[] {
  const { positional, keywords } = split(rest);
  const items = list(value);
  if (keywords.attribute !== undefined) {
    return items.map((item) => {
      const found = safePath(item, keywords.attribute);
      return found === undefined ? keywords.default : found;
    });
  }
  const [name, ...args] = positional;
  if (typeof name !== 'string') throw new SandboxError('map needs a filter name or attribute=');
  const filter = this.env.getFilter(name);
  return items.map((item) => filter.call(this, item, ...args));
}

/** Python's textwrap.wrap as Jinja's wordwrap calls it, for text without tabs. */
function wordwrap(value: unknown, ...rest: unknown[]): string {
  const { positional, keywords } = split(rest);
  const w = width(keywords.width ?? positional[0], 79);
  if (w < 1) throw new SandboxError(`invalid width ${w} (must be > 0)`);
  const breakLong = Boolean(keywords.break_long_words ?? positional[1] ?? true);
  const wrapstring = printedText(keywords.wrapstring ?? positional[2] ?? '\n');
  const paragraphs = printedText(value ?? '').split(/\r\n|\r|\n/);
  return paragraphs
    .map((paragraph) => {
      const words = paragraph.split(/\s+/).filter(Boolean);
      const lines: string[] = [];
      let line = '';
      for (let word of words) {
        while (breakLong && word.length > w) {
          const room = line ? w - line.length - 1 : w;
          if (room <= 0) {
            lines.push(line);
            line = '';
            continue;
          }
          const piece = word.slice(0, room);
          line = line ? `${line} ${piece}` : piece;
          lines.push(line);
          line = '';
          word = word.slice(room);
        }
        if (!line) line = word;
        else if (line.length + 1 + word.length <= w) line += ` ${word}`;
        else {
          lines.push(line);
          line = word;
        }
      }
      if (line) lines.push(line);
      return lines.join(wrapstring);
    })
    .join(wrapstring);
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
};
const xmlEscape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] as string);

function xmlattr(value: unknown, autospace = true): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SandboxError('xmlattr needs a mapping');
  }
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue;
    if (/[\s/>=]/.test(k)) throw new SandboxError(`Invalid character in attribute name: '${k}'`);
    const text = typeof v === 'string' ? v : pyRepr(v).replace(/^'(.*)'$/s, '$1');
    parts.push(`${xmlEscape(k)}="${xmlEscape(text)}"`);
  }
  const out = parts.join(' ');
  return autospace && out ? ` ${out}` : out;
}

/** Jinja built-in filters nunjucks lacks, by name (with JINJA_OVERRIDES: where it differs). */
export const JINJA_FILTERS: Record<string, (this: FilterContext, ...args: never[]) => unknown> = {
  // Jinja's attr reads Python attributes, never items: plain data (maps, lists, strings from
  // YAML and JSON) has none a sandboxed template may read, so it is always undefined.
  attr: (obj: unknown, name: unknown) => {
    safeMember({}, String(name));
    return undefined;
  },
  count: (value: unknown) =>
    value === undefined || value === null
      ? 0
      : typeof value === 'object' && !Array.isArray(value)
        ? Object.keys(value).length
        : ((value as { length?: number }).length ?? 0),
  filesizeformat,
  format,
  items: (value: unknown) =>
    value === undefined || value === null ? [] : Object.entries(value as Record<string, unknown>),
  map,
  max: extreme('max'),
  min: extreme('min'),
  pprint: (value: unknown) => pyRepr(value),
  unique,
  wordwrap,
  xmlattr,
};

/** Jinja built-in tests nunjucks does not have. */
export const JINJA_TESTS: Record<string, (value: unknown, other?: unknown) => boolean> = {
  boolean: (v) => v === true || v === false,
  true: (v) => v === true,
  false: (v) => v === false,
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  float: (v) => typeof v === 'number' && !Number.isInteger(v),
  in: (v, seq) =>
    typeof seq === 'string'
      ? seq.includes(String(v))
      : Array.isArray(seq)
        ? seq.includes(v)
        : seq !== null && typeof seq === 'object'
          ? Object.prototype.hasOwnProperty.call(seq, String(v))
          : false,
  sequence: (v) =>
    typeof v === 'string' || Array.isArray(v) || (v !== null && typeof v === 'object'),
};
