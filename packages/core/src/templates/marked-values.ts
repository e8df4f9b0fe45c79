/**
 * Values a plugin's templates receive from outside the plugin and its application, marked so that
 * printing them cannot change the Terraform around them:
 * - {@link ForeignValue}: a Connection Interface attribute another application published. Printed
 *   as text it is escaped for an HCL (and JSON) string, so `"` or `${file(...)}` in it stays text.
 * - {@link SecretValue}: a secret shared value or secret interface attribute. It can only be printed
 *   whole, and then as `${sensitive("...")}`, so Terraform hides it in plans; every transformation
 *   (filters, concatenation, indexing, iteration, comparison) is refused (see marked-runtime.ts).
 * The raw value is kept in a private field: a template's attribute lookups cannot reach it.
 */
import { SandboxError } from './sandbox-error';

/** A string from another application, escaped whenever it becomes text. */
export class ForeignValue {
  readonly #raw: string;
  constructor(raw: string) {
    this.#raw = raw;
  }
  get raw(): string {
    return this.#raw;
  }
  /** The escaped text: what `{{ value }}` prints. */
  toString(): string {
    return escapeHclString(this.#raw, true);
  }
}

/** A secret: printed whole as a sensitive Terraform value, never transformed. */
export class SecretValue {
  readonly #raw: unknown;
  constructor(
    raw: unknown,
    /** How messages name it, e.g. `var.API_KEY` (never the value). */
    readonly label: string,
  ) {
    this.#raw = raw;
  }
  get raw(): unknown {
    return this.#raw;
  }
  /** What `{{ secret }}` prints: an interpolation Terraform marks sensitive. */
  rendered(): string {
    const raw = this.#raw;
    const literal =
      typeof raw === 'string'
        ? `"${escapeHclString(raw, false)}"`
        : `jsondecode("${escapeHclString(JSON.stringify(raw), false)}")`;
    return `\${sensitive(${literal})}`;
  }
  /** Any implicit conversion to text is a transformation the template did not spell out. */
  toString(): string {
    throw refused(this, 'turned into text other than by printing it whole');
  }
}

/** The error for an operation on a secret. */
export function refused(secret: SecretValue, what: string): SandboxError {
  return new SandboxError(
    `${secret.label} is secret: it cannot be ${what}. Print it whole inside a quoted string ("{{ ${secret.label} }}"); Terraform then treats it as sensitive`,
  );
}

/**
 * Escapes `text` for the inside of an HCL quoted string, with only escapes JSON reads the same way
 * (so the result is also valid inside a JSON string): `"`, `\`, control characters, and Terraform's
 * template sequences `${` -> `$${`, `%{` -> `%%{`. With `trailing`, a final `$` or `%` is written
 * as `${"$"}` / `${"%"}`: the text that follows it (another value) cannot complete a `${`.
 */
export function escapeHclString(text: string, trailing: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    const code = text.charCodeAt(i);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029)
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    else if (code >= 0xd800 && code <= 0xdfff && !isPaired(text, i)) out += '\\ufffd';
    else if (ch === '$' || ch === '%') {
      if (text[i + 1] === '{') out += ch + ch;
      else if (trailing && i === text.length - 1) out += `\${"${ch}"}`;
      else out += ch;
    } else out += ch;
  }
  return out;
}

function isPaired(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  if (code <= 0xdbff) {
    const next = text.charCodeAt(i + 1);
    return next >= 0xdc00 && next <= 0xdfff;
  }
  const prev = text.charCodeAt(i - 1);
  return prev >= 0xd800 && prev <= 0xdbff;
}

/** Marks every string in `value` (lists and maps included) as foreign. */
export function markForeign(value: unknown): unknown {
  if (typeof value === 'string') return value === '' ? value : new ForeignValue(value);
  if (Array.isArray(value)) return value.map(markForeign);
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, markForeign(v)]));
  }
  return value;
}

/** The plain data under the marks (for filters that compute on the real value). */
export function unmark(value: unknown): unknown {
  if (value instanceof ForeignValue) return value.raw;
  if (value instanceof SecretValue) throw refused(value, 'unwrapped');
  if (Array.isArray(value)) return value.some(hasMarks) ? value.map(unmark) : value;
  if (isPlainObject(value) && hasMarks(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unmark(v)]));
  }
  return value;
}

/** The first secret in `value`, searched through lists and maps. */
export function findSecret(value: unknown, depth = 0): SecretValue | undefined {
  if (value instanceof SecretValue) return value;
  if (depth > 20) return undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findSecret(item, depth + 1);
      if (found) return found;
    }
  } else if (isPlainObject(value)) {
    for (const item of Object.values(value)) {
      const found = findSecret(item, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** Whether `value` holds a foreign string anywhere (lists and maps included). */
export function hasForeign(value: unknown, depth = 0): boolean {
  if (value instanceof ForeignValue) return true;
  if (depth > 20) return false;
  if (Array.isArray(value)) return value.some((v) => hasForeign(v, depth + 1));
  if (isPlainObject(value)) return Object.values(value).some((v) => hasForeign(v, depth + 1));
  return false;
}

function hasMarks(value: unknown): boolean {
  return hasForeign(value) || findSecret(value) !== undefined;
}

/** A `{}` or `Object.create(null)` map (not an array, class instance or marked value). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * JSON of `value` that stays safe and exact inside HCL: foreign strings get Terraform's template
 * escapes (`$${`, `%%{`), which Terraform reads back as the real value. Plain values are
 * serialised as JSON.stringify does.
 */
export function hclJson(value: unknown, depth = 0): string {
  if (value instanceof ForeignValue) return `"${escapeHclString(value.raw, false)}"`;
  if (value instanceof SecretValue) throw refused(value, 'serialised with tojson');
  if (depth > 100) throw new SandboxError('tojson: the value is nested too deeply');
  if (Array.isArray(value)) {
    return `[${value.map((v) => (v === undefined ? 'null' : hclJson(v, depth + 1))).join(',')}]`;
  }
  if (isPlainObject(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    // Keys are escaped too: in HCL an object key is a template like any string.
    const pairs = entries.map(
      ([k, v]) => `"${escapeHclString(k, false)}":${hclJson(v, depth + 1)}`,
    );
    return `{${pairs.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
