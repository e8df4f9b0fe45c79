/**
 * Renders one Jinja template string in the sandbox, turning every failure into a {@link Problem}
 * that names the file, the line and what is undefined.
 */
import * as Nunjucks from 'nunjucks';
import type * as nunjucks from 'nunjucks';
import type { Problem } from '../errors';
import { createStrictEnvironment, SandboxError, UndefinedValueError } from './strict-nunjucks';
import { renderState, startTemplate } from './marked-runtime';
import {
  currentTemplateSession,
  mergeReferences,
  type UndefinedMode,
  type UndefinedReference,
} from './template-session';
import { cliCommand } from '../commands';

let shared: nunjucks.Environment | undefined;
/** Compiled templates by source text: the same computed input renders once per plugin. */
const compiled = new Map<string, nunjucks.Template>();
const MAX_COMPILED = 1000;

/** The one sandboxed environment (creating it is cheap, but there is no reason to repeat it). */
function environment(): nunjucks.Environment {
  shared ??= createStrictEnvironment();
  return shared;
}

/**
 * `warnings`: the undefined names and attributes the template used (lenient mode), once per line
 * and expression, located in `file`; they are also reported to the caller's template session.
 */
export type RenderResult =
  | { ok: true; text: string; warnings: UndefinedReference[] }
  | { ok: false; problem: Problem; warnings: UndefinedReference[] };

export interface RenderStringOptions {
  /** Undefined names are errors (FEATURES_TEMPLATE_STRICT); default: the session's mode, else lenient. */
  undefinedMode?: UndefinedMode;
}

interface NunjucksError extends Error {
  lineno?: number;
  colno?: number;
  cause?: unknown;
}

/**
 * Renders `template` with `context`. `file` names the template in messages (a path relative to the
 * repository); `lineOffset` shifts reported lines when the template is part of a larger file.
 */
/** Says more about an undefined name or attribute (e.g. which attributes a type defines). */
export type UndefinedHint = (expression: string) => string | undefined;

export function renderTemplateString(
  template: string,
  context: Record<string, unknown>,
  file: string,
  lineOffset = 0,
  undefinedHint?: UndefinedHint,
  options: RenderStringOptions = {},
): RenderResult {
  const session = currentTemplateSession();
  renderState.undefinedMode = options.undefinedMode ?? session?.mode ?? 'lenient';
  renderState.undefinedRefs = [];
  const warnings = (): UndefinedReference[] => {
    const found = mergeReferences(
      [],
      renderState.undefinedRefs.map((r) => {
        const hint = undefinedHint?.(r.expression);
        return {
          expression: r.expression,
          location: { file, ...(r.line !== undefined ? { line: r.line + lineOffset } : {}) },
          ...(hint ? { hint } : {}),
        };
      }),
    );
    if (session) mergeReferences(session.references, found);
    return found;
  };
  try {
    let tmpl = compiled.get(template);
    if (!tmpl) {
      // nunjucks' eager compile reports syntax errors here, with their line.
      tmpl = new Nunjucks.Template(template, environment(), undefined, true);
      if (compiled.size >= MAX_COMPILED) compiled.clear();
      compiled.set(template, tmpl);
    }
    startTemplate();
    const text = tmpl.render(context);
    return { ok: true, text, warnings: warnings() };
  } catch (error) {
    return {
      ok: false,
      problem: toProblem(error as NunjucksError, file, lineOffset, undefinedHint),
      warnings: warnings(),
    };
  }
}

function toProblem(
  error: NunjucksError,
  file: string,
  lineOffset: number,
  undefinedHint: UndefinedHint | undefined,
): Problem {
  const cause = findCause(error);
  let line: number | undefined;
  let column: number | undefined;
  if (cause instanceof UndefinedValueError && cause.line !== undefined) {
    ({ line, column } = cause);
  } else if (typeof error.lineno === 'number') {
    // Parse errors (no cause) count from 1; render errors count from 0 (nunjucks' own mix).
    const base = error.cause === undefined ? 0 : 1;
    line = error.lineno + base;
    column = typeof error.colno === 'number' ? error.colno + base : undefined;
  }
  if (line !== undefined) line += lineOffset;
  const location = {
    file,
    ...(line ? { line } : {}),
    ...(column ? { column } : {}),
  };
  if (cause instanceof UndefinedValueError) {
    return {
      message: `${cause.message}.`,
      location,
      hint:
        undefinedHint?.(cause.expression) ??
        (/^var[.[]/.test(cause.expression)
          ? `It is not a shared value of this workspace and environment: set it with \`${cliCommand('values set <KEY> <value> --bucket <iac-bucket> --workspace <W> [--environment <E>]')}\`, or guard it with "is defined" or the default filter.`
          : 'Define it as a plugin input, or guard it with "is defined" or the default filter.'),
    };
  }
  if (cause instanceof SandboxError) {
    return { message: `Not allowed in templates: ${cause.message}.`, location };
  }
  const raw = (cause instanceof Error ? cause.message : error.message)
    // nunjucks prefixes "(unknown path) [Line 3, Column 5]\n  "; the location is reported apart.
    .replace(/^\([^)]*\)(?: \[Line \d+, Column \d+\])?\s*/, '')
    .replace(/^Error: /, '')
    .trim();
  if (/template not found/.test(raw)) {
    return {
      message: `Templates cannot include, import or extend other files (${raw}).`,
      location,
      hint: 'Put shared Terraform in a local module folder instead.',
    };
  }
  if (/attempted to output null or undefined value/.test(raw)) {
    return { message: 'An expression printed a null or undefined value.', location };
  }
  return { message: `Template error: ${raw}`, location };
}

function findCause(error: unknown): unknown {
  let current: unknown = error;
  for (let i = 0; i < 5 && current instanceof Error; i++) {
    if (current instanceof UndefinedValueError || current instanceof SandboxError) return current;
    const next = (current as NunjucksError).cause;
    if (next === undefined) break;
    current = next;
  }
  return current;
}
