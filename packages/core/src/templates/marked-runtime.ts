/**
 * What nunjucks' runtime does with marked values (marked-values.ts), installed by
 * strict-nunjucks.ts: the compiled template calls these functions for printing, filters,
 * concatenation, comparison, membership, function calls and loops.
 * - A foreign value keeps its mark through every transformation: a filter or a `~` computes on the
 *   real value and the result is foreign again, so it is escaped when printed.
 * - A secret can only be printed whole or passed through `default`; anything else is refused.
 *   Text that already holds a printed secret (a `{% set %}` or `{% filter %}` block) cannot be
 *   filtered, indexed or iterated either: that would transform the secret as well.
 * - A string may not grow beyond {@link MAX_TEXT_CHARS}: a template doubling a string stops early.
 */
import {
  findSecret,
  ForeignValue,
  hasForeign,
  hclJson,
  isPlainObject,
  markForeign,
  refused,
  SecretValue,
  unmark,
} from './marked-values';
import { SandboxError, UndefinedValueError } from './sandbox-error';

/** The longest string a template may build: the limit of one rendered file. */
export const MAX_TEXT_CHARS = 10 * 1024 * 1024;

/**
 * The render in progress (nunjucks renders synchronously, one template at a time): whether it is a
 * file or folder name (where secrets are refused), and the printed form of every secret in its
 * context.
 */
export const renderState = {
  mode: 'text' as 'text' | 'name',
  secretTexts: [] as string[],
  /** Characters printed by `{{ }}` in the current template: stops a printing loop early. */
  printed: 0,
  /**
   * When the current template must have finished (ms since the epoch; see TEMPLATE_TIME_LIMIT_MS).
   * Checked as loops and macros set their variables, so a loop that never ends stops even where no
   * worker thread bounds the render (computed inputs render in the caller's process).
   */
  deadline: Number.POSITIVE_INFINITY,
  /** Frame writes since the deadline was last compared with the clock. */
  ticks: 0,
  /** Whether an undefined name is an error (`strict`) or renders empty (`lenient`, Jinja's default). */
  undefinedMode: 'strict' as 'strict' | 'lenient',
  /** Lenient mode: the undefined names and attributes the current template used. */
  undefinedRefs: [] as { expression: string; line?: number; column?: number }[],
};

/** How long one template (a file, a name, a computed input) may take to render. */
export const TEMPLATE_TIME_LIMIT_MS = 10_000;

/** Starts the time and size budgets of one template's render. */
export function startTemplate(now = Date.now()): void {
  renderState.undefinedRefs = [];
  renderState.printed = 0;
  renderState.ticks = 0;
  renderState.deadline = now + TEMPLATE_TIME_LIMIT_MS;
}

/**
 * Every `{% for %}` iteration and macro call sets frame variables (`loop.index`, the loop
 * variable, the macro's arguments): counting those writes and looking at the clock every 4096 of
 * them bounds a render's time for the cost of an increment.
 */
function installDeadline(runtime: Record<string, unknown>): void {
  const frame = (runtime.Frame as { prototype: { set: (...args: unknown[]) => unknown } })
    .prototype;
  const set = frame.set;
  frame.set = function (this: unknown, ...args: unknown[]): unknown {
    if ((++renderState.ticks & 0xfff) === 0 && Date.now() > renderState.deadline) {
      throw new SandboxError(
        `the template took longer than ${TEMPLATE_TIME_LIMIT_MS / 1000} s to render (a loop that never ends?)`,
      );
    }
    return set.apply(this, args);
  };
}

/** Filters that hand their input back untouched: a secret may pass through them. */
const PASS_THROUGH = new Set(['default', 'd']);
/**
 * Filters Jinja's default Undefined makes fail (measured with Jinja2 3.1.6: `{{ a | int }}` with
 * `a` undefined raises); every other filter takes an undefined input as empty.
 */
