/**
 * The runtime half of the strict, sandboxed nunjucks (see strict-nunjucks.ts, the compiler half):
 * what a compiled template calls to look a name or an attribute up. Only an object's own
 * properties are reachable, never `constructor` or a prototype; an undefined value is an error
 * (strict) or recorded and empty (lenient), as in Jinja.
 */
import { SandboxError, UndefinedValueError } from './sandbox-error';
import { installMarkedRuntime, markedMember, renderState } from './marked-runtime';
// nunjucks' internals, which its type definitions do not describe.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtime = require('nunjucks/src/runtime') as Record<string, unknown>;

/** A compiled template's frame of local names. */
export interface Frame {
  lookup(name: string): string | undefined;
}

/** The most undefined references one template reports (each line and expression once). */
const MAX_UNDEFINED_REFS = 200;

/** Keys that lead from a value to its prototype or to Function: refused outright. */
const FORBIDDEN_KEYS = new Set(['constructor', '__proto__', 'prototype', '__defineGetter__']);

interface Context {
  lookup(name: string): unknown;
  ctx: Record<string, unknown>;
  env: { globals: Record<string, unknown> };
}

function hasName(context: Context, frame: Frame, name: string): boolean {
  if (frame.lookup(name) !== undefined) return true;
  return (
    Object.prototype.hasOwnProperty.call(context.ctx, name) ||
    Object.prototype.hasOwnProperty.call(context.env.globals, name)
  );
}

function describeKeys(obj: unknown): string {
  if (obj === null || typeof obj !== 'object') return '';
  const keys = Object.keys(obj).slice(0, 20);
  return keys.length > 0 ? ` (it has: ${keys.join(', ')})` : ' (it has no attributes)';
}

/** Own-property member access; the only member access templates get. */
function ownMember(obj: unknown, key: unknown): { found: boolean; value?: unknown } {
  if (obj === null || obj === undefined) return { found: false };
  if (typeof key !== 'string' && typeof key !== 'number') {
    throw new SandboxError(`cannot look up a ${typeof key} key`);
  }
  if (FORBIDDEN_KEYS.has(String(key))) {
    throw new SandboxError(`'${String(key)}' cannot be accessed from a template`);
  }
  const marked = markedMember(obj, key);
  if (marked) return marked;
  const target = obj as Record<string | number, unknown>;
  if (typeof obj !== 'object' && typeof obj !== 'string') return { found: false };
  if (!Object.prototype.hasOwnProperty.call(target, key)) return { found: false };
  const value = target[key];
  // Own functions (nunjucks' cycler/joiner objects) are called bound to their object.
  return { found: true, value: typeof value === 'function' ? value.bind(obj) : value };
}

/**
 * An undefined name or attribute: an error in strict mode; in lenient mode (Jinja's default
 * Undefined) it is recorded and the lookup gives `undefined`, which prints as empty, is false in
 * `if` and iterates as empty. A missing shared value (`var.KEY`) stays an error in both modes: it
 * is the workspace's configuration, and an empty value would reach Terraform unnoticed.
 */
function undefinedValue(
  expression: string,
  detail: string,
  lineno: number | undefined,
  colno: number | undefined,
): undefined {
  const error = new UndefinedValueError(expression, detail).at(lineno, colno);
  if (renderState.undefinedMode === 'strict' || /^var[.[]/.test(expression)) throw error;
  const refs = renderState.undefinedRefs;
  // Once per line and expression (a loop repeats them), and a bounded list per template.
  if (
    refs.length < MAX_UNDEFINED_REFS &&
    !refs.some((r) => r.line === error.line && r.expression === expression)
  ) {
    refs.push({
      expression,
      ...(error.line !== undefined ? { line: error.line } : {}),
      ...(error.column !== undefined ? { column: error.column } : {}),
    });
  }
  return undefined;
}

/**
 * Adds to nunjucks' runtime the functions the patched compiler emits calls to: strictLookup and
 * strictMember (own properties only, undefined names reported), softMember, definedOperand.
 */
export function installStrictRuntime(): void {
  if (runtime.strictLookup) return;
  installMarkedRuntime(runtime);
  runtime.strictLookup = (
    context: Context,
    frame: Frame,
    name: string,
    lineno?: number,
    colno?: number,
  ): unknown => {
    if (!hasName(context, frame, name)) return undefinedValue(name, '', lineno, colno);
    return runtime.contextOrFrameLookup
      ? (runtime.contextOrFrameLookup as (c: Context, f: Frame, n: string) => unknown)(
          context,
          frame,
          name,
        )
      : undefined;
  };
  runtime.strictMember = (
    obj: unknown,
    key: unknown,
    path: string,
    lineno?: number,
    colno?: number,
  ): unknown => {
    // As Jinja: an attribute of an undefined value is an error in both modes (but the sandbox
    // turns `_private` attributes into undefined), while an attribute of None is undefined.
    if (obj === undefined || (obj === null && renderState.undefinedMode === 'strict')) {
      if (obj === undefined && renderState.undefinedMode === 'lenient') {
        ownMember({}, key); // the sandbox's refusals come first
        if (typeof key === 'string' && key.startsWith('_')) return undefined;
      }
      throw new UndefinedValueError(
        path,
        ` (its parent is ${obj === null ? 'null' : 'undefined'})`,
      ).at(lineno, colno);
    }
    const member = ownMember(obj, key);
    if (!member.found) return undefinedValue(path, describeKeys(obj), lineno, colno);
    return member.value;
  };
  runtime.softMember = (obj: unknown, key: unknown): unknown => ownMember(obj, key).value;
  // nunjucks refuses to print undefined or null under throwOnUndefined; Jinja's default prints
  // an Undefined as empty text (and we print None as empty text too: see printedText).
  const ensureDefined = runtime.ensureDefined as (v: unknown, l: number, c: number) => unknown;
  runtime.ensureDefined = (value: unknown, lineno: number, colno: number): unknown =>
    renderState.undefinedMode === 'lenient' ? value : ensureDefined(value, lineno, colno);
  // Arithmetic on an undefined value is an error in Jinja's default mode too (not NaN).
  runtime.definedOperand = (
    value: unknown,
    path: string,
    lineno?: number,
    colno?: number,
  ): unknown => {
    if (value === undefined) throw new UndefinedValueError(path, '').at(lineno, colno);
    return value;
  };
}