const FAILS_ON_UNDEFINED = new Set([
  'abs',
  'attr',
  'dictsort',
  'filesizeformat',
  'float',
  'indent',
  'int',
  'round',
  'tojson',
  'wordwrap',
  'xmlattr',
]);
/** Tests that only look at whether a value is there. */
const PRESENCE_TESTS = new Set(['defined', 'undefined', 'none']);

interface Env {
  getFilter(name: string): (...args: unknown[]) => unknown;
}
type SafeStringClass = new (value: string) => { toString(): string };

function textOf(value: unknown, safeString: SafeStringClass): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof safeString) return value.toString();
  return undefined;
}

/** Refuses `value` if it is, holds or (as text) contains a secret. */
function refuseSecrets(value: unknown, what: string, safeString: SafeStringClass): void {
  const secret = findSecret(value);
  if (secret) throw refused(secret, what);
  const text = textOf(value, safeString);
  if (text !== undefined && renderState.secretTexts.some((s) => text.includes(s))) {
    throw new SandboxError(
      `this text holds a printed secret: it cannot be ${what}. Print secrets whole, outside {% set %} and {% filter %} blocks that transform them`,
    );
  }
}

/**
 * The text a value becomes when printed or joined with `~`: undefined and None as empty text,
 * booleans as Terraform's `true`/`false`, lists and maps as JSON (valid HCL).
 */
export function printedText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value) || isPlainObject(value)) return hclJson(value);
  // Strings, numbers, booleans, and marked values (whose toString escapes or refuses).
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  return String(value);
}

function checkSize(value: unknown): unknown {
  const length =
    typeof value === 'string' ? value.length : value instanceof ForeignValue ? value.raw.length : 0;
  if (length > MAX_TEXT_CHARS) {
    throw new SandboxError(
      `a string grew beyond ${MAX_TEXT_CHARS / 1024 / 1024} MiB (${length} characters)`,
    );
  }
  return value;
}

/** Replaces nunjucks' runtime functions; `runtime` is nunjucks/src/runtime. */
export function installMarkedRuntime(runtime: Record<string, unknown>): void {
  installDeadline(runtime);
  const safeString = runtime.SafeString as SafeStringClass;
  const suppressValue = runtime.suppressValue as (v: unknown, a: boolean) => unknown;
  const print = (value: unknown, autoescape: boolean): unknown => {
    if (value instanceof ForeignValue) return value.toString();
    if (value instanceof SecretValue) {
      if (renderState.mode === 'name') throw refused(value, 'used in a file or folder name');
      return value.rendered();
    }
    // Lists and maps print as JSON (valid HCL), not as JavaScript's `a,b` / `[object Object]`.
    if (Array.isArray(value) || isPlainObject(value)) return hclJson(value);
    return suppressValue(value, autoescape);
  };
  runtime.suppressValue = (value: unknown, autoescape: boolean): unknown => {
    const text = print(value, autoescape);
    renderState.printed += typeof text === 'string' ? text.length : 0;
    if (renderState.printed > MAX_TEXT_CHARS) {
      throw new SandboxError(`the template printed more than ${MAX_TEXT_CHARS / 1024 / 1024} MiB`);
    }
    return text;
  };

  runtime.markedFilter = (
    env: Env,
    context: unknown,
    name: string,
    args: unknown[],
    inputPath = '…',
  ): unknown => {
    if (PASS_THROUGH.has(name)) return env.getFilter(name).apply(context, args);
    if (args[0] === undefined && FAILS_ON_UNDEFINED.has(name)) {
      throw new UndefinedValueError(inputPath, ` (the '${name}' filter needs a value)`);
    }
    args.forEach((arg) => refuseSecrets(arg, `put through the '${name}' filter`, safeString));
    if (name === 'tojson') return hclJson(args[0]);
    if (name === 'raw') return unmark(args[0]);
    const filter = env.getFilter(name);
    if (!args.some((arg) => hasForeign(arg))) return checkSize(filter.apply(context, args));
    return checkSize(markForeign(filter.apply(context, args.map(unmark))));
  };

  runtime.markedConcat = (left: unknown, right: unknown): unknown => {
    for (const side of [left, right]) {
      if (side instanceof SecretValue) throw refused(side, 'concatenated');
    }
    if (left instanceof ForeignValue || right instanceof ForeignValue) {
      return checkSize(
        new ForeignValue(`${printedText(unmark(left))}${printedText(unmark(right))}`),
      );
    }
    return checkSize(`${printedText(left)}${printedText(right)}`);
  };

  runtime.markedAdd = (left: unknown, right: unknown): unknown => {
    const marked = [left, right].some((v) => v instanceof ForeignValue || v instanceof SecretValue);
    if (marked) return (runtime.markedConcat as (l: unknown, r: unknown) => unknown)(left, right);
    return checkSize((left as number) + (right as number));
  };

  runtime.plainOperand = (value: unknown): unknown => {
    if (value instanceof SecretValue) throw refused(value, 'compared');
    return value instanceof ForeignValue ? value.raw : value;
  };

  const inOperator = runtime.inOperator as (key: unknown, value: unknown) => boolean;
  runtime.inOperator = (key: unknown, value: unknown): boolean => {
    refuseSecrets(key, "tested with 'in'", safeString);
    refuseSecrets(value, "tested with 'in'", safeString);
    return inOperator(unmark(key), unmark(value));
  };

  const callWrap = runtime.callWrap as (...a: unknown[]) => unknown;
  runtime.callWrap = (fn: unknown, name: string, context: unknown, args: unknown[]): unknown => {
    // Calling an undefined value is an error in Jinja's default mode too.
    if (fn === undefined || fn === null)
      throw new UndefinedValueError(name, ' (it cannot be called)');
    for (const arg of args) {
      const secret = findSecret(arg);
      if (secret) throw refused(secret, `passed to ${name}()`);
    }
    return callWrap(fn, name, context, args);
  };

  const fromIterator = runtime.fromIterator as (value: unknown) => unknown;
  runtime.fromIterator = (value: unknown): unknown => {
    refuseSecrets(value, 'iterated', safeString);
    if (value instanceof ForeignValue) return Array.from(value.raw, (c) => new ForeignValue(c));
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && hasForeign(value)) {
      // `for key, value in map`: the keys came from the other application too.
      return Object.entries(value as Record<string, unknown>).map(([k, v]): unknown[] => [
        markForeign(k),
        v,
      ]);
    }
    return fromIterator(value);
  };
}

/** A marked value's member `key`, or undefined when `obj` is not marked. */
export function markedMember(
  obj: unknown,
  key: string | number,
): { found: boolean; value?: unknown } | undefined {
  if (obj instanceof SecretValue) throw refused(obj, 'indexed or sliced');
  if (typeof obj === 'string' && renderState.secretTexts.some((s) => obj.includes(s))) {
    throw new SandboxError('this text holds a printed secret: it cannot be indexed or sliced');
  }
  if (!(obj instanceof ForeignValue)) return undefined;
  const raw = obj.raw;
  if (!Object.prototype.hasOwnProperty.call(raw, key)) return { found: false };
  return { found: true, value: markForeign((raw as unknown as Record<string, unknown>)[key]) };
}

/** Wraps every test of `env` so it sees real values, and refuses secrets for all but presence. */
export function wrapTests(env: { getTest(name: string): (...a: unknown[]) => unknown }): void {
  const getTest = env.getTest.bind(env);
  env.getTest = (name: string) => {
    const test = getTest(name);
    return function (this: unknown, ...args: unknown[]): unknown {
      if (PRESENCE_TESTS.has(name)) return test.apply(this, args);
      for (const arg of args) {
        const secret = findSecret(arg);
        if (secret) throw refused(secret, `tested with 'is ${name}'`);
      }
      return test.apply(this, args.map(unmark));
    };
  };
}
